import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { encodeEvent, messageIds, natsTopology, ResearchLabeledV1, type NatsTopology } from '@triage/contracts';
import { connectNats, destroyNamespace, openObjectStore, type NatsConnection } from '@triage/nats';
import {
  createTestDatabase,
  dropTestDatabase,
  gql,
  PhiScanner,
  tinyModel as makeTinyModel,
  TEST_DATABASE_SERVER,
  TEST_NATS_URL,
  TestIssuer,
  uniqueName,
} from '@triage/testing';
import sharp from 'sharp';
import { parseConfig, type ResearchConfig } from '../src/env.js';
import { LabeledExample } from '../src/labeled-example/labeled-example.entity.js';
import { createServer, type ResearchServer, type ResearchServerDeps } from '../src/server.js';

export interface Harness {
  server: ResearchServer;
  config: ResearchConfig;
  /** What createServer got: pass it again when a test restarts the server. */
  deps: ResearchServerDeps;
  /** Every response of the server is scanned for seeded patient data; stop() fails the file on a hit or when nothing was scanned. */
  phi: PhiScanner;
  baseUrl: string;
  graphqlUrl: string;
  issuer: TestIssuer;
  database: string;
  topology: NatsTopology;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  researcher: string;
  admin: string;
  doctor: string;
  /** Runs a GraphQL operation as the researcher (or with `token`). */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): ReturnType<typeof gql<T>>;
  stop(): Promise<void>;
}

/** A real research server on its own database and NATS namespace, with a real token issuer. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database = uniqueName('research');
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
  const phi = new PhiScanner();
  const deps: ResearchServerDeps = { responseTap: ({ method, path, status, body }) => phi.scan(body, `${method} ${path} ${status}`) };
  const server = await createServer(config, deps);
  const baseUrl = await server.start();
  const nc = await connectNats({ url: TEST_NATS_URL, name: 'research-test' });
  const researcher = await issuer.sign({ sub: 'researcher-1', roles: ['researcher'] });
  const harness: Harness = {
    server,
    config,
    deps,
    phi,
    baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    issuer,
    database,
    topology,
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    researcher,
    admin: await issuer.sign({ sub: 'admin-1', roles: ['admin'] }),
    // A doctor everywhere, and even a researcher *membership* at a hospital: still no platform role.
    doctor: await issuer.sign({
      sub: 'doctor-1',
      memberships: [
        { hospitalId: 'hosp', role: 'doctor' },
        { hospitalId: 'hosp2', role: 'technician' },
      ],
    }),
    gql: (query, variables = {}, token = researcher) => gql(`${baseUrl}/graphql`, query, variables, token),
    async stop() {
      await harness.server.stop();
      await destroyNamespace(nc, topology);
      await nc.close();
      await issuer.stop();
      await dropTestDatabase(database, TEST_DATABASE_SERVER);
      phi.assertClean();
    },
  };
  return harness;
}

/** Hospital ids are NATS subject tokens. */
export const hospitalId = (label: string) => `${label}${randomBytes(3).toString('hex')}`;
export const exampleId = () => `ex${randomBytes(6).toString('hex')}`;
export const pseudonym = () => randomBytes(16).toString('hex');
export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * A small de-identified film: a uniform grey `grey` (so its 28 x 28 reduction is all `grey`, and
 * the exported arrays show which example is which), landscape to exercise the center crop.
 */
export async function greyPng(grey: number, width = 40, height = 30): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toBuffer());
}

export interface ExampleSeed {
  hospitalId: string;
  finding: ResearchLabeledV1['finding'];
  grey?: number;
  model?: ResearchLabeledV1['model'];
  pseudonym?: string;
  exampleId?: string;
  occurredAt?: string;
  ageBand?: string | null;
  /** Skip storing the image (a missing image). */
  storeImage?: boolean;
}

/** Stores the image in the research bucket and returns the event exactly as a hospital publishes it. */
export async function labeledExample(h: Harness, seed: ExampleSeed): Promise<ResearchLabeledV1> {
  const id = seed.exampleId ?? exampleId();
  const png = await greyPng(seed.grey ?? 128);
  const key = `examples/${id}.png`;
  if (seed.storeImage ?? true) {
    const store = await openObjectStore(h.nc, h.topology.buckets.research);
    await store.putBlob({ name: key }, png);
  }
  return {
    version: 1,
    hospitalId: seed.hospitalId,
    exampleId: id,
    pseudonym: seed.pseudonym ?? pseudonym(),
    finding: seed.finding,
    model: seed.model === undefined ? null : seed.model,
    ageBand: seed.ageBand === undefined ? '40-49' : seed.ageBand,
    sex: 'FEMALE',
    studyYear: 2025,
    image: { bucket: h.topology.buckets.research, key, sha256: sha256(png), contentType: 'image/png', width: 40, height: 30 },
    deidentification: { method: 'dcmjs PS3.15 basic profile', textRegionsRemoved: 1 },
    occurredAt: seed.occurredAt ?? new Date().toISOString(),
  };
}

export async function publishLabeled(h: Harness, event: ResearchLabeledV1, msgID = messageIds.researchLabeled(event.exampleId)) {
  return h.js.publish(h.topology.subjects.researchLabeled(event.hospitalId), encodeEvent(ResearchLabeledV1, event), { msgID });
}

/** Publishes raw bytes on a research subject (for malformed events). */
export async function publishRaw(h: Harness, hospital: string, payload: unknown, msgID = `raw-${randomBytes(6).toString('hex')}`) {
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : new TextEncoder().encode(JSON.stringify(payload));
  return h.js.publish(h.topology.subjects.researchLabeled(hospital), data, { msgID });
}

export const indexedCount = (h: Harness) => h.server.orm.em.fork().count(LabeledExample, {});
export const processed = (h: Harness) => h.server.consumers.stats.labeled.ack + h.server.consumers.stats.labeled.term;

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what = 'condition',
  timeoutMs = 15_000,
): Promise<T> {
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

/** Publishes the events and waits until the consumer has handled all of them (ack or term). */
export async function publishAndWait(h: Harness, events: ResearchLabeledV1[]): Promise<void> {
  const before = processed(h);
  for (const event of events) await publishLabeled(h, event);
  await waitFor(() => processed(h) >= before + events.length, `${events.length} events processed`);
}

/** A real (tiny) ONNX model with the platform's metadata (see @triage/testing). */
export async function tinyModel(version: string, scale = 4, offset = 0): Promise<Uint8Array> {
  return makeTinyModel(version, scale, offset);
}

/** POST /models with the bytes as body. */
export async function uploadModel(h: Harness, bytes: Uint8Array, token: string | null = h.researcher) {
  const res = await fetch(`${h.baseUrl}/models`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: bytes,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
