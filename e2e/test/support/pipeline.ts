import { existsSync, readFileSync } from 'node:fs';
import { createLogger, type Logger } from '@triage/logger';
import { committedModel, publishModel } from '@triage/model';
import { connectNats } from '@triage/nats';
import { createWorker, onnxModelLoader, parseWorkerConfig, type Worker } from '@triage/inference-worker';
import { TEST_NATS_URL } from '@triage/testing';
import { Platform, type PlatformOptions } from '../../../gateway/test/support/platform.js';
import { tinyModel } from '../../../inference-worker/test/support/harness.js';

export { Platform };

/** The model the platform ships (research/models) when present, else a tiny test model. */
export async function shippedOrTinyModel(): Promise<{ bytes: Uint8Array; version: string }> {
  try {
    const committed = await committedModel();
    if (existsSync(committed.path)) return { bytes: new Uint8Array(readFileSync(committed.path)), version: committed.version };
  } catch {
    // not trained yet
  }
  return { bytes: tinyModel('e2e-tiny'), version: 'e2e-tiny' };
}

/** The platform plus the inference worker and an active model: upload -> prediction -> worklist. */
export class Pipeline {
  worker!: Worker;
  model!: { bytes: Uint8Array; version: string };
  constructor(readonly platform: Platform) {}

  /**
   * `workerPort`: a fixed port for the worker's HTTP endpoints, for a gateway configured with WORKER_URLS;
   * `logs`, `workerLog`: loggers per service; `serviceEnv`: environment of every service (OTEL_*);
   * `inProcessGateway`, `inProcessWorker`: false when the caller runs them as processes of their own.
   */
  static async start(
    gatewayEnv: Record<string, string> = {},
    options: Pick<PlatformOptions, 'logs' | 'serviceEnv' | 'inProcessGateway'> & {
      workerPort?: number;
      workerLog?: Logger;
      inProcessWorker?: boolean;
    } = {},
  ): Promise<Pipeline> {
    const pipeline = new Pipeline(
      await Platform.start(undefined, { gatewayEnv, logs: options.logs, serviceEnv: options.serviceEnv, inProcessGateway: options.inProcessGateway }),
    );
    await pipeline.boot(options.workerPort ?? 0, options.workerLog, options.serviceEnv ?? {}, options.inProcessWorker ?? true);
    return pipeline;
  }

  private async boot(workerPort: number, workerLog: Logger | undefined, serviceEnv: Record<string, string>, inProcessWorker: boolean) {
    this.model = await shippedOrTinyModel();
    const nc = await connectNats({ url: TEST_NATS_URL, name: 'e2e-model' });
    await publishModel(nc, this.platform.topology, this.model.bytes);
    await nc.close();
    if (!inProcessWorker) return;
    this.worker = createWorker(
      parseWorkerConfig({
        PORT: String(workerPort),
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: this.platform.ns,
        WORKER_ACK_WAIT_MS: '5000',
        ...serviceEnv,
      }),
      {
        log: workerLog ?? createLogger({ service: 'e2e-worker', level: (process.env.TEST_LOG_LEVEL as 'warn' | undefined) ?? 'silent' }),
        loadModel: onnxModelLoader(1),
      },
    );
    await this.worker.start();
  }

  async stop() {
    await this.worker?.stop().catch(() => undefined);
    await this.platform.stop();
  }
}

export interface UploadAnswer {
  status: number;
  body: Record<string, unknown>;
  studyId: string;
}

let mrnCounter = 0;

/** A technician's upload through the gateway: createStudyUpload, then PUT to the signed URL. */
export async function uploadThroughGateway(
  platform: Platform,
  slug: string,
  token: string,
  bytes: Uint8Array,
  patient: Record<string, unknown> | null = { mrn: `E2E-${Date.now()}-${++mrnCounter}`, name: 'E2E Patient', birthDate: '2016-03-04', sex: 'FEMALE' },
): Promise<UploadAnswer> {
  const res = await platform.query(
    'mutation U($h: ID!, $input: CreateStudyUploadInput!) { createStudyUpload(hospitalId: $h, input: $input) { uploadUrl study { id } } }',
    { h: platform.hospital(slug).id, input: patient ? { patient } : {} },
    token,
  );
  if (!res.data) throw new Error(`createStudyUpload failed: ${JSON.stringify(res.errors)}`);
  // The signed URL names the public gateway origin; in tests the gateway listens elsewhere.
  const signed = new URL(res.data.createStudyUpload.uploadUrl as string);
  const url = `${platform.gatewayUrl}${signed.pathname}`;
  const put = await fetch(url, { method: 'PUT', body: bytes });
  const text = await put.text();
  return { status: put.status, body: text ? JSON.parse(text) : {}, studyId: res.data.createStudyUpload.study.id as string };
}
