import { readFileSync } from 'node:fs';
import { natsTopology, type NatsTopology } from '@triage/contracts';
import { createLogger, type Logger } from '@triage/logger';
import { connectNats, destroyNamespace, type NatsConnection } from '@triage/nats';
import {
  createTestDatabase,
  dropTestDatabase,
  freePort,
  gql,
  TEST_NATS_URL,
  uniqueName,
} from '@triage/testing';
import {
  createServer as createDirectory,
  parseDirectoryConfig,
  publishHospitals,
  seedDemoDirectory,
  type DirectoryServer,
} from '@triage/subgraph-directory';
import { createServer as createHospital, parseConfig as parseHospitalConfig, type HospitalServer } from '@triage/subgraph-hospital';
import { createServer as createTriage, parseConfig as parseTriageConfig, type TriageServer } from '@triage/subgraph-triage';
import { openKv } from '@triage/nats';
import { createGateway, type Gateway } from '../../src/server.js';
import { parseGatewayConfig } from '../../src/env.js';
import { SUPERGRAPH_PATH } from '../../src/supergraph/compose.js';

export const DEMO_PASSWORD = 'demo-password-for-tests';
const silent = createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Per-service loggers (tests that read the logs) and environment every service gets (OTEL_*). */
export interface PlatformOptions {
  gatewayEnv?: Record<string, string>;
  inProcessGateway?: boolean;
  logs?: Partial<Record<'gateway' | 'directory' | 'hospital' | 'triage', Logger>>;
  serviceEnv?: Record<string, string>;
}

export interface PlatformHospital {
  id: string;
  slug: string;
  name: string;
  url: string;
  server: HospitalServer;
  database: string;
}

/**
 * The whole platform in one process, on real PostgreSQL and NATS, with its own databases and
 * NATS namespace: directory (seeded demo users), one hospital instance per hospital, triage,
 * and the gateway in front.
 */
export class Platform {
  readonly ns = uniqueName('p');
  readonly topology: NatsTopology = natsTopology(this.ns);
  readonly databases: string[] = [];
  directory!: DirectoryServer;
  triage!: TriageServer;
  gateway!: Gateway;
  hospitals: PlatformHospital[] = [];
  gatewayUrl = '';
  directoryUrl = '';
  apiKeys = new Map<string, string>();
  /** The gateway's environment, for replicas (and gateway processes) of the same platform. */
  gatewayEnv: Record<string, string> = {};
  readonly replicas: Gateway[] = [];
  nc!: NatsConnection;
  private directoryEnv: Record<string, string> = {};
  private options: PlatformOptions = {};
  private logOf = (service: keyof NonNullable<PlatformOptions['logs']>): Logger => this.options.logs?.[service] ?? silent;

  static async start(
    hospitals = [{ slug: 'st-marys', name: "St. Mary's" }, { slug: 'general', name: 'General' }],
    options: PlatformOptions = {},
  ) {
    const platform = new Platform();
    platform.options = options;
    await platform.boot(hospitals, options);
    return platform;
  }

  private async database(name: string): Promise<string> {
    const database = `${this.ns}_${name}`.replace(/-/g, '_');
    this.databases.push(database);
    return createTestDatabase(database);
  }

  get authEnv() {
    return { AUTH_ISSUER: this.directoryUrl, AUTH_JWKS_URL: `${this.directoryUrl}/.well-known/jwks.json` };
  }

  private async boot(hospitals: { slug: string; name: string }[], options: PlatformOptions) {
    this.nc = await connectNats({ url: TEST_NATS_URL, name: 'platform-test' });
    const directoryPort = await freePort();
    this.directoryUrl = `http://127.0.0.1:${directoryPort}`;
    this.directoryEnv = {
      PORT: String(directoryPort),
      DATABASE_URL: await this.database('directory'),
      ISSUER_URL: this.directoryUrl,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: this.ns,
      LOG_LEVEL: 'silent',
      ...options.serviceEnv,
    };
    this.directory = await createDirectory(parseDirectoryConfig(this.directoryEnv), { log: this.logOf('directory') });
    await this.directory.start();

    const planned = await Promise.all(
      hospitals.map(async (h) => ({ ...h, port: await freePort() })),
    );
    const seed = await seedDemoDirectory(this.directory.orm, {
      hospitals: planned.map((h) => ({ slug: h.slug, name: h.name, subgraphUrl: `http://127.0.0.1:${h.port}/graphql` })),
      password: DEMO_PASSWORD,
    });
    for (const k of seed.apiKeys) this.apiKeys.set(k.hospitalSlug, k.apiKey);

    for (const h of planned) {
      const id = seed.hospitals.find((s) => s.slug === h.slug)!.id;
      this.hospitals.push(await this.startHospital(id, h.slug, h.name, h.port));
    }

    const triagePort = await freePort();
    this.triage = await createTriage(
      parseTriageConfig({
        PORT: String(triagePort),
        DATABASE_URL: await this.database('triage'),
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: this.ns,
        LOG_LEVEL: 'silent',
        ...this.authEnv,
        ...options.serviceEnv,
      }),
      { log: this.logOf('triage') },
    );
    await this.triage.start();

    // Publish after the seed so the gateway sees every hospital at once.
    await publishHospitals(this.directory.orm, await openKv(this.nc, this.topology.buckets.directory));

    this.gatewayEnv = {
      PORT: '0',
      DIRECTORY_URL: `${this.directoryUrl}/graphql`,
      TRIAGE_URL: `http://127.0.0.1:${triagePort}/graphql`,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: this.ns,
      LOG_LEVEL: 'silent',
      QUERY_MAX_DEPTH: '10',
      QUERY_MAX_COST: '5000',
      ...this.authEnv,
      ...options.serviceEnv,
      ...options.gatewayEnv,
    };
    if (options.inProcessGateway === false) return;
    this.gateway = createGateway(parseGatewayConfig(this.gatewayEnv), { log: this.logOf('gateway'), supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8') });
    this.gatewayUrl = await this.gateway.start();
  }

  /** Another gateway replica in front of the same platform (its own port and triage stream consumer). */
  async startGatewayReplica(env: Record<string, string> = {}): Promise<Gateway> {
    const replica = createGateway(parseGatewayConfig({ ...this.gatewayEnv, ...env }), {
      log: silent,
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
    });
    await replica.start();
    this.replicas.push(replica);
    return replica;
  }

  async startHospital(id: string, slug: string, name: string, port?: number): Promise<PlatformHospital> {
    const database = `${this.ns}_h_${slug}`.replace(/-/g, '_');
    const server = await createHospital(
      parseHospitalConfig({
        HOSPITAL_ID: id,
        HOSPITAL_SLUG: slug,
        PORT: String(port ?? (await freePort())),
        DATABASE_URL: await this.database(`h_${slug}`),
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: this.ns,
        LOG_LEVEL: 'silent',
        ...this.authEnv,
        ...this.options.serviceEnv,
      }),
      { log: this.logOf('hospital') },
    );
    const url = await server.start();
    return { id, slug, name, url, server, database };
  }

  hospital(slug: string): PlatformHospital {
    const h = this.hospitals.find((x) => x.slug === slug);
    if (!h) throw new Error(`no hospital ${slug}`);
    return h;
  }

  async login(email: string, password = DEMO_PASSWORD): Promise<string> {
    const res = await gql<{ login: { token: string } }>(
      `${this.gatewayUrl}/graphql`,
      'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
      { email, password },
    );
    if (!res.data) throw new Error(`login failed: ${JSON.stringify(res.errors)}`);
    return res.data.login.token;
  }

  async integrationToken(slug: string): Promise<string> {
    const res = await gql<{ exchangeApiKey: { token: string } }>(
      `${this.gatewayUrl}/graphql`,
      'mutation X($k: String!) { exchangeApiKey(apiKey: $k) { token } }',
      { k: this.apiKeys.get(slug) },
    );
    if (!res.data) throw new Error(`exchange failed: ${JSON.stringify(res.errors)}`);
    return res.data.exchangeApiKey.token;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test queries read loosely typed answers
  query<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string) {
    return gql<T>(`${this.gatewayUrl}/graphql`, query, variables, token);
  }

  async stop(): Promise<void> {
    for (const replica of this.replicas) await replica.stop().catch(() => undefined);
    await this.gateway?.stop().catch(() => undefined);
    await this.triage?.stop().catch(() => undefined);
    for (const h of this.hospitals) await h.server.stop().catch(() => undefined);
    await this.directory?.stop().catch(() => undefined);
    await destroyNamespace(this.nc, this.topology).catch(() => undefined);
    await this.nc?.close();
    for (const db of this.databases) await dropTestDatabase(db).catch(() => undefined);
  }
}
