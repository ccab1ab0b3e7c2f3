import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, notFound } from '@triage/auth';
import { HOSPITAL_ROLES, PLATFORM_ROLES, type HospitalRole, type PlatformRole } from '../auth/roles.js';
import { conflict, uniqueOrConflict } from '../errors.js';
import { Hospital } from '../hospital/hospital.entity.js';
import { Membership } from '../membership/membership.entity.js';
import { isUuid, requireEmail, requireText } from '../validation.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.js';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  displayName: string;
  password: string;
  roles: readonly PlatformRole[];
}

export class UserService {
  constructor(private readonly em: EntityManager) {}

  list(): Promise<User[]> {
    return this.em.find(User, {}, { orderBy: { email: 'asc' } });
  }

  async byId(id: string): Promise<User | null> {
    return isUuid(id) ? this.em.findOne(User, { id }) : null;
  }

  async create(input: NewUser): Promise<User> {
    const email = requireEmail(input.email);
    const displayName = requireText('displayName', input.displayName);
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw badInput(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const roles = [...new Set(input.roles)];
    if (roles.some((r) => !PLATFORM_ROLES.includes(r))) throw badInput(`roles must be among ${PLATFORM_ROLES.join(', ')}`);
    if (await this.em.count(User, { email })) throw conflict(`A user with email ${email} already exists`);
    const user = this.em.create(User, {
      email,
      displayName,
      passwordHash: await hashPassword(input.password),
      roles,
      createdAt: new Date(),
      disabledAt: null,
    });
    await uniqueOrConflict(`A user with email ${email} already exists`, () => this.em.flush());
    return user;
  }

  async setDisabled(id: string, disabled: boolean): Promise<User> {
    const user = await this.require(id);
    if (disabled && !user.disabledAt) user.disabledAt = new Date();
    if (!disabled) user.disabledAt = null;
    await this.em.flush();
    return user;
  }

  /** Idempotent: granting a membership the user already has changes nothing. */
  async grantMembership(userId: string, hospitalId: string, role: HospitalRole): Promise<User> {
    if (!HOSPITAL_ROLES.includes(role)) throw badInput(`role must be one of ${HOSPITAL_ROLES.join(', ')}`);
    const user = await this.require(userId);
    const hospital = isUuid(hospitalId) ? await this.em.findOne(Hospital, { id: hospitalId }) : null;
    if (!hospital) throw notFound(`Hospital ${hospitalId} not found`);
    // ON CONFLICT DO NOTHING: a concurrent grant of the same membership is not an error.
    await this.em
      .createQueryBuilder(Membership)
      .insert({ id: randomUUID(), user: user.id, hospital: hospital.id, role, createdAt: new Date() })
      .onConflict(['user', 'hospital', 'role'])
      .ignore()
      .execute();
    return user;
  }

  async revokeMembership(userId: string, hospitalId: string, role: HospitalRole): Promise<User> {
    const user = await this.require(userId);
    if (isUuid(hospitalId)) await this.em.nativeDelete(Membership, { user: user.id, hospital: hospitalId, role });
    return user;
  }

  /** Memberships (with their hospital) of each user, in the order of `userIds`. */
  async membershipsOf(userIds: readonly string[]): Promise<Membership[][]> {
    const memberships = await this.em.find(
      Membership,
      { user: { $in: [...userIds] } },
      { populate: ['hospital'], orderBy: { hospital: { name: 'asc' }, role: 'asc' } },
    );
    const byUser = new Map<string, Membership[]>();
    for (const m of memberships) byUser.set(m.user.id, [...(byUser.get(m.user.id) ?? []), m]);
    return userIds.map((id) => byUser.get(id) ?? []);
  }

  private async require(id: string): Promise<User> {
    const user = await this.byId(id);
    if (!user) throw notFound(`User ${id} not found`);
    return user;
  }
}
