import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import {
  encodeEvent,
  messageIds,
  natsTopology,
  PredictionCreatedV1,
  StudyCreatedV1,
  StudyReviewedV1,
  TriageUpdatedV1,
  decodeEvent,
  type NatsTopology,
} from '@triage/contracts';
import { connectNats, destroyNamespace, type NatsConnection } from '@triage/nats';
import {
  createTestDatabase,
  dropTestDatabase,
  gql,
  TEST_DATABASE_SERVER,
  TEST_NATS_URL,
  TestIssuer,
  uniqueName,
} from '@triage/testing';
import { parseConfig, type TriageConfig } from '../src/env.js';
import { createServer, type TriageServer } from '../src/server.js';

export interface Harness {
  server: TriageServer;
  config: TriageConfig;
  graphqlUrl: string;
  issuer: TestIssuer;
  database: string;
  databaseUrl: string;
  topology: NatsTopology;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stop(): Promise<void>;
}

/** A real triage server on its own database and NATS namespace, with a real token issuer. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database = uniqueName('triage');
  const databaseUrl = await createTestDatabase(database);
  const topology = natsTopology(uniqueName('ns'));
  const issuer = await TestIssuer.start();
  const config = parseConfig({
    PORT: '0',
    DATABASE_URL: databaseUrl,
    NATS_URL: TEST_NATS_URL,
    NATS_NAMESPACE: topology.namespace,
    NATS_RETRY_DELAY_MS: '100',
    AUTH_ISSUER: issuer.issuer,
    AUTH_JWKS_URL: issuer.jwksUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const server = await createServer(config);
  const url = await server.start();
  const nc = await connectNats({ url: TEST_NATS_URL, name: 'triage-test' });
  const harness: Harness = {
    server,
    config,
    graphqlUrl: `${url}/graphql`,
    issuer,
    database,
    databaseUrl,
    topology,
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    async stop() {
      await harness.server.stop();
      await destroyNamespace(nc, topology);
      await nc.close();
      await issuer.stop();
      await dropTestDatabase(database, TEST_DATABASE_SERVER);
    },
  };
  return harness;
}

export const token = (h: Harness, claims: Parameters<TestIssuer['sign']>[0]) => h.issuer.sign(claims);
export const doctorOf = (h: Harness, ...hospitalIds: string[]) =>
  h.issuer.sign({ sub: `doctor-${hospitalIds.join('-')}`, memberships: hospitalIds.map((hospitalId) => ({ hospitalId, role: 'doctor' })) });

/** Hospital ids are NATS subject tokens. */
export const hospitalId = (label: string) => `${label}${randomBytes(3).toString('hex')}`;
export const studyId = () => `st${randomBytes(6).toString('hex')}`;

// ---- seed builders: events exactly as producers publish them ----

export function studyCreated(overrides: Partial<StudyCreatedV1> & Pick<StudyCreatedV1, 'hospitalId' | 'studyId'>): StudyCreatedV1 {
  const occurredAt = overrides.occurredAt ?? new Date().toISOString();
  return {
    version: 1,
    modality: 'CR',
    bodyPart: 'CHEST',
    acquiredAt: occurredAt,
    image: {
      bucket: 'images-test',
      key: `${overrides.studyId}/original`,
      sha256: 'a'.repeat(64),
      contentType: 'image/png',
      width: 1024,
      height: 1024,
    },
    occurredAt,
    ...overrides,
  };
}

export function predictionCreated(
  overrides: Partial<PredictionCreatedV1> & Pick<PredictionCreatedV1, 'hospitalId' | 'studyId' | 'risk'>,
): PredictionCreatedV1 {
  return {
    version: 1,
    modelVersion: 'v1',
    label: overrides.risk >= 0.5 ? 'pneumonia' : 'normal',
    threshold: 0.5,
    shadow: false,
    timings: { queueMs: 12, preprocessMs: 30.5, inferenceMs: 80 },
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

export function studyReviewed(overrides: Partial<StudyReviewedV1> & Pick<StudyReviewedV1, 'hospitalId' | 'studyId'>): StudyReviewedV1 {
  const occurredAt = overrides.occurredAt ?? new Date().toISOString();
  return {
    version: 1,
    reviewId: `rv${randomBytes(6).toString('hex')}`,
    finding: 'pneumonia',
    reviewedAt: occurredAt,
    occurredAt,
    ...overrides,
  };
}

export async function publishReview(h: Harness, event: StudyReviewedV1, msgID = messageIds.studyReviewed(event.reviewId)) {
  return h.js.publish(h.topology.subjects.studyReviewed(event.hospitalId), encodeEvent(StudyReviewedV1, event), { msgID });
}

export async function publishStudy(h: Harness, event: StudyCreatedV1, msgID = messageIds.studyCreated(event.studyId)) {
  return h.js.publish(h.topology.subjects.studyCreated(event.hospitalId), encodeEvent(StudyCreatedV1, event), { msgID });
}

export async function publishPrediction(
  h: Harness,
  event: PredictionCreatedV1,
  msgID = messageIds.prediction(event.studyId, event.modelVersion, event.shadow),
) {
  return h.js.publish(h.topology.subjects.predictionCreated(event.hospitalId), encodeEvent(PredictionCreatedV1, event), {
    msgID,
  });
}

/** Every TriageUpdatedV1 in the namespace's triage stream, with its stream sequence. */
export async function triageUpdates(h: Harness): Promise<(TriageUpdatedV1 & { seq: number })[]> {
  const info = await h.jsm.streams.info(h.topology.streams.triage);
  const events: (TriageUpdatedV1 & { seq: number })[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const msg = await h.jsm.streams.getMessage(h.topology.streams.triage, { seq });
    if (msg) events.push({ ...decodeEvent(TriageUpdatedV1, msg.data), seq });
  }
  return events;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, what = 'condition', timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

export const WORKLIST_QUERY = /* GraphQL */ `
  query Worklist($first: Int, $after: String, $hospitalIds: [ID!], $minRisk: Float, $status: [TriageStatus!]) {
    worklist(first: $first, after: $after, hospitalIds: $hospitalIds, minRisk: $minRisk, status: $status) {
      edges {
        cursor
        node { id hospitalId hospital { id } study { hospitalId id } status priority risk modelVersion receivedAt updatedAt }
      }
      pageInfo { endCursor hasNextPage }
      totalCount
    }
  }
`;

export interface WorklistNode {
  id: string;
  hospitalId: string;
  hospital: { id: string };
  study: { hospitalId: string; id: string };
  status: string;
  priority: number;
  risk: number | null;
  modelVersion: string | null;
  receivedAt: string;
  updatedAt: string;
}
export interface WorklistResult {
  worklist: {
    edges: { cursor: string; node: WorklistNode }[];
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
    totalCount: number;
  };
}

export function worklist(h: Harness, tokenValue: string, variables: Record<string, unknown> = {}) {
  return gql<WorklistResult>(h.graphqlUrl, WORKLIST_QUERY, variables, tokenValue);
}
