import { createLogger, type Logger } from '@triage/logger';
import {
  createServer as createResearch,
  parseConfig as parseResearchConfig,
  type ResearchServer,
  type ResearchServerDeps,
} from '@triage/subgraph-research';
import { createTestDatabase, dropTestDatabase, PhiScanner, TEST_NATS_URL } from '@triage/testing';
import type { Platform } from './pipeline.js';

/** The research subgraph beside a running platform, with its own database. */
export interface ResearchService {
  server: ResearchServer;
  database: string;
  /** Every response of the service, scanned for the seeded patients (plus `extraPhi`). */
  phi: PhiScanner;
  /** Stops the service and drops its database; throws when a response carried seeded patient data. */
  stop(): Promise<void>;
}

/**
 * Starts the research subgraph on `port` (the gateway was started with RESEARCH_URL pointing there)
 * against a new database of the platform's namespace. Every response it sends is scanned for the
 * seeded patient data and `extraPhi` (the suite-wide PHI scan): `stop()` fails the suite on a hit.
 */
export async function startResearch(
  platform: Platform,
  port: number,
  options: { extraPhi?: (string | RegExp)[]; env?: Record<string, string>; log?: Logger } = {},
): Promise<ResearchService> {
  const database = `${platform.ns}_research`;
  const phi = new PhiScanner().add(...(options.extraPhi ?? []));
  const responseTap: ResearchServerDeps['responseTap'] = ({ method, path, status, body }) =>
    phi.scan(body, `${method} ${path} ${status}`);
  const server = await createResearch(
    parseResearchConfig({
      PORT: String(port),
      DATABASE_URL: await createTestDatabase(database),
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: platform.ns,
      LOG_LEVEL: 'silent',
      ...platform.authEnv,
      ...options.env,
    }),
    {
      log:
        options.log ??
        createLogger({
          service: 'e2e-research',
          level: (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'silent',
        }),
      responseTap,
    },
  );
  await server.start();
  return {
    server,
    database,
    phi,
    async stop() {
      await server.stop().catch(() => undefined);
      await dropTestDatabase(database).catch(() => undefined);
      if (phi.hits.length) phi.assertClean();
    },
  };
}
