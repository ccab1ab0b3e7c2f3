/** The gateway's GET /ops/status answer (gateway/src/ops/ops-status.ts), and how the page shows it. */

export type ServiceKind = 'gateway' | 'directory' | 'hospital' | 'triage' | 'research' | 'worker';

export interface ServiceStatus {
  name: string;
  kind: ServiceKind;
  hospital?: string;
  up: boolean;
  ready: boolean;
  failing: string[];
  uptimeSeconds: number | null;
  nodeVersion: string | null;
  modelVersion?: string | null;
  responseMs: number;
}

export interface OpsStatus {
  generatedAt: string;
  grafanaUrl: string | null;
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

export class OpsStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Fetches the status with the user's token; 401 and 403 become errors the page explains. */
export async function fetchOpsStatus(token: string, signal?: AbortSignal): Promise<OpsStatus> {
  const res = await fetch('/ops/status', { headers: { authorization: `Bearer ${token}` }, signal });
  if (!res.ok) {
    let message = `The gateway answered ${res.status}`;
    try {
      message = ((await res.json()) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status
    }
    throw new OpsStatusError(res.status, message);
  }
  return (await res.json()) as OpsStatus;
}

export type Health = 'ready' | 'not-ready' | 'down';

export function healthOf(service: Pick<ServiceStatus, 'up' | 'ready'>): Health {
  if (!service.up) return 'down';
  return service.ready ? 'ready' : 'not-ready';
}

export const HEALTH_LABELS: Record<Health, string> = {
  ready: 'Ready',
  'not-ready': 'Not ready',
  down: 'Unreachable',
};

/** "3 d 4 h", "2 h 5 min", "4 min 10 s", "12 s"; "—" when unknown. */
export function formatUptime(seconds: number | null): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** A per-minute rate with one decimal below 10; "—" until two polls exist. */
export function formatRate(perMinute: number | null): string {
  if (perMinute == null || !Number.isFinite(perMinute)) return '—';
  return perMinute < 10 ? (Math.round(perMinute * 10) / 10).toString() : Math.round(perMinute).toString();
}

export function formatSeconds(seconds: number | null): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  return seconds < 10 ? `${(Math.round(seconds * 100) / 100).toFixed(2)} s` : `${Math.round(seconds)} s`;
}

export function formatCount(value: number | null): string {
  return value == null || !Number.isFinite(value) ? '—' : Math.round(value).toLocaleString('en');
}

/** The Grafana dashboards the page links to (uids of deploy/grafana/dashboards/*.json). */
export const GRAFANA_DASHBOARDS = [
  { uid: 'triage-pipeline', title: 'Pipeline' },
  { uid: 'triage-inference', title: 'Inference worker' },
  { uid: 'triage-models', title: 'Models' },
  { uid: 'triage-gateway', title: 'Gateway' },
  { uid: 'triage-resources', title: 'Resources' },
] as const;

export function grafanaLink(base: string, uid: string): string {
  return `${base.replace(/\/+$/, '')}/d/${uid}`;
}
