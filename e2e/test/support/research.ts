import { createLogger } from '@triage/logger';
import {
  createServer as createResearch,
  parseConfig as parseResearchConfig,
  type ResearchServer,
  type ResearchServerDeps,
} from '@triage/subgraph-research';
import { createTestDatabase, dropTestDatabase, TEST_NATS_URL } from '@triage/testing';
import type { Platform } from './pipeline.js';

/** The research subgraph beside a running platform, with its own database. */
export interface ResearchService {
  server: ResearchServer;
  database: string;
  stop(): Promise<void>;
}

/**
 * Starts the research subgraph on `port` (the gateway was started with RESEARCH_URL pointing there)
 * against a new database of the platform's namespace. `responseTap` sees every response (PHI scan).
 */
export async function startResearch(
  platform: Platform,
  port: number,
  responseTap?: ResearchServerDeps['responseTap'],
): Promise<ResearchService> {
  const database = `${platform.ns}_research`;
  const server = await createResearch(
    parseResearchConfig({
      PORT: String(port),
      DATABASE_URL: await createTestDatabase(database),
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: platform.ns,
      LOG_LEVEL: 'silent',
      ...platform.authEnv,
    }),
    {
      log: createLogger({
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
    async stop() {
      await server.stop().catch(() => undefined);
      await dropTestDatabase(database).catch(() => undefined);
    },
  };
}
