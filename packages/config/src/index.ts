import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment against a zod schema and reports every problem at once. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** For `env.ts` modules at process start: print every problem and exit 1 instead of throwing. */
export function loadEnvOrExit<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  try {
    return parseEnv(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** Reusable field schemas, so every service spells its variables the same way. */
export const envFields = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: () => z.string().url(),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  list: () =>
    z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
};

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional());

/**
 * OpenTelemetry trace export, shared by every service's env.ts under the standard OTEL_* names.
 * Without an endpoint spans are not exported (trace ids are still made, propagated and logged).
 */
export const telemetryEnvShape = {
  /** Collector base URL; traces go to `<endpoint>/v1/traces` (OTLP/HTTP, JSON). */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /** Full traces URL; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  /** `key=value,key2=value2` sent with every export (a hosted collector's API key). */
  OTEL_EXPORTER_OTLP_HEADERS: z.string().default(''),
};

export interface TelemetryConfig {
  tracesEndpoint?: string;
  exporterHeaders: Record<string, string>;
}

export function telemetryFromEnv(env: {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_HEADERS: string;
}): TelemetryConfig {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const exporterHeaders: Record<string, string> = {};
  for (const pair of env.OTEL_EXPORTER_OTLP_HEADERS.split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) exporterHeaders[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return { tracesEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined), exporterHeaders };
}
export * from './lifecycle.js';
