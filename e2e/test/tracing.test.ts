import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@triage/logger';
import { eventually, freePort, OtlpReceiver, type ReceivedSpan } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { FeedClient, FEED } from '../../gateway/test/support/feed-client.js';
import { Pipeline } from './support/pipeline.js';
import { startResearch, type ResearchService } from './support/research.js';

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

const SERVICES = ['gateway', 'directory', 'hospital', 'worker', 'triage', 'research'] as const;
type Service = (typeof SERVICES)[number];
/** The services an upload passes through, and their names in the exported spans. */
const UPLOAD_PATH = ['gateway', 'hospital', 'worker', 'triage'] as const;
const EXPORTED_AS: Record<Service, string> = {
  gateway: 'gateway',
  directory: 'directory',
  hospital: 'subgraph-hospital',
  worker: 'inference-worker',
  triage: 'subgraph-triage',
  research: 'subgraph-research',
};
const newTraceparent = () => {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
};

describe("one uploaded study's trace", () => {
  let receiver: OtlpReceiver;
  let pipeline: Pipeline;
  let research: ResearchService | undefined;
  let stopped = false;
  const captured = Object.fromEntries(SERVICES.map((s) => [s, capturedLogger(s)])) as Record<
    Service,
    ReturnType<typeof capturedLogger>
  >;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    pipeline = await Pipeline.start(
      {},
      {
        logs: {
          gateway: captured.gateway.log,
          directory: captured.directory.log,
          hospital: captured.hospital.log,
          triage: captured.triage.log,
        },
        workerLog: captured.worker.log,
        serviceEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      },
    );
    research = await startResearch(pipeline.platform, await freePort(), {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      log: captured.research.log,
    });
  }, 240_000);
  afterAll(async () => {
    if (!stopped) {
      await research?.stop();
      await pipeline?.stop();
    }
    await receiver?.stop();
  });

  it(
    'follows one study through every service, upload and review: its trace ids in their logs, their spans in one exported trace per action, no PHI',
    { timeout: 300_000 },
    async () => {
      const p = pipeline.platform;
      const slug = 'st-marys';
      const tech = await p.login(`tech.${slug}@demo.local`);
      const doctor = await p.login(`doctor.${slug}@demo.local`);
      const feed = new FeedClient(p.gatewayUrl, doctor).subscribe(FEED);
      // The feed is live once an unrelated event could reach it; give the socket a moment to subscribe.
      await new Promise((r) => setTimeout(r, 500));

      // The technician's client starts the trace ("upload a study") and sends it with both requests.
      const { traceId, traceparent } = newTraceparent();
      const patient = {
        mrn: `TRACE-${randomBytes(4).toString('hex')}`,
        name: 'Philippa Tracewell',
        birthDate: '1961-07-15',
        sex: 'FEMALE',
      };
      const created = await fetch(`${p.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tech}`, traceparent },
        body: JSON.stringify({
          query:
            'mutation Upload($h: ID!, $input: CreateStudyUploadInput!) { createStudyUpload(hospitalId: $h, input: $input) { uploadUrl study { id } } }',
          variables: { h: p.hospital(slug).id, input: { patient } },
        }),
      });
      const { data } = (await created.json()) as {
        data: { createStudyUpload: { uploadUrl: string; study: { id: string } } };
      };
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

      // The doctor's finding is the next action, a trace of its own: recorded by the hospital, sent on
      // to triage, and de-identified (later, by the hospital's queue) for the research center.
      const review = newTraceparent();
      const reviewed = await fetch(`${p.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${doctor}`,
          traceparent: review.traceparent,
        },
        body: JSON.stringify({
          query:
            'mutation Review($h: ID!, $s: ID!) { recordReview(hospitalId: $h, studyId: $s, finding: PNEUMONIA) { id } }',
          variables: { h: p.hospital(slug).id, s: studyId },
        }),
      });
      expect(((await reviewed.json()) as { errors?: unknown }).errors).toBeUndefined();
      await eventually(
        async () => (research!.server.consumers.indexed === 1 ? true : undefined),
        120_000,
        'the example indexed by research',
      );

      // Stopping flushes every service's span exporter, so the receiver holds the whole trace.
      stopped = true;
      try {
        await research!.stop();
      } finally {
        await pipeline.stop();
      }

      // Every service wrote lines about this study under the one trace id.
      const studyLines = (service: Service) => captured[service].lines.filter((l) => l.studyId === studyId);
      const tracedLines = (service: Service, id = traceId) =>
        captured[service].lines.filter((l) => l.trace_id === id);
      expect(studyLines('hospital').find((l) => l.msg === 'study image stored')?.trace_id).toBe(traceId);
      expect(studyLines('worker').find((l) => l.msg === 'study scored')?.trace_id).toBe(traceId);
      expect(
        studyLines('triage').find((l) => l.msg === 'prediction projected onto the worklist')?.trace_id,
      ).toBe(traceId);
      const fanOut = studyLines('gateway').filter(
        (l) => l.msg === 'fanning out a triage event to subscribers',
      );
      expect(fanOut.map((l) => l.status)).toEqual(expect.arrayContaining(['AWAITING_PREDICTION', 'WAITING']));
      for (const line of fanOut) {
        expect(line.trace_id, String(line.status)).toBe(
          line.status === 'REVIEWED' ? review.traceId : traceId,
        );
      }
      expect(tracedLines('gateway').some((l) => l.msg === 'forwarded' && l.status === 201)).toBe(true);
      // No line about this study escaped a trace: each service logged it inside the upload's spans or
      // (after the finding) inside the review's.
      for (const service of UPLOAD_PATH) {
        expect(tracedLines(service).length, service).toBeGreaterThan(0);
        for (const line of studyLines(service)) {
          expect([traceId, review.traceId], `${service}: ${line.msg}`).toContain(line.trace_id);
        }
      }

      // Every service exported spans of that trace, and the spans form one tree.
      const spans = receiver.trace(traceId);
      expect(new Set(spans.map((s) => s.service))).toEqual(
        new Set([...UPLOAD_PATH.map((s) => EXPORTED_AS[s]), 'directory']),
      );
      expect(receiver.refused).toEqual([]);
      const named = (service: string, name: string | RegExp) =>
        spans.filter(
          (s) => s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name)),
        );
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
        (s: ReceivedSpan) =>
          s.name === 'onnx batch' && s.links.some((l) => l.traceId === traceId && studySpans.has(l.spanId)),
      );
      expect(batch?.service).toBe('inference-worker');

      // The review's trace: gateway -> hospital (recorded; de-identified later by its queue) -> NATS ->
      // triage (the study is reviewed) and research (the example is indexed), one tree again.
      expect(tracedLines('hospital', review.traceId).some((l) => l.msg === 'research example exported')).toBe(
        true,
      );
      expect(tracedLines('research', review.traceId).some((l) => l.msg === 'labeled example indexed')).toBe(
        true,
      );
      const reviewSpans = receiver.trace(review.traceId);
      expect(new Set(reviewSpans.map((s) => s.service))).toEqual(
        new Set(['gateway', 'subgraph-hospital', 'subgraph-triage', 'subgraph-research']),
      );
      expect(
        reviewSpans.filter((s) => s.service === 'subgraph-research' && /^process /.test(s.name)),
      ).not.toHaveLength(0);
      const reviewById = new Map(reviewSpans.map((s) => [s.spanId, s]));
      const reviewRoots = reviewSpans.filter((s) => !s.parentSpanId || !reviewById.has(s.parentSpanId));
      expect(new Set(reviewRoots.map((s) => s.parentSpanId))).toEqual(
        new Set([review.traceparent.split('-')[2]]),
      );
      // Every service that logged during the run put trace ids on its lines about this study.
      for (const service of SERVICES) {
        if (service === 'directory') continue; // knows hospitals and users, never studies
        expect(
          studyLines(service).length + tracedLines(service, review.traceId).length,
          service,
        ).toBeGreaterThan(0);
      }

      // No PHI of the uploaded patient anywhere: not in log lines, not in span names or attributes.
      expect(captured.directory.raw.length).toBeGreaterThan(0);
      const everything = [...SERVICES.flatMap((s) => captured[s].raw), JSON.stringify(receiver.spans)].join(
        '\n',
      );
      for (const phi of [patient.name, 'Tracewell', patient.mrn, patient.birthDate])
        expect(everything).not.toContain(phi);
    },
  );
});
