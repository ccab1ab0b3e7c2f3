import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AckPolicy, DeliverPolicy, jetstream, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import {
  encodeEvent,
  InferenceDeadLetterV1,
  messageIds,
  natsTopology,
  PredictionCreatedV1,
  StudyCreatedV1,
} from '@triage/contracts';
import { createLogger, type Logger } from '@triage/logger';
import { PreprocessThreadError, renormalize, sameGeometry } from '@triage/model';
import {
  context,
  initTelemetry,
  natsMessageContext,
  natsTraceHeaders,
  SpanKind,
  trace,
  withSpan,
  type Context,
  type Span,
  type Telemetry,
} from '@triage/telemetry';
import { connectNats, ensureStreams, isNotFound, nanos, ObjectReader, type NatsConnection } from '@triage/nats';
import type { WorkerConfig } from './env.js';
import { createWorkerMetrics } from './metrics.js';
import { MicroBatcher } from './micro-batcher.js';
import { ACTIVE_KEY, RegisteredModel, SHADOW_KEY } from './model-registry.js';
import type { ModelLoader, ScoringModel } from './scoring-model.js';

/** A failure that retrying cannot fix (bad payload, undecodable image): straight to the DLQ. */
export class PermanentFailure extends Error {}

interface Job {
  msg: JsMsg;
  receivedAt: number;
  /** The study's own span (child of the hospital's publish) and the context it is active in. */
  span?: Span;
  trace?: Context;
}

interface Prepared {
  job: Job;
  /** The model whose input spec prepared the tensor; it also scores it, even across a swap. */
  model: ScoringModel;
  event: StudyCreatedV1;
  input: Float32Array;
  preprocessMs: number;
  queueMs: number;
}

export interface WorkerDeps {
  log?: Logger;
  nats?: NatsConnection;
  loadModel: ModelLoader;
  telemetry?: Telemetry;
}

/** Back-off for a transient failure: 1 s, 2 s, 4 s ... capped at 30 s. */
export const retryDelayMs = (deliveryCount: number) => Math.min(30_000, 1_000 * 2 ** Math.max(0, deliveryCount - 1));

/** Runs at most `limit` tasks at once; the rest wait their turn in order. */
class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export function createWorker(config: WorkerConfig, deps: WorkerDeps) {
  const log = deps.log ?? createLogger({ service: 'inference-worker', level: config.logLevel });
  const topology = natsTopology(config.nats.namespace);
  const telemetry = deps.telemetry ?? initTelemetry({ service: 'inference-worker', ...config.telemetry });
  const tracer = telemetry.tracer;
  const metrics = createWorkerMetrics();
  let nc = deps.nats;
  let activeModel: RegisteredModel | undefined;
  let shadowModel: RegisteredModel | undefined;
  let messages: ConsumerMessages | undefined;
  let consumer: Consumer | undefined;
  let batcher: MicroBatcher<Prepared> | undefined;
  const preprocessing = new Semaphore(config.preprocessConcurrency);
  const preparing = new Set<Promise<void>>();
  let lagTimer: NodeJS.Timeout | undefined;
  let consumeLoop: Promise<void> = Promise.resolve();
  let stopping = false;
  let images: ObjectReader | undefined;
  const server = http.createServer(async (req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
    } else if (req.url === '/readyz') {
      const model = activeModel?.current();
      const ready = !!model && !!nc && !nc.isClosed() && !stopping;
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ready ? 'ready' : 'not ready', modelVersion: model?.version ?? null }));
    } else if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
    } else {
      res.writeHead(404).end();
    }
  });

  async function deadLetter(job: Job, hospitalId: string, studyId: string | undefined, reason: string) {
    const js = jetstream(nc!);
    const payload = {
      version: 1 as const,
      hospitalId,
      studyId,
      reason: reason.slice(0, 2000),
      deliveries: job.msg.info.deliveryCount,
      stream: job.msg.info.stream,
      streamSequence: job.msg.info.streamSequence,
      occurredAt: new Date().toISOString(),
    };
    await js.publish(topology.subjects.inferenceDeadLetter(hospitalId), encodeEvent(InferenceDeadLetterV1, payload), {
      msgID: `dlq:${job.msg.info.stream}:${job.msg.info.streamSequence}`,
    });
    // NATS 2.9 ignores a term() that carries a reason (the message stays pending): send a bare term.
    job.msg.term();
    metrics.failed.inc({ kind: 'dead_letter' });
    log.warn({ hospitalId, studyId, reason, deliveries: payload.deliveries }, 'study sent to the dead-letter subject');
  }

  async function fail(job: Job, error: unknown, event?: StudyCreatedV1) {
    const reason = (error as Error)?.message ?? String(error);
    const hospitalId = event?.hospitalId ?? job.msg.subject.split('.').at(-2) ?? 'unknown';
    if (error instanceof PermanentFailure || job.msg.info.deliveryCount >= config.consumer.maxDeliveries) {
      await deadLetter(job, hospitalId, event?.studyId, reason);
    } else {
      metrics.failed.inc({ kind: 'transient' });
      log.warn({ hospitalId, studyId: event?.studyId, reason, deliveries: job.msg.info.deliveryCount }, 'retrying study later');
      job.msg.nak(retryDelayMs(job.msg.info.deliveryCount));
    }
  }

  async function prepare(job: Job, model: ScoringModel): Promise<Prepared | undefined> {
    const pickedUpAt = Date.now();
    let event: StudyCreatedV1;
    try {
      event = StudyCreatedV1.parse(job.msg.json());
    } catch (error) {
      await fail(job, new PermanentFailure(`invalid study event: ${(error as Error).message.slice(0, 500)}`));
      return undefined;
    }
    if (!event.image) {
      job.msg.ack(); // registered without pixels: nothing to score yet
      return undefined;
    }
    const started = performance.now();
    try {
      images ??= new ObjectReader(nc!);
      const bytes = await images.read(event.image.bucket, event.image.key);
      if (!bytes) throw new Error(`image ${event.image.key} not found in ${event.image.bucket}`);
      let input: Float32Array;
      try {
        input = await model.preprocess(bytes);
      } catch (error) {
        if (error instanceof PreprocessThreadError) throw error; // the thread died, not the image's fault: retry
        throw new PermanentFailure(`image could not be preprocessed: ${(error as Error).message}`);
      }
      const preprocessMs = performance.now() - started;
      metrics.preprocessSeconds.observe(preprocessMs / 1000);
      const storedAt = Number(job.msg.info.timestampNanos / 1_000_000);
      const queueMs = Math.max(0, pickedUpAt - storedAt);
      metrics.queueSeconds.observe(queueMs / 1000);
      return { job, model, event, input, preprocessMs, queueMs };
    } catch (error) {
      await fail(job, error, event);
      return undefined;
    }
  }

  /** Decoding runs as messages arrive (bounded); only the prepared tensors wait for a batch. */
  function accept(job: Job): void {
    const model = activeModel?.current();
    if (!model) {
      job.msg.nak(2_000);
      return;
    }
    // Each study gets a span continuing its event's trace, although it is scored in a shared batch.
    const parent = natsMessageContext(job.msg.headers);
    job.span = tracer.startSpan('prepare study', {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.destination.name': job.msg.subject, 'messaging.nats.stream_sequence': job.msg.seq },
    }, parent);
    job.trace = trace.setSpan(parent, job.span);
    const task = preprocessing
      .run(() => context.with(job.trace!, () => prepare(job, model)))
      .finally(() => job.span?.end())
      .then((prepared) => {
        // This task is still in `preparing`: others there will join a batch soon; without them, score now.
        if (prepared) batcher!.add(prepared, preparing.size > 1);
      });
    preparing.add(task);
    void task.finally(() => preparing.delete(task));
  }

  async function processBatch(batch: Prepared[]): Promise<void> {
    // A swap can leave two models in one batch: each tensor is scored by the model that prepared it.
    const byModel = new Map<ScoringModel, Prepared[]>();
    for (const p of batch) byModel.set(p.model, [...(byModel.get(p.model) ?? []), p]);
    for (const [model, prepared] of byModel) await scoreAndPublish(model, prepared);
  }

  async function scoreAndPublish(model: ScoringModel, prepared: Prepared[]): Promise<void> {
    metrics.batchSize.observe(prepared.length);
    let risks: number[];
    const inferStart = performance.now();
    try {
      // One run for many studies: its own span, linked to the span of every study in it.
      const links = prepared.flatMap((p) => (p.job.span ? [{ context: p.job.span.spanContext() }] : []));
      const attributes = { 'triage.model.version': model.version, 'triage.batch.size': prepared.length };
      risks = await withSpan(tracer, 'onnx batch', { links, attributes }, () => model.score(prepared.map((p) => p.input)));
    } catch (error) {
      for (const p of prepared) await fail(p.job, error, p.event);
      return;
    }
    const inferenceMs = performance.now() - inferStart;
    metrics.inferenceSeconds.observe({ model_version: model.version }, inferenceMs / 1000);
    const js = jetstream(nc!);
    const shadowRisks = await scoreShadow(model, prepared);
    await Promise.all(
      prepared.map((p, i) => context.with(p.job.trace ?? context.active(), () => withSpan(tracer, 'publish prediction', { kind: SpanKind.PRODUCER }, async () => {
        const risk = Math.min(1, Math.max(0, risks[i]!));
        const label = risk >= model.threshold ? 'pneumonia' : 'normal';
        try {
          const prediction: PredictionCreatedV1 = {
            version: 1,
            hospitalId: p.event.hospitalId,
            studyId: p.event.studyId,
            modelVersion: model.version,
            risk,
            label,
            threshold: model.threshold,
            shadow: false,
            timings: { queueMs: p.queueMs, preprocessMs: p.preprocessMs, inferenceMs: inferenceMs / prepared.length },
            occurredAt: new Date().toISOString(),
          };
          await js.publish(
            topology.subjects.predictionCreated(p.event.hospitalId),
            encodeEvent(PredictionCreatedV1, prediction),
            { msgID: messageIds.prediction(p.event.studyId, model.version), headers: natsTraceHeaders() },
          );
          log.debug(
            { hospitalId: p.event.hospitalId, studyId: p.event.studyId, modelVersion: model.version, risk, label, batchSize: prepared.length },
            'study scored',
          );
          if (shadowRisks) await publishShadow(shadowRisks.model, p, shadowRisks.risks[i]!);
          p.job.msg.ack();
          metrics.processed.inc({ model_version: model.version, label, role: 'active' });
          metrics.risk.observe({ model_version: model.version, role: 'active' }, risk);
        } catch (error) {
          await fail(p.job, error, p.event);
        }
      }))),
    );
  }

  /**
   * The shadow candidate scores the same images: the active model's tensors as they are, or
   * re-normalised when the candidate was trained with other normalisation statistics (a model
   * trained on more data almost always is). Another geometry (size, crop) cannot be derived from
   * them and is counted as shadow_input_mismatch. Failures never block the live prediction.
   */
  async function scoreShadow(active: ScoringModel, prepared: Prepared[]) {
    const shadow = shadowModel?.current();
    if (!shadow || shadow.version === active.version) return undefined;
    const same = shadow.inputSpecKey === active.inputSpecKey;
    if (!same && !sameGeometry(active.inputSpec, shadow.inputSpec)) {
      metrics.failed.inc({ kind: 'shadow_input_mismatch' });
      return undefined;
    }
    try {
      const started = performance.now();
      const inputs = prepared.map((p) => (same ? p.input : renormalize(p.input, active.inputSpec, shadow.inputSpec)));
      const risks = await shadow.score(inputs);
      metrics.inferenceSeconds.observe({ model_version: shadow.version }, (performance.now() - started) / 1000);
      return { model: shadow, risks };
    } catch (error) {
      metrics.failed.inc({ kind: 'shadow' });
      log.warn({ modelVersion: shadow.version, reason: (error as Error).message }, 'shadow scoring failed');
      return undefined;
    }
  }

  async function publishShadow(shadow: ScoringModel, p: Prepared, rawRisk: number) {
    const risk = Math.min(1, Math.max(0, rawRisk));
    const label = risk >= shadow.threshold ? 'pneumonia' : 'normal';
    try {
      const prediction: PredictionCreatedV1 = {
        version: 1,
        hospitalId: p.event.hospitalId,
        studyId: p.event.studyId,
        modelVersion: shadow.version,
        risk,
        label,
        threshold: shadow.threshold,
        shadow: true,
        timings: { queueMs: p.queueMs, preprocessMs: p.preprocessMs, inferenceMs: 0 },
        occurredAt: new Date().toISOString(),
      };
      await jetstream(nc!).publish(topology.subjects.predictionCreated(p.event.hospitalId), encodeEvent(PredictionCreatedV1, prediction), {
        msgID: messageIds.prediction(p.event.studyId, shadow.version, true),
        headers: natsTraceHeaders(),
      });
      metrics.processed.inc({ model_version: shadow.version, label, role: 'shadow' });
      metrics.risk.observe({ model_version: shadow.version, role: 'shadow' }, risk);
    } catch (error) {
      metrics.failed.inc({ kind: 'shadow' });
      log.warn({ modelVersion: shadow.version, reason: (error as Error).message }, 'shadow prediction not published');
    }
  }

  async function ensureConsumer(): Promise<Consumer> {
    const js = jetstream(nc!);
    const jsm = await js.jetstreamManager();
    const spec = {
      durable_name: config.consumer.name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: topology.subjects.allStudiesCreated,
      ack_wait: nanos(config.consumer.ackWaitMs),
      max_ack_pending: config.consumer.maxInFlight,
      max_deliver: -1,
    };
    try {
      await jsm.consumers.info(topology.streams.studies, config.consumer.name);
      await jsm.consumers.update(topology.streams.studies, config.consumer.name, {
        ack_wait: spec.ack_wait,
        max_ack_pending: spec.max_ack_pending,
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(topology.streams.studies, spec);
    }
    return js.consumers.get(topology.streams.studies, config.consumer.name);
  }

  async function refreshLag() {
    try {
      const info = await consumer!.info(false);
      metrics.consumerPending.set(info.num_pending);
      metrics.consumerAckPending.set(info.num_ack_pending);
      metrics.redelivered.set(info.num_redelivered);
    } catch {
      // the next refresh will try again
    }
    try {
      const jsm = await jetstream(nc!).jetstreamManager();
      metrics.deadLetters.set((await jsm.streams.info(topology.streams.deadLetters)).state.messages);
    } catch {
      // the next refresh will try again
    }
  }

  let address = '';
  return {
    metrics,
    url: () => address,
    model: () => activeModel?.current(),
    async start(): Promise<string> {
      nc ??= await connectNats({ url: config.nats.url, name: 'inference-worker', log });
      await ensureStreams(nc, topology);
      activeModel = new RegisteredModel(nc, topology, ACTIVE_KEY, deps.loadModel, log, () => metrics.modelSwaps.inc());
      shadowModel = new RegisteredModel(nc, topology, SHADOW_KEY, deps.loadModel, log);
      await Promise.all([activeModel.start(), shadowModel.start()]);
      await Promise.all([activeModel.settled(), shadowModel.settled()]);
      consumer = await ensureConsumer();
      batcher = new MicroBatcher<Prepared>(config.batching.maxBatch, config.batching.maxWaitMs, processBatch);
      messages = await consumer.consume({ max_messages: config.consumer.maxInFlight });
      const stream = messages;
      consumeLoop = (async () => {
        for await (const msg of stream) accept({ msg, receivedAt: Date.now() });
      })();
      lagTimer = setInterval(() => void refreshLag(), 2_000);
      lagTimer.unref();
      await new Promise<void>((resolve) => server.listen(config.http.port, config.http.host, resolve));
      address = `http://${config.http.host}:${(server.address() as AddressInfo).port}`;
      log.info({ url: address, modelVersion: activeModel.current()?.version ?? null }, 'inference worker started');
      return address;
    },
    /** Graceful drain: stop pulling, finish the batches in hand, then close. */
    async stop(): Promise<void> {
      stopping = true;
      if (lagTimer) clearInterval(lagTimer);
      await messages?.close();
      await consumeLoop.catch(() => undefined);
      await Promise.all(preparing);
      await batcher?.drain();
      activeModel?.stop();
      shadowModel?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!deps.nats) await nc?.drain();
      log.info('inference worker stopped');
      await telemetry.shutdown();
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
