import { DEFAULT_AUDIENCE } from '@triage/auth';
import { DirectoryHospitalsV1, decodeEvent, natsTopology } from '@triage/contracts';
import { connectNats, destroyNamespace, openKv, type NatsConnection } from '@triage/nats';
import { createTestDatabase, dropTestDatabase, gql, TEST_NATS_URL, uniqueName } from '@triage/testing';
import { parseDirectoryConfig, type DirectoryConfig } from '../src/env.js';
import { DIRECTORY_HOSPITALS_KEY } from '../src/hospital/hospital.publisher.js';
import { createServer, type DirectoryServer, type DirectoryServerDeps } from '../src/server.js';

export const TEST_ISSUER = 'http://directory.test';
export const TEST_AUDIENCE = DEFAULT_AUDIENCE;

export interface TestDirectory {
  server: DirectoryServer;
  config: DirectoryConfig;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  graphqlUrl: string;
  nc: NatsConnection;
  database: string;
  databaseUrl: string;
  namespace: string;
  /** POSTs one operation; throws nothing, returns data and errors. */
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): ReturnType<typeof gql<T>>;
  login(email: string, password: string): Promise<string>;
  readHospitalsKv(): Promise<DirectoryHospitalsV1 | null>;
  close(): Promise<void>;
}

/** A directory on its own database and NATS namespace, listening on a free loopback port. */
export async function startTestDirectory(
  env: Record<string, string> = {},
  deps: DirectoryServerDeps = {},
): Promise<TestDirectory> {
  const database = uniqueName('dir');
  const namespace = uniqueName('dirns');
  const databaseUrl = await createTestDatabase(database);
  const config = parseDirectoryConfig({
    PORT: '0',
    DATABASE_URL: databaseUrl,
    ISSUER_URL: TEST_ISSUER,
    NATS_URL: TEST_NATS_URL,
    NATS_NAMESPACE: namespace,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await createServer(config, deps);
  const baseUrl = await server.start();
  const graphqlUrl = `${baseUrl}/graphql`;
  const nc = await connectNats({ url: TEST_NATS_URL, name: 'directory-test' });
  const call = <T>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
    gql<T>(graphqlUrl, query, variables, token);
  return {
    server,
    config,
    baseUrl,
    graphqlUrl,
    nc,
    database,
    databaseUrl,
    namespace,
    call,
    async login(email, password) {
      const res = await call<{ login: { token: string } }>(
        'mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }',
        { e: email, p: password },
      );
      if (!res.data?.login) throw new Error(`login as ${email} failed: ${JSON.stringify(res.errors)}`);
      return res.data.login.token;
    },
    async readHospitalsKv() {
      const kv = await openKv(nc, natsTopology(namespace).buckets.directory);
      const entry = await kv.get(DIRECTORY_HOSPITALS_KEY);
      return entry && entry.operation === 'PUT' ? decodeEvent(DirectoryHospitalsV1, entry.value) : null;
    },
    async close() {
      await server.stop();
      await destroyNamespace(nc, natsTopology(namespace));
      await nc.drain();
      await dropTestDatabase(database);
    },
  };
}

export function errorCode(res: { errors?: { extensions?: { code?: string } }[] }): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}
