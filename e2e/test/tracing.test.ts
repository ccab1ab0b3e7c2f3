import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@triage/logger';
import { OtlpReceiver, type ReceivedSpan } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { FeedClient, FEED } from '../../gateway/test/support/feed-client.js';
import { Pipeline } from './support/pipeline.js';

type Line = Record<string, unknown> & { msg?: string; trace_id?: string; span_id?: string };

/** A service's own log destination: every JSON line it writes, parsed. */
function capturedLogger(service: string): { log: Logger; lines: Line[]; raw: string[] } {
  const lines: Line[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n').filter(Boolean)) {
        raw.push(text);
        lines.push(JSON.parse(text) as Line);
      }
      done();
    },
  });
  // debug: the per-study lines (worker scored it, triage projected it, gateway fanned it out).
  return { log: createLogger({ service, level: 'debug', destination }), lines, raw };
}

const SERVICES = ['gateway', 'hospital', 'worker', 'triage'] as const;
const EXPORTED_AS: Record<(typeof SERVICES)[number], string> = {
  gateway: 'gateway',
  hospital: 'subgraph-hospital',
  worker: 'inference-worker',
  triage: 'subgraph-triage',
};

describe("one uploaded study's trace", () => {
  let receiver: OtlpReceiver;
  let pipeline: Pipeline;
  let stopped = false;
  const captured = Object.fromEntries(SERVICES.map((s) => [s, capturedLogger(s)])) as Record<
    (typeof SERVICES)[number],
    ReturnType<typeof capturedLogger>
  >;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    pipeline = await Pipeline.start(
      {},
      {
        logs: { gateway: captured.gateway.log, hospital: captured.hospital.log, triage: captured.triage.log },
        workerLog: captured.worker.log,
        serviceEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      },
    );
  });
  afterAll(async () => {
    if (!stopped) await pipeline?.stop();
    await receiver?.stop();
  });

  it('follows one uploaded study through every service: its trace id in their logs, their spans in one exported trace, no PHI', { timeout: 120_000 }, async () => {
    const p = pipeline.platform;
    const slug = 'st-marys';
    const tech = await p.login(`tech.${slug}@demo.local`);
    const doctor = await p.login(`doctor.${slug}@demo.local`);
    const feed = new FeedClient(p.gatewayUrl, doctor).subscribe(FEED);
    // The feed is live once an unrelated event could reach it; give the socket a moment to subscribe.
    await new Promise((r) => setTimeout(r, 500));

    // The technician's client starts the trace ("upload a study") and sends it with both requests.
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const patient = { mrn: `TRACE-${randomBytes(4).toString('hex')}`, name: 'Philippa Tracewell', birthDate: '1961-07-15', sex: 'FEMALE' };
    const created = await fetch(`${p.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tech}`, traceparent },
      body: JSON.stringify({
        query:
          'mutation Upload($h: ID!, $input: CreateStudyUploadInput!) { createStudyUpload(hospitalId: $h, input: $input) { uploadUrl study { id } } }',
        variables: { h: p.hospital(slug).id, input: { patient } },
      }),
    });
    const { data } = (await created.json()) as { data: { createStudyUpload: { uploadUrl: string; study: { id: string } } } };
    const studyId = data.createStudyUpload.study.id;
    const put = await fetch(`${p.gatewayUrl}${new URL(data.createStudyUpload.uploadUrl).pathname}`, {
      method: 'PUT',
      headers: { traceparent },
      body: new Uint8Array(readFileSync(sampleFiles()[3]!)),
    });
    expect(put.status).toBe(201);

    // Scored, on the worklist, and delivered to the doctor's subscription.
    await feed.until(
      () => feed.events.some((e) => e.item.id.endsWith(studyId) && e.item.status === 'WAITING'),
      'the scored study on the live feed',
      60_000,
    );
    await feed.dispose();
    // Stopping flushes every service's span exporter, so the receiver holds the whole trace.
    stopped = true;
    await pipeline.stop();

    // Every service wrote lines about this study under the one trace id.
    const studyLines = (service: (typeof SERVICES)[number]) =>
      captured[service].lines.filter((l) => l.studyId === studyId);
    const tracedLines = (service: (typeof SERVICES)[number]) => captured[service].lines.filter((l) => l.trace_id === traceId);
    expect(studyLines('hospital').find((l) => l.msg === 'study image stored')?.trace_id).toBe(traceId);
    expect(studyLines('worker').find((l) => l.msg === 'study scored')?.trace_id).toBe(traceId);
    expect(studyLines('triage').find((l) => l.msg === 'prediction projected onto the worklist')?.trace_id).toBe(traceId);
    const fanOut = studyLines('gateway').filter((l) => l.msg === 'fanning out a triage event to subscribers');
    expect(fanOut.map((l) => l.status)).toEqual(expect.arrayContaining(['AWAITING_PREDICTION', 'WAITING']));
    for (const line of fanOut) expect(line.trace_id).toBe(traceId);
    expect(tracedLines('gateway').some((l) => l.msg === 'forwarded' && l.status === 201)).toBe(true);
    // No line about this study escaped the trace (each service logged it only inside its spans).
    for (const service of SERVICES) {
      expect(tracedLines(service).length, service).toBeGreaterThan(0);
      for (const line of studyLines(service)) expect(line.trace_id, `${service}: ${line.msg}`).toBe(traceId);
    }

    // Every service exported spans of that trace, and the spans form one tree.
    const spans = receiver.trace(traceId);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set([...SERVICES.map((s) => EXPORTED_AS[s]), 'directory']));
    expect(receiver.refused).toEqual([]);
    const named = (service: string, name: string | RegExp) =>
      spans.filter((s) => s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name)));
    expect(named('gateway', 'PUT /uploads/:hospitalId/:token')).toHaveLength(1);
    expect(named('subgraph-hospital', 'PUT /uploads/:token')).toHaveLength(1);
    expect(named('subgraph-hospital', 'outbox publish').length).toBeGreaterThanOrEqual(2); // registered, then image stored
    expect(named('inference-worker', 'prepare study').length).toBeGreaterThanOrEqual(1);
    expect(named('inference-worker', 'publish prediction')).toHaveLength(1);
    expect(named('subgraph-triage', /^process /).length).toBeGreaterThanOrEqual(2); // study registered, prediction
    expect(named('gateway', 'triage event fan-out').length).toBeGreaterThanOrEqual(2);
    // The subscription's enrichment reached the subgraphs inside the same trace.
    expect(named('subgraph-triage', 'POST /graphql').length).toBeGreaterThanOrEqual(1);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const roots = spans.filter((s) => !s.parentSpanId || !byId.has(s.parentSpanId));
    // Only the client's (unexported) span is outside: every exported root hangs off its traceparent.
    expect(new Set(roots.map((s) => s.parentSpanId))).toEqual(new Set([traceparent.split('-')[2]]));
    // The ONNX batch that scored the study is its own span, linked to the study's.
    const studySpans = new Set(named('inference-worker', 'prepare study').map((s) => s.spanId));
    const batch = receiver.spans.find(
      (s: ReceivedSpan) => s.name === 'onnx batch' && s.links.some((l) => l.traceId === traceId && studySpans.has(l.spanId)),
    );
    expect(batch?.service).toBe('inference-worker');

    // No PHI of the uploaded patient anywhere: not in log lines, not in span names or attributes.
    const everything = [...SERVICES.flatMap((s) => captured[s].raw), JSON.stringify(receiver.spans)].join('\n');
    for (const phi of [patient.name, 'Tracewell', patient.mrn, patient.birthDate]) expect(everything).not.toContain(phi);
  });
});
