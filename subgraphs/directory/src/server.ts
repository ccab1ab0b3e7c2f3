import 'reflect-metadata';
import { createTokenVerifier } from '@triage/auth';
import { natsTopology } from '@triage/contracts';
import { createLogger, type Logger } from '@triage/logger';
import { connectNats, openKv, type NatsConnection } from '@triage/nats';
import { createGraphQLService, migrate, type Orm } from '@triage/service-common';
import { initTelemetry, type Telemetry } from '@triage/telemetry';
import { TokenIssuer } from './auth/token-issuer.js';
import { jwksUrlOf, wellKnownRoutes } from './auth/well-known.js';
import { createContextFactory, type ContextDeps, type DirectoryContext } from './context.js';
import { openDirectoryOrm } from './database.js';
import type { DirectoryConfig } from './env.js';
import { HospitalPublisher } from './hospital/hospital.publisher.js';
import { buildDirectorySchema } from './schema.js';
import { SigningKeyStore } from './signing-key/signing-key.store.js';

export interface DirectoryServerDeps {
  log?: Logger;
  /** A shared NATS connection; when omitted the server opens (and closes) its own. */
  nats?: NatsConnection;
  telemetry?: Telemetry;
}

export interface DirectoryServer {
  /** Migrates, loads the signing keys, publishes the hospital list, listens; returns the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
  url(): string;
  orm: Orm;
  keys: SigningKeyStore;
  tokens: TokenIssuer;
}

export async function createServer(config: DirectoryConfig, deps: DirectoryServerDeps = {}): Promise<DirectoryServer> {
  const log = deps.log ?? createLogger({ service: 'directory', level: config.logLevel });
  const telemetry = deps.telemetry ?? initTelemetry({ service: 'directory', ...config.telemetry });
  const orm = await openDirectoryOrm(config.databaseUrl);
  const keys = new SigningKeyStore(orm);
  const tokens = new TokenIssuer(keys, {
    issuer: config.issuer.url,
    audience: config.issuer.audience,
    ttlSeconds: config.issuer.tokenTtlSeconds,
  });
  // The directory verifies its own tokens against the keys in memory, not over HTTP.
  const verifier = createTokenVerifier(
    [{ issuer: config.issuer.url, jwksUrl: jwksUrlOf(config.issuer.url), audience: config.issuer.audience }],
    () => keys.getKey,
  );
  const contextDeps: ContextDeps = { orm, tokens, publisher: null };
  let nc = deps.nats;
  const ownsNats = !deps.nats;

  const service = createGraphQLService<DirectoryContext>({
    name: 'directory',
    schema: await buildDirectorySchema(),
    verifier,
    log,
    host: config.http.host,
    port: config.http.port,
    allowAnonymous: true,
    introspection: config.graphql.introspection,
    context: createContextFactory(contextDeps),
    database: orm,
    telemetry,
    readinessChecks: {
      database: () => orm.em.fork().getConnection().execute('select 1'),
      nats: async () => {
        if (!nc || nc.isClosed()) throw new Error('not connected');
        await nc.flush();
      },
    },
    routes: wellKnownRoutes(config.issuer.url, keys),
  });

  return {
    orm,
    keys,
    tokens,
    url: () => service.url(),
    async start() {
      const applied = await migrate(orm);
      if (applied.length) log.info({ migrations: applied }, 'applied migrations');
      await keys.ensure(log);
      nc ??= await connectNats({ url: config.nats.url, name: 'directory', log });
      const kv = await openKv(nc, natsTopology(config.nats.namespace).buckets.directory);
      contextDeps.publisher = new HospitalPublisher(orm, kv, log);
      await contextDeps.publisher.publish();
      return service.start();
    },
    async stop() {
      await service.stop();
      contextDeps.publisher?.close();
      if (ownsNats && nc && !nc.isClosed()) await nc.drain();
      await orm.close();
      await telemetry.shutdown();
    },
  };
}
