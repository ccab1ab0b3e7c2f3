import { context, trace } from '@opentelemetry/api';
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Keys that may carry patient data. Anything logged under these paths is censored, so a careless
 * `log.info({ patient })` cannot leak PHI. Logging code should still never pass patient objects.
 */
export const PHI_REDACT_PATHS = [
  'name',
  'patientName',
  'birthDate',
  'mrn',
  'password',
  'token',
  'authorization',
  'apiKey',
  '*.name',
  '*.patientName',
  '*.birthDate',
  '*.mrn',
  '*.password',
  '*.token',
  '*.apiKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'variables',
  '*.variables',
];

export interface LoggerSettings {
  service: string;
  level?: LoggerOptions['level'];
  destination?: pino.DestinationStream;
}

/**
 * The ids of the span active where a line is written (W3C hex, as trace backends show them), so
 * every line of one study's journey can be found by its trace id. Empty outside a span.
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

export function createLogger({ service, level = 'info', destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    mixin: traceFields,
    redact: { paths: PHI_REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
