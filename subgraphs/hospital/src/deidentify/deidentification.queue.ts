import type { Logger } from '@triage/logger';
import type { Orm } from '@triage/service-common';
import { deserializeContext, fallbackTracer, withSpan, type Tracer } from '@triage/telemetry';
import { DeidentificationJob, DeidentificationJobStatus } from './deidentification-job.entity.js';
import { PermanentExportError } from './research-export.js';

export interface DeidentificationQueueSettings {
  orm: Orm;
  log: Logger;
  /** Does one job; throws to have it retried. */
  run(jobId: string): Promise<void>;
  maxAttempts: number;
  /** How often due jobs (retries, jobs left by a crash) are looked for, besides `wake()`. */
  pollIntervalMs?: number;
  /** A claimed job is not claimed again before this, in case the process dies while running it. */
  leaseMs?: number;
  /** Delay before attempt n+1 after n failed attempts. */
  retryDelayMs?: (attempts: number) => number;
  /** Each job runs in a span continuing the trace of the review that committed it. */
  tracer?: Tracer;
}

export interface DeidentificationQueue {
  start(): void;
  /** A job was committed: look now rather than at the next poll. */
  wake(): void;
  /** Works off every due job, one at a time; resolves when none is left (for tests and tools). */
  drain(): Promise<void>;
  /** Stops polling and waits for the job in progress. */
  stop(): Promise<void>;
}

const defaultRetryDelay = (attempts: number) => Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);

/**
 * The in-process worker of the deidentification_job table. One job at a time (OCR takes a core);
 * a job is claimed with `FOR UPDATE SKIP LOCKED` and a lease, so two replicas never run the same
 * job and a job whose process died runs again once its lease ends.
 */
export function createDeidentificationQueue({
  orm,
  log,
  run,
  maxAttempts,
  pollIntervalMs = 5_000,
  leaseMs = 10 * 60_000,
  retryDelayMs = defaultRetryDelay,
  tracer = fallbackTracer('deidentification'),
}: DeidentificationQueueSettings): DeidentificationQueue {
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | null = null;
  let again = false;

  type Claimed = { id: string; attempts: number; trace_context: Record<string, string> | null };
  async function claim(): Promise<Claimed | null> {
    const rows = await orm.em.fork().getConnection().execute<Claimed[]>(
      `update "deidentification_job" set "attempts" = "attempts" + 1, "next_attempt_at" = now() + (?::integer * interval '1 millisecond')
        where "id" = (
          select "id" from "deidentification_job"
           where "status" = 'PENDING' and "next_attempt_at" <= now()
           order by "next_attempt_at", "created_at" limit 1
           for update skip locked)
        returning "id", "attempts", "trace_context"`,
      [leaseMs],
    );
    return rows[0] ?? null;
  }

  async function fail(job: { id: string; attempts: number }, error: unknown): Promise<void> {
    const e = error as { name?: string; code?: string; stack?: string };
    const kind = [e?.name ?? 'Error', e?.code].filter(Boolean).join(' ');
    const final = job.attempts >= maxAttempts || error instanceof PermanentExportError;
    await orm.em.fork().nativeUpdate(
      DeidentificationJob,
      { id: job.id, status: DeidentificationJobStatus.PENDING },
      final
        ? { status: DeidentificationJobStatus.FAILED, lastError: kind, completedAt: new Date() }
        : { lastError: kind, nextAttemptAt: new Date(Date.now() + retryDelayMs(job.attempts)) },
    );
    // Error messages can quote data (names in a DICOM parse error, SQL values): type and stack only.
    log[final ? 'error' : 'warn'](
      { jobId: job.id, attempts: job.attempts, errorType: kind, stack: e?.stack?.split('\n').slice(1, 6).join('\n') },
      final ? 'de-identification job failed for good' : 'de-identification job failed; will retry',
    );
  }

  async function workOff(): Promise<void> {
    for (;;) {
      const job = await claim();
      if (!job) return;
      try {
        const attributes = { 'triage.deidentification.job_id': job.id, 'triage.deidentification.attempt': job.attempts };
        await withSpan(tracer, 'de-identify', { parent: deserializeContext(job.trace_context), attributes }, () => run(job.id));
      } catch (error) {
        await fail(job, error).catch((e: unknown) => log.error({ err: e }, 'recording a de-identification failure failed'));
      }
      if (!running) return;
    }
  }

  function kick(): Promise<void> {
    if (current) {
      again = true;
      return current;
    }
    current = workOff()
      .catch((error: unknown) => log.error({ err: error }, 'de-identification queue run failed'))
      .finally(() => {
        current = null;
        if (again && running) {
          again = false;
          void kick();
        }
      });
    return current;
  }

  const schedule = () => {
    timer = setTimeout(() => {
      if (!running) return;
      void kick().finally(() => running && schedule());
    }, pollIntervalMs);
  };

  return {
    start() {
      if (running) return;
      running = true;
      void kick(); // jobs left by a previous run
      schedule();
    },
    wake() {
      if (running) void kick();
    },
    async drain() {
      const wasRunning = running;
      running = true;
      try {
        while (current) await current;
        await kick();
      } finally {
        running = wasRunning;
      }
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      while (current) await current;
    },
  };
}
