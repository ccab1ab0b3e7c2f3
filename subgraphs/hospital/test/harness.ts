import { randomUUID } from 'node:crypto';
import { natsTopology, type NatsTopology } from '@triage/contracts';
import { connectNats, destroyNamespace, type NatsConnection } from '@triage/nats';
import {
  createTestDatabase,
  dropTestDatabase,
  gql,
  TEST_NATS_URL,
  TestIssuer,
  uniqueName,
} from '@triage/testing';
import type { Logger } from '@triage/logger';
import { parseConfig, type HospitalConfig } from '../src/env.js';
import { createServer, type HospitalServer, type ServerDeps } from '../src/server.js';

/** The tests' DEID_SECRET (the launcher sets a random one per hospital). */
export const TEST_DEID_SECRET = 'test-deid-secret-0123456789abcdef0123456789';

export type GqlResult<T = Record<string, unknown>> = Awaited<ReturnType<typeof gql<T>>>;

export interface Tokens {
  integration: string;
  technician: string;
  doctor: string;
  /** A doctor of a different hospital. */
  otherDoctor: string;
  /** An integration credential of a different hospital. */
  otherIntegration: string;
  researcher: string;
  admin: string;
}

export interface Hospital {
  id: string;
  otherHospitalId: string;
  config: HospitalConfig;
  server: HospitalServer;
  issuer: TestIssuer;
  topology: NatsTopology;
  nc: NatsConnection;
  /** The subgraph's GraphQL endpoint. */
  graphqlUrl: string;
  tokens: Tokens;
  /** Runs an operation with a token (the integration credential by default). */
  run<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  seed: SeedBuilder;
  close(): Promise<void>;
}

/**
 * Starts one hospital instance against its own new database and NATS namespace, with a real
 * token issuer. One per test file, so files run in parallel without seeing each other.
 */
export async function startHospital(
  options: { outboxIntervalMs?: number; env?: Record<string, string>; log?: Logger; deidentification?: ServerDeps['deidentification'] } = {},
): Promise<Hospital> {
  const issuer = await TestIssuer.start();
  const database = uniqueName('hospital_');
  const databaseUrl = await createTestDatabase(database);
  const namespace = uniqueName('hsp');
  const id = randomUUID();
  const otherHospitalId = randomUUID();
  const config = parseConfig({
    HOSPITAL_ID: id,
    HOSPITAL_SLUG: 'general',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    NATS_URL: TEST_NATS_URL,
    NATS_NAMESPACE: namespace,
    AUTH_ISSUER: issuer.issuer,
    AUTH_JWKS_URL: issuer.jwksUrl,
    LOG_LEVEL: 'silent',
    DEID_SECRET: TEST_DEID_SECRET,
    ...options.env,
  });
  const server = await createServer(config, {
    outboxIntervalMs: options.outboxIntervalMs ?? 0,
    log: options.log,
    deidentification: options.deidentification,
  });
  await server.start();
  const nc = await connectNats({ url: TEST_NATS_URL, name: 'hospital-test' });
  const topology = natsTopology(namespace);
  const member = (hospitalId: string, role: string, kind: 'user' | 'service' = 'user') =>
    issuer.sign({ sub: `${role}-${randomUUID()}`, kind, memberships: [{ hospitalId, role }] });
  const tokens: Tokens = {
    integration: await member(id, 'integration', 'service'),
    technician: await member(id, 'technician'),
    doctor: await member(id, 'doctor'),
    otherDoctor: await member(otherHospitalId, 'doctor'),
    otherIntegration: await member(otherHospitalId, 'integration', 'service'),
    researcher: await issuer.sign({ sub: 'researcher', roles: ['researcher'] }),
    admin: await issuer.sign({ sub: 'admin', roles: ['admin'] }),
  };
  const graphqlUrl = `${server.url()}/graphql`;
  const run = <T,>(query: string, variables: Record<string, unknown> = {}, token = tokens.integration) =>
    gql<T>(graphqlUrl, query, variables, token);

  return {
    id,
    otherHospitalId,
    config,
    server,
    issuer,
    topology,
    nc,
    graphqlUrl,
    tokens,
    run,
    seed: seedBuilder(id, run),
    async close() {
      await server.stop();
      await destroyNamespace(nc, topology).catch(() => undefined);
      await nc.close();
      await issuer.stop();
      await dropTestDatabase(database);
    },
  };
}

export interface SeededPatient {
  id: string;
  hospitalId: string;
  mrn: string;
  name: string;
  birthDate: string;
  sex: string;
  createdAt: string;
  updatedAt: string;
}

export interface SeededStudy {
  id: string;
  hospitalId: string;
  accessionNumber: string;
  modality: string;
  bodyPart: string;
  acquiredAt: string;
  status: string;
}

export interface SeedBuilder {
  patient(input?: Partial<Pick<SeededPatient, 'mrn' | 'name' | 'birthDate' | 'sex'>>): Promise<SeededPatient>;
  study(patientId: string, input?: { accessionNumber?: string; modality?: string; bodyPart?: string; acquiredAt?: string }): Promise<SeededStudy>;
}

export const PATIENT_FIELDS = 'id hospitalId mrn name birthDate sex createdAt updatedAt';
export const STUDY_FIELDS = 'id hospitalId accessionNumber modality bodyPart acquiredAt status createdAt updatedAt image { key }';

/** Creates data through the public API, as an integration would. */
function seedBuilder(hospitalId: string, run: Hospital['run']): SeedBuilder {
  return {
    async patient(input = {}) {
      const res = await run<{ createPatient: SeededPatient }>(
        `mutation ($hospitalId: ID!, $input: CreatePatientInput!) { createPatient(hospitalId: $hospitalId, input: $input) { ${PATIENT_FIELDS} } }`,
        {
          hospitalId,
          input: {
            mrn: input.mrn ?? `MRN-${randomUUID().slice(0, 8)}`,
            name: input.name ?? 'Ada Lovelace',
            birthDate: input.birthDate ?? '1985-03-14',
            sex: input.sex ?? 'FEMALE',
          },
        },
      );
      if (!res.data?.createPatient) throw new Error(`seeding a patient failed: ${JSON.stringify(res.errors)}`);
      return res.data.createPatient;
    },
    async study(patientId, input = {}) {
      const res = await run<{ createStudy: SeededStudy }>(
        `mutation ($hospitalId: ID!, $input: CreateStudyInput!) { createStudy(hospitalId: $hospitalId, input: $input) { ${STUDY_FIELDS} } }`,
        { hospitalId, input: { patientId, accessionNumber: input.accessionNumber ?? `ACC-${randomUUID().slice(0, 8)}`, ...input } },
      );
      if (!res.data?.createStudy) throw new Error(`seeding a study failed: ${JSON.stringify(res.errors)}`);
      return res.data.createStudy;
    },
  };
}

export function errorCodes(res: GqlResult): (string | undefined)[] {
  return (res.errors ?? []).map((e) => e.extensions?.code);
}
