import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '@triage/service-common';
import type { HospitalRole, PlatformRole } from './auth/roles.js';
import { Hospital } from './hospital/hospital.entity.js';
import { Membership } from './membership/membership.entity.js';
import { ServiceCredential } from './service-credential/service-credential.entity.js';
import { ServiceCredentialService } from './service-credential/service-credential.service.js';
import { readablePassword } from './user/password.js';
import { User } from './user/user.entity.js';
import { UserService } from './user/user.service.js';
import { requireHttpUrl, requireSlug, requireText } from './validation.js';

export interface DemoHospital {
  slug: string;
  name: string;
  subgraphUrl: string;
}

export interface SeedOptions {
  hospitals: DemoHospital[];
  /** One password for every demo user (DEMO_PASSWORD, for CI and e2e tests); random per user otherwise. */
  password?: string;
}

export interface SeededUser {
  email: string;
  password: string;
  roles: PlatformRole[];
  memberships: { hospitalId: string; hospitalSlug: string; role: HospitalRole }[];
}

export interface SeedResult {
  hospitals: { id: string; slug: string; name: string }[];
  /** Users created by this run, with their passwords; empty when they already existed. */
  users: SeededUser[];
  /** API keys of the credentials created by this run; empty when they already existed. */
  apiKeys: { hospitalSlug: string; apiKey: string }[];
}

export const DEMO_CREDENTIAL_NAME = 'demo integration';
/** pg advisory lock id: two launchers seeding at once do not create duplicates. */
const SEED_LOCK = 7_400_003;

interface PlannedUser {
  email: string;
  displayName: string;
  roles: PlatformRole[];
  memberships: { hospital: Hospital; role: HospitalRole }[];
}

function plannedUsers(hospitals: Hospital[]): PlannedUser[] {
  return [
    { email: 'admin@demo.local', displayName: 'Demo Administrator', roles: ['admin'], memberships: [] },
    { email: 'researcher@demo.local', displayName: 'Demo Researcher', roles: ['researcher'], memberships: [] },
    ...hospitals.flatMap((hospital): PlannedUser[] => [
      {
        email: `doctor.${hospital.slug}@demo.local`,
        displayName: `Doctor at ${hospital.name}`,
        roles: [],
        memberships: [{ hospital, role: 'doctor' }],
      },
      {
        email: `tech.${hospital.slug}@demo.local`,
        displayName: `Technician at ${hospital.name}`,
        roles: [],
        memberships: [{ hospital, role: 'technician' }],
      },
    ]),
    {
      email: 'doctor@demo.local',
      displayName: 'Demo Doctor (all hospitals)',
      roles: [],
      memberships: hospitals.map((hospital) => ({ hospital, role: 'doctor' as const })),
    },
  ];
}

/**
 * Idempotent demo data: upserts the hospitals (name and subgraphUrl follow the input), creates the
 * demo users, memberships and one "demo integration" credential per hospital where missing.
 * Passwords and API keys are only known when created, so only new ones are returned.
 * Does not publish the hospital list: callers do (see publishHospitals).
 */
export async function seedDemoDirectory(orm: Orm, options: SeedOptions): Promise<SeedResult> {
  const wanted = options.hospitals.map((h) => ({
    slug: requireSlug(h.slug),
    name: requireText('name', h.name),
    subgraphUrl: requireHttpUrl('subgraphUrl', h.subgraphUrl),
  }));
  return orm.em.fork().transactional(async (em: EntityManager) => {
    await em.execute('select pg_advisory_xact_lock(?)', [SEED_LOCK]);
    const hospitals = await upsertHospitals(em, wanted);

    const users: SeededUser[] = [];
    const userService = new UserService(em);
    for (const planned of plannedUsers(hospitals)) {
      let user = await em.findOne(User, { email: planned.email });
      let password: string | undefined;
      if (!user) {
        password = options.password ?? readablePassword();
        user = await userService.create({ ...planned, password });
      }
      for (const { hospital, role } of planned.memberships) {
        if (!(await em.count(Membership, { user, hospital, role }))) {
          em.create(Membership, { user, hospital, role, createdAt: new Date() });
        }
      }
      await em.flush();
      if (password) {
        users.push({
          email: user.email,
          password,
          roles: user.roles,
          memberships: planned.memberships.map(({ hospital, role }) => ({
            hospitalId: hospital.id,
            hospitalSlug: hospital.slug,
            role,
          })),
        });
      }
    }

    const apiKeys: SeedResult['apiKeys'] = [];
    const credentials = new ServiceCredentialService(em);
    for (const hospital of hospitals) {
      if (await em.count(ServiceCredential, { hospital, name: DEMO_CREDENTIAL_NAME })) continue;
      const { apiKey } = await credentials.create(hospital.id, DEMO_CREDENTIAL_NAME);
      apiKeys.push({ hospitalSlug: hospital.slug, apiKey });
    }

    return { hospitals: hospitals.map(({ id, slug, name }) => ({ id, slug, name })), users, apiKeys };
  });
}

async function upsertHospitals(em: EntityManager, wanted: DemoHospital[]): Promise<Hospital[]> {
  const hospitals: Hospital[] = [];
  for (const { slug, name, subgraphUrl } of wanted) {
    const existing = await em.findOne(Hospital, { slug });
    if (existing) {
      existing.name = name;
      existing.subgraphUrl = subgraphUrl;
      hospitals.push(existing);
    } else {
      hospitals.push(em.create(Hospital, { slug, name, subgraphUrl, createdAt: new Date() }));
    }
  }
  await em.flush();
  return hospitals;
}
