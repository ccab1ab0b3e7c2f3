import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanOptions,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

export { context, propagation, SpanKind, SpanStatusCode, trace };
export type { Attributes, Context, Link, Span, SpanOptions, Tracer };

export interface TelemetrySettings {
  /** `service.name` of every span this service exports. */
  service: string;
  serviceVersion?: string;
  /** Full OTLP/HTTP traces URL (`.../v1/traces`); without it spans are created but not exported. */
  tracesEndpoint?: string;
  /** Extra headers for the exporter (a hosted collector's API key). */
  exporterHeaders?: Record<string, string>;
  /** Extra resource attributes (e.g. the hospital an instance serves). */
  attributes?: Attributes;
  /**
   * Also serve libraries that trace through the global `@opentelemetry/api` (Apollo Gateway's
   * plan and fetch spans). One provider per process can be global: the first that asks.
   */
  global?: boolean;
}

export interface Telemetry {
  readonly service: string;
  readonly tracer: Tracer;
  /** Whether spans leave the process (an OTLP endpoint is configured). */
  readonly exporting: boolean;
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Flushes and stops exporting; the tracer keeps working (ids, propagation) without export. */
  shutdown(): Promise<void>;
}

let propagationInstalled = false;
let globalProvider: object | undefined;

/**
 * Process-wide and idempotent: an AsyncLocalStorage context manager (the active span follows
 * awaits and callbacks) and W3C trace-context propagation (`traceparent` / `tracestate`).
 */
export function installPropagation(): void {
  if (propagationInstalled) return;
  propagationInstalled = true;
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/**
 * Tracing for one service. Every call installs propagation (once per process) and creates the
 * service's own tracer provider, so several services in one process (the tests) each export
 * spans under their own `service.name`; the service's code gets its tracer explicitly.
 * Spans always get ids and always propagate, so logs carry trace ids even when nothing exports;
 * they are recorded only when the service exports or the trace was sampled upstream.
 */
export function initTelemetry(settings: TelemetrySettings): Telemetry {
  installPropagation();
  const exporting = Boolean(settings.tracesEndpoint);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.service,
      ...(settings.serviceVersion ? { [ATTR_SERVICE_VERSION]: settings.serviceVersion } : {}),
      ...settings.attributes,
    }),
    // A service that exports records every trace it starts. One that does not starts its traces
    // unsampled: their spans still get ids (logs carry them, traceparent propagates them) but are
    // not recorded, which is pure cost when nothing exports. A trace sampled upstream is recorded
    // either way, as W3C trace context asks. Configure the exporter on every service, or traces that
    // start at one without it are not recorded downstream either.
    sampler: new ParentBasedSampler({ root: exporting ? new AlwaysOnSampler() : new AlwaysOffSampler() }),
    spanProcessors: exporting
      ? [
          new BatchSpanProcessor(
            new OTLPTraceExporter({ url: settings.tracesEndpoint, headers: settings.exporterHeaders }),
            { scheduledDelayMillis: 1_000 },
          ),
        ]
      : [],
  });
  if (settings.global && !globalProvider && trace.setGlobalTracerProvider(provider)) globalProvider = provider;
  let stopped = false;
  return {
    service: settings.service,
    tracer: provider.getTracer(settings.service, settings.serviceVersion),
    exporting,
    flush: () => provider.forceFlush(),
    async shutdown() {
      if (stopped) return;
      stopped = true;
      if (globalProvider === provider) {
        trace.disable();
        globalProvider = undefined;
      }
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Carriers

type HeaderValue = string | string[] | number | undefined;

const recordGetter: TextMapGetter<Record<string, HeaderValue>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    return typeof value === 'number' ? String(value) : value;
  },
};

const recordSetter: TextMapSetter<Record<string, HeaderValue>> = {
  set: (carrier, key, value) => void (carrier[key] = value),
};

/** Adds `traceparent` (and `tracestate`) of `ctx` to an HTTP header object; returns it. */
export function injectHttpHeaders<T extends Record<string, HeaderValue>>(headers: T, ctx: Context = context.active()): T {
  propagation.inject(ctx, headers, recordSetter);
  return headers;
}

/** Sets the trace headers on anything with `set(name, value)` (fetch `Headers`, Apollo's request headers). */
export function injectHeaderSetter(target: { set(name: string, value: string): unknown }, ctx: Context = context.active()): void {
  propagation.inject(ctx, target, { set: (carrier, key, value) => void carrier.set(key, value) });
}

/** The remote parent named by incoming HTTP headers (Node's lower-cased `IncomingHttpHeaders`). */
export function extractHttpHeaders(headers: Record<string, HeaderValue>, ctx: Context = ROOT_CONTEXT): Context {
  return propagation.extract(ctx, headers, recordGetter);
}

const natsSetter: TextMapSetter<MsgHdrs> = { set: (carrier, key, value) => carrier.set(key, value) };
const natsGetter: TextMapGetter<MsgHdrs> = {
  keys: (carrier) => carrier.keys(),
  get: (carrier, key) => (carrier.has(key) ? carrier.get(key) : undefined),
};

/**
 * NATS message headers carrying the context (default: the active one), to publish an event as a
 * continuation of the current trace. Adds to `into` when given.
 */
export function natsTraceHeaders(ctx: Context = context.active(), into: MsgHdrs = natsHeaders()): MsgHdrs {
  propagation.inject(ctx, into, natsSetter);
  return into;
}

/** The context a NATS message was published in (its headers), or the root context. */
export function natsMessageContext(msgHeaders: MsgHdrs | undefined): Context {
  return msgHeaders ? propagation.extract(ROOT_CONTEXT, msgHeaders, natsGetter) : ROOT_CONTEXT;
}

/** Serialisable form of a context (`{ traceparent, tracestate? }`), e.g. to store with an outbox row. */
export function serializeContext(ctx: Context = context.active()): Record<string, string> | null {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier, { set: (c, k, v) => void (c[k] = v) });
  return carrier.traceparent ? carrier : null;
}

/** The context stored by `serializeContext`. */
export function deserializeContext(carrier: Record<string, string> | null | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier, recordGetter) : ROOT_CONTEXT;
}

// ---------------------------------------------------------------------------------------------
// Spans

/** The active span's ids, for log lines and responses; undefined outside a valid span. */
export function activeTraceIds(ctx: Context = context.active()): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/**
 * Runs `fn` in a new active span (child of `options.parent`, else of the active context) and ends
 * it: an error marks the span and is rethrown. Span names and attributes must never carry PHI.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions & { parent?: Context },
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  const { parent, ...spanOptions } = options;
  return tracer.startActiveSpan(name, spanOptions, parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with the error's type only: messages can quote data (SQL values, names). */
export function recordError(span: Span, error: unknown): void {
  const name = (error as Error)?.name ?? 'Error';
  span.setStatus({ code: SpanStatusCode.ERROR, message: name });
  span.setAttribute('error.type', name);
}

/** A tracer for code given none: the global provider's when one is registered, else a no-op that still propagates. */
export function fallbackTracer(name: string): Tracer {
  return trace.getTracer(name);
}

// ---------------------------------------------------------------------------------------------
// HTTP servers

interface TracedRequest {
  method?: string;
  url?: string;
  headers: Record<string, HeaderValue>;
  route?: { path?: unknown };
  baseUrl?: string;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}
interface TracedResponse {
  statusCode: number;
  on(event: 'finish' | 'close', listener: () => void): unknown;
}

/** Probes and scrapes: every few seconds per replica, they would bury the traces that matter. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Express/connect middleware: one SERVER span per request (health checks and metrics scrapes excepted), child of the caller's `traceparent`,
 * active for everything the request does (including body parsing callbacks). Named by route
 * pattern, never by raw path (paths carry ids and upload tokens).
 */
export function httpServerTracing(tracer: Tracer) {
  return (req: TracedRequest, res: TracedResponse, next: (error?: unknown) => void): void => {
    if (UNTRACED_PATHS.has((req.url ?? '').split('?')[0]!)) return next();
    const parent = extractHttpHeaders(req.headers);
    const method = req.method ?? 'GET';
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent);
    const active = trace.setSpan(parent, span);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = req.route?.path ? `${req.baseUrl ?? ''}${String(req.route.path)}` : req.baseUrl || undefined;
      if (route) {
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.on('finish', end);
    res.on('close', end);
    // Stream events (the request body) fire outside this call; bind them to the request's context.
    context.bind(active, req as unknown as NodeJS.EventEmitter);
    context.bind(active, res as unknown as NodeJS.EventEmitter);
    context.with(active, () => next());
  };
}
