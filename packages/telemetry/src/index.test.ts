import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createLogger } from '@triage/logger';
import { OtlpReceiver, TEST_NATS_URL, eventually, uniqueName } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeTraceIds,
  context,
  deserializeContext,
  extractHttpHeaders,
  httpServerTracing,
  initTelemetry,
  injectHttpHeaders,
  natsMessageContext,
  natsTraceHeaders,
  serializeContext,
  SpanKind,
  trace,
  withSpan,
  type Telemetry,
} from './index.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

function captureLines() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe('telemetry', () => {
  let receiver: OtlpReceiver;
  let publisher: Telemetry;
  let consumer: Telemetry;
  let nc: NatsConnection;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    publisher = initTelemetry({ service: 'test-publisher', tracesEndpoint: `${receiver.url}/v1/traces` });
    consumer = initTelemetry({ service: 'test-consumer', tracesEndpoint: `${receiver.url}/v1/traces` });
    nc = await connect({ servers: TEST_NATS_URL });
  });
  afterAll(async () => {
    await nc?.close();
    await publisher?.shutdown();
    await consumer?.shutdown();
    await receiver?.stop();
  });

  it('continues a trace across a real NATS message through its headers', async () => {
    const subject = `${uniqueName('otel')}.studies.created`;
    const sub = nc.subscribe(subject, { max: 1 });
    const received = (async () => {
      for await (const msg of sub) {
        return withSpan(consumer.tracer, 'consume', { kind: SpanKind.CONSUMER, parent: natsMessageContext(msg.headers) }, () => ({
          ids: activeTraceIds()!,
          parent: msg.headers?.get('traceparent'),
        }));
      }
      throw new Error('no message');
    })();
    const sent = await withSpan(publisher.tracer, 'publish', { kind: SpanKind.PRODUCER }, () => {
      nc.publish(subject, 'x', { headers: natsTraceHeaders() });
      return activeTraceIds()!;
    });
    const got = await received;

    expect(got.parent).toMatch(TRACEPARENT);
    expect(got.ids.traceId).toBe(sent.traceId);
    expect(got.ids.spanId).not.toBe(sent.spanId);

    // Both services exported their span of the one trace, the consumer's as a child of the publisher's.
    await publisher.flush();
    await consumer.flush();
    const spans = await eventually(async () => {
      const found = receiver.trace(sent.traceId);
      return found.length >= 2 ? found : undefined;
    }, 10_000, 'both spans exported');
    const publish = spans.find((s) => s.name === 'publish')!;
    const consume = spans.find((s) => s.name === 'consume')!;
    expect(publish.service).toBe('test-publisher');
    expect(consume.service).toBe('test-consumer');
    expect(consume.parentSpanId).toBe(publish.spanId);
    expect(receiver.refused).toEqual([]);
  });

  it('a message published outside any span starts no trace at the consumer', () => {
    expect(natsTraceHeaders(context.active()).has('traceparent')).toBe(false);
    expect(trace.getSpanContext(natsMessageContext(undefined))).toBeUndefined();
  });

  it('carries the context over HTTP: client headers in, a server span per request, ids in the handler', async () => {
    const seen: { traceId?: string; spanId?: string } = {};
    const middleware = httpServerTracing(consumer.tracer);
    const server = http.createServer((req, res) => {
      middleware(req, res, () => {
        // Body callbacks run later, from the socket: the request's context must still be active there.
        req.resume();
        req.on('end', () => {
          const ids = activeTraceIds();
          seen.traceId = ids?.traceId;
          seen.spanId = ids?.spanId;
          res.end('ok');
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/uploads/x`;
    try {
      const client = await withSpan(publisher.tracer, 'client', { kind: SpanKind.CLIENT }, async () => {
        const headers = injectHttpHeaders({} as Record<string, string>);
        expect(headers.traceparent).toMatch(TRACEPARENT);
        await (await fetch(url, { method: 'PUT', body: 'bytes', headers })).text();
        return activeTraceIds()!;
      });
      expect(seen.traceId).toBe(client.traceId);
      expect(seen.spanId).not.toBe(client.spanId);

      // Probes and scrapes get no span: nothing is active in their handler.
      await withSpan(publisher.tracer, 'probe', {}, async () => {
        await (await fetch(url.replace('/uploads/x', '/healthz'), { method: 'PUT', body: 'x', headers: injectHttpHeaders({}) })).text();
      });
      expect(seen.traceId).toBeUndefined();

      // Without a traceparent the server starts a trace of its own.
      await (await fetch(url, { method: 'PUT', body: 'bytes' })).text();
      expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(seen.traceId).not.toBe(client.traceId);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('extracts a caller-supplied traceparent and round-trips a stored context', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const ctx = extractHttpHeaders({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(trace.getSpanContext(ctx)?.traceId).toBe(traceId);
    const stored = JSON.parse(JSON.stringify(serializeContext(ctx)));
    expect(trace.getSpanContext(deserializeContext(stored))?.traceId).toBe(traceId);
    expect(serializeContext(context.active())).toBeNull();
  });

  it('puts the active trace and span ids on every log line, and still redacts PHI', async () => {
    const { lines, destination } = captureLines();
    const log = createLogger({ service: 'test', destination });
    log.info('outside any span');
    const ids = await withSpan(publisher.tracer, 'ingest', {}, async () => {
      await new Promise((r) => setTimeout(r, 5));
      log.info({ studyId: 's-1', patient: { name: 'Jane Roe', mrn: 'MRN-77', birthDate: '1970-01-01' } }, 'study stored');
      log.child({ component: 'outbox' }).info('published');
      return activeTraceIds()!;
    });
    expect(lines).toHaveLength(3);
    expect(lines[0]).not.toHaveProperty('trace_id');
    for (const line of lines.slice(1)) {
      expect(line.trace_id).toBe(ids.traceId);
      expect(line.span_id).toBe(ids.spanId);
    }
    const text = JSON.stringify(lines);
    expect(text).toContain('"studyId":"s-1"');
    for (const phi of ['Jane Roe', 'MRN-77', '1970-01-01']) expect(text).not.toContain(phi);
  });

  it('without an endpoint, spans still get ids and propagate but nothing is exported', async () => {
    const before = receiver.spans.length;
    const quiet = initTelemetry({ service: 'test-quiet' });
    expect(quiet.exporting).toBe(false);
    const ids = await withSpan(quiet.tracer, 'quiet', {}, () => activeTraceIds());
    expect(ids?.traceId).toMatch(/^[0-9a-f]{32}$/);
    await quiet.shutdown();
    await publisher.flush();
    expect(receiver.spans.slice(before).filter((s) => s.service === 'test-quiet')).toEqual([]);
  });
});
