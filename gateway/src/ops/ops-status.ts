import { hasRole, type TokenVerifier } from '@triage/auth';
import type { Logger } from '@triage/logger';
import { bearerPrincipal } from '@triage/service-common';
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import type { HospitalRoute } from '../hospitals/hospital-registry.js';
import { serviceBase } from '../uploads/upload-proxy.js';
import { histogramQuantile, parsePrometheusText, type PrometheusText } from './prometheus-text.js';

export type ServiceKind = 'gateway' | 'directory' | 'hospital' | 'triage' | 'research' | 'worker';

/** One service instance the ops status polls: /readyz and /metrics under `base`. */
export interface OpsTarget {
  name: string;
  kind: ServiceKind;
  base: string;
  hospital?: Pick<HospitalRoute, 'id' | 'slug' | 'name'>;
}

export interface ServiceStatus {
  name: string;
  kind: ServiceKind;
  hospital?: string;
  /** Answered /readyz or /metrics at all. */
  up: boolean;
  ready: boolean;
  /** Names of the readiness checks that failed (never their messages, which may quote data). */
  failing: string[];
  uptimeSeconds: number | null;
  nodeVersion: string | null;
  /** Workers: the model version they score with. */
  modelVersion?: string | null;
  responseMs: number;
}

export interface OpsStatus {
  generatedAt: string;
  grafanaUrl: string | null;
  /** Seconds the rates and the latency percentile are measured over (0 on the first poll). */
  windowSeconds: number;
  numbers: {
    uploadsPerMinute: number | null;
    predictionsPerMinute: number | null;
    workerLag: number | null;
    deadLetters: number | null;
    endToEndP95Seconds: number | null;
    activeSubscriptions: number;
    activeModelVersion: string | null;
  };
  hospitals: {
    id: string;
    slug: string;
    name: string;
    up: boolean;
    uploaded: number;
    predicted: number;
    reviewed: number;
    deidentified: number;
  }[];
  services: ServiceStatus[];
}

export interface OpsStatusSettings {
  /** Everything to poll besides the gateway itself; hospitals come from the live registry. */
  targets: () => OpsTarget[];
  /** This gateway replica: its own registry and readiness, read in process. */
  self: { registry: Registry; ready: () => boolean };
  grafanaUrl?: string;
  timeoutMs: number;
  /** How far back rates and the latency percentile look. */
  windowMs?: number;
  /** Polls closer together than this share one answer (several admins, several tabs). */
  cacheMs?: number;
  log: Logger;
}

interface Polled {
  target: OpsTarget;
  status: ServiceStatus;
  metrics?: PrometheusText;
}

/** Counter readings kept per target, so a restart of one instance reads as a reset, not a drop. */
interface Snapshot {
  at: number;
  counters: Map<string, number>;
  latencyBuckets: Map<number, number>;
}

const STORED = { outcome: 'stored' };

/** The ops targets from configuration and the hospital registry. */
export function opsTargets(
  subgraphs: { directory: string; triage: string; research: string },
  workerUrls: string[],
  hospitals: () => HospitalRoute[],
): () => OpsTarget[] {
  return () => [
    { name: 'directory', kind: 'directory', base: serviceBase(subgraphs.directory) },
    ...hospitals()
      .map((h): OpsTarget => ({
        name: `hospital ${h.slug}`,
        kind: 'hospital',
        base: serviceBase(h.subgraphUrl),
        hospital: { id: h.id, slug: h.slug, name: h.name },
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    { name: 'triage', kind: 'triage', base: serviceBase(subgraphs.triage) },
    { name: 'research', kind: 'research', base: serviceBase(subgraphs.research) },
    ...workerUrls.map((url, i): OpsTarget => ({
      name: workerUrls.length > 1 ? `worker ${i + 1}` : 'worker',
      kind: 'worker',
      base: url.replace(/\/$/, ''),
    })),
  ];
}

/**
 * The ops page's data: every service's readiness, uptime and runtime, and the few numbers that
 * matter, computed from the services' own /metrics. Rates and the p95 come from the difference
 * between this poll and the oldest one inside the window, the way Prometheus' increase() does.
 * Carries counts and versions only: no patient data can reach it.
 */
export function createOpsStatus(settings: OpsStatusSettings) {
  const windowMs = settings.windowMs ?? 5 * 60_000;
  const cacheMs = settings.cacheMs ?? 1_000;
  const history: Snapshot[] = [];
  let cached: { at: number; answer: Promise<OpsStatus> } | undefined;

  async function get(url: string): Promise<{ status: number; body: string }> {
    const res = await fetch(url, { signal: AbortSignal.timeout(settings.timeoutMs) });
    return { status: res.status, body: await res.text() };
  }

  function describe(target: OpsTarget, metrics: PrometheusText | undefined, now: number) {
    const started = metrics?.max('process_start_time_seconds');
    return {
      uptimeSeconds: started === undefined ? null : Math.max(0, Math.round(now / 1000 - started)),
      nodeVersion: metrics?.series('nodejs_version_info')[0]?.labels.version ?? null,
    };
  }

  async function poll(target: OpsTarget): Promise<Polled> {
    const started = performance.now();
    const [ready, metrics] = await Promise.allSettled([
      get(`${target.base}/readyz`),
      get(`${target.base}/metrics`),
    ]);
    let parsed: PrometheusText | undefined;
    if (metrics.status === 'fulfilled' && metrics.value.status === 200) {
      try {
        parsed = parsePrometheusText(metrics.value.body);
      } catch (error) {
        settings.log.warn({ service: target.name, err: (error as Error).message }, 'unreadable /metrics');
      }
    }
    let body: { checks?: Record<string, string>; modelVersion?: string | null } = {};
    if (ready.status === 'fulfilled') {
      try {
        body = JSON.parse(ready.value.body) as typeof body;
      } catch {
        // a readiness answer without JSON still tells up/ready by its status
      }
    }
    const status: ServiceStatus = {
      name: target.name,
      kind: target.kind,
      ...(target.hospital && { hospital: target.hospital.slug }),
      up: ready.status === 'fulfilled' || !!parsed,
      ready: ready.status === 'fulfilled' && ready.value.status === 200,
      failing: Object.entries(body.checks ?? {})
        .filter(([, v]) => v !== 'ok')
        .map(([k]) => k),
      ...describe(target, parsed, Date.now()),
      ...(target.kind === 'worker' && { modelVersion: body.modelVersion ?? null }),
      responseMs: Math.round(performance.now() - started),
    };
    return { target, status, metrics: parsed };
  }

  function snapshot(polled: Polled[], at: number): Snapshot {
    const counters = new Map<string, number>();
    const latencyBuckets = new Map<number, number>();
    for (const { target, metrics } of polled) {
      if (!metrics) continue;
      if (target.kind === 'hospital')
        counters.set(`uploaded:${target.base}`, metrics.sum('ingest_images_total', STORED));
      if (target.kind === 'triage') {
        counters.set(`predicted:${target.base}`, metrics.sum('triage_predictions_stored_total'));
        for (const { le, count } of metrics.buckets('triage_end_to_end_seconds'))
          latencyBuckets.set(le, count);
      }
    }
    return { at, counters, latencyBuckets };
  }

  /** Sum of the increases of the counters named `prefix:*` between two snapshots (a drop is a restart). */
  function increase(from: Snapshot, to: Snapshot, prefix: string): number {
    let total = 0;
    for (const [key, value] of to.counters) {
      if (!key.startsWith(`${prefix}:`)) continue;
      const before = from.counters.get(key);
      total += before === undefined ? 0 : value >= before ? value - before : value;
    }
    return total;
  }

  function p95(from: Snapshot, to: Snapshot): number | null {
    const buckets = [...to.latencyBuckets.entries()]
      .map(([le, count]) => ({ le, count: count - (from.latencyBuckets.get(le) ?? 0) }))
      .sort((a, b) => a.le - b.le);
    // A restarted triage service resets its histogram: then the window starts at its restart.
    const usable = buckets.every((b) => b.count >= 0)
      ? buckets
      : [...to.latencyBuckets.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
    return histogramQuantile(0.95, usable) ?? null;
  }

  async function compute(): Promise<OpsStatus> {
    const now = Date.now();
    const targets = settings.targets();
    const self: Polled = await (async () => {
      const started = performance.now();
      const metrics = parsePrometheusText(await settings.self.registry.metrics());
      const ready = settings.self.ready();
      return {
        target: { name: 'gateway', kind: 'gateway', base: '' },
        metrics,
        status: {
          name: 'gateway',
          kind: 'gateway',
          up: true,
          ready,
          failing: ready ? [] : ['hospital registry or NATS'],
          ...describe({ name: 'gateway', kind: 'gateway', base: '' }, metrics, now),
          responseMs: Math.round(performance.now() - started),
        },
      };
    })();
    const polled = [self, ...(await Promise.all(targets.map(poll)))];

    const current = snapshot(polled, now);
    while (history.length > 1 && history[1]!.at <= now - windowMs) history.shift();
    const oldest = history[0];
    history.push(current);
    const seconds = oldest ? (now - oldest.at) / 1000 : 0;
    const perMinute = (prefix: string) =>
      oldest && seconds > 0 ? (increase(oldest, current, prefix) / seconds) * 60 : null;

    const of = (kind: ServiceKind) => polled.filter((p) => p.target.kind === kind);
    const workers = of('worker');
    const workerValues = (name: string) =>
      workers.map((w) => w.metrics?.max(name)).filter((v): v is number => v !== undefined);
    // Workers share one durable consumer, so they report the same lag: the largest reading is the freshest worst case.
    const maxOf = (values: number[]) => (values.length ? Math.max(...values) : null);
    const triage = of('triage')[0]?.metrics;

    return {
      generatedAt: new Date(now).toISOString(),
      grafanaUrl: settings.grafanaUrl ?? null,
      windowSeconds: Math.round(seconds),
      numbers: {
        uploadsPerMinute: perMinute('uploaded'),
        predictionsPerMinute: perMinute('predicted'),
        workerLag: maxOf(workerValues('inference_consumer_pending_messages')),
        deadLetters: maxOf(workerValues('inference_dead_letter_messages')),
        endToEndP95Seconds: oldest ? p95(oldest, current) : null,
        activeSubscriptions: self.metrics!.sum('gateway_subscriptions_active'),
        activeModelVersion:
          workers.find((w) => w.status.ready && w.status.modelVersion)?.status.modelVersion ?? null,
      },
      hospitals: of('hospital').map(({ target, metrics, status }) => ({
        id: target.hospital!.id,
        slug: target.hospital!.slug,
        name: target.hospital!.name,
        up: status.up,
        uploaded: metrics?.sum('ingest_images_total', STORED) ?? 0,
        predicted: triage?.sum('triage_predictions_stored_total', { hospital_id: target.hospital!.id }) ?? 0,
        reviewed: metrics?.sum('hospital_reviews_recorded_total') ?? 0,
        deidentified: metrics?.sum('hospital_deidentified_total') ?? 0,
      })),
      services: polled.map((p) => p.status),
    };
  }

  return {
    /** The current status; concurrent callers within `cacheMs` share one poll. */
    status(): Promise<OpsStatus> {
      const now = Date.now();
      if (!cached || now - cached.at >= cacheMs) {
        const answer = compute();
        cached = { at: now, answer };
        answer.catch(() => (cached = undefined));
      }
      return cached.answer;
    },
  };
}

export type OpsStatusSource = ReturnType<typeof createOpsStatus>;

/** GET /ops/status: administrators only, verified like every other gateway request. */
export function mountOpsRoutes(
  app: Express,
  { verifier, ops, log }: { verifier: TokenVerifier; ops: OpsStatusSource; log: Logger },
): void {
  app.get('/ops/status', async (req, res) => {
    res.set('cache-control', 'no-store');
    const { principal, error } = await bearerPrincipal(verifier, req);
    if (error || !principal) {
      res
        .status(401)
        .json({ error: 'UNAUTHENTICATED', message: error?.message ?? 'A valid bearer token is required' });
      return;
    }
    if (!hasRole(principal, ['admin'])) {
      res.status(403).json({ error: 'FORBIDDEN', message: 'The ops status is for administrators' });
      return;
    }
    try {
      res.json(await ops.status());
    } catch (e) {
      log.error({ err: (e as Error).message }, 'ops status failed');
      res
        .status(500)
        .json({ error: 'INTERNAL_SERVER_ERROR', message: 'The ops status could not be computed' });
    }
  });
}
