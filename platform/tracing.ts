/**
 * OpenTelemetry tracing for every service: one trace from a client's request through the
 * gateway's plan, each subgraph fetch, each SQL statement, the outbox append, the relay's publish
 * and every consumer's handling, so a checkout is one trace from `checkoutComplete` to the payment
 * authorized and the stock committed.
 *
 * - Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set: then nothing is
 *   installed, `traced` calls its function straight away, and no hook is added anywhere.
 * - On: spans go out over OTLP/HTTP (JSON) in batches. The SDK reads the other standard variables
 *   itself (`OTEL_TRACES_SAMPLER`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_*`, ...).
 * - Each service has its own tracer provider, so its spans carry its own `service.name` even when
 *   several services share one process (`npm start`): the service a span belongs to is the one
 *   whose work is running, kept in the active context (`inService`) by the code that starts it (a
 *   request reaching the service, a consumer taking an event, a relay publishing).
 * - Context crosses HTTP in W3C `traceparent`/`tracestate` headers and events in their envelope's
 *   `traceContext`.
 */
import {
  context, createContextKey, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace,
  type Attributes, type Context, type Span, type Tracer,
} from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TracingConfig } from './config.ts'

export { SpanKind }

export interface TracingOptions {
  /** Where spans go: the collector's base URL (`/v1/traces` is appended) or its traces URL. */
  readonly endpoint: string
  /** True when `endpoint` is the traces URL itself (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). */
  readonly endpointIsTracesUrl?: boolean
  /** The services this process runs; `OTEL_SERVICE_NAME`, when set, names a process of one. */
  readonly services: readonly string[]
  /** Overrides the service name when the process runs one service. */
  readonly serviceName?: string | null
  /** Whose provider Apollo's own spans (and any library's) go to: the gateway when it is here. */
  readonly defaultService?: string
}

interface Installed {
  readonly providers: ReadonlyMap<string, NodeTracerProvider>
  readonly fallback: Tracer
}

let installed: Installed | null = null
const SERVICE = createContextKey('commerce.service')
const LIBRARY = 'commerce'

/** Whether spans are recorded in this process (hot paths skip their wrappers when not). */
export const tracingEnabled = (): boolean => installed !== null

/**
 * Installs tracing for this process, once (a second call is refused). Registers the context
 * manager (AsyncLocalStorage) and the W3C propagator globally, and the default service's
 * provider as the global one, which Apollo's gateway spans (`gateway.request`, `gateway.plan`,
 * `gateway.fetch`, ...) use.
 */
export function installTracing(options: TracingOptions): void {
  if (installed) throw new Error('tracing is installed already')
  const url = options.endpointIsTracesUrl ? options.endpoint : `${options.endpoint.replace(/\/+$/, '')}/v1/traces`
  const providers = new Map<string, NodeTracerProvider>()
  for (const service of options.services) {
    const name = options.services.length === 1 && options.serviceName ? options.serviceName : service
    providers.set(service, new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': name, 'service.namespace': 'commerce' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
    }))
  }
  const main = providers.get(options.defaultService ?? options.services[0] ?? '') ?? [...providers.values()][0]
  if (!main) throw new Error('tracing needs at least one service')
  main.register({ propagator: new W3CTraceContextPropagator() })
  installed = { providers, fallback: main.getTracer(LIBRARY) }
}

/** Sends every span recorded so far (tests, and before a process exits). */
export async function flushTracing(): Promise<void> {
  if (!installed) return
  await Promise.all([...installed.providers.values()].map((provider) => provider.forceFlush()))
}

/** Flushes and uninstalls (a process's shutdown; tests that install it for a while). */
export async function shutdownTracing(): Promise<void> {
  if (!installed) return
  const { providers } = installed
  installed = null
  await Promise.all([...providers.values()].map((provider) => provider.shutdown()))
  trace.disable()
  context.disable()
  propagation.disable()
}

/** The tracer of the service whose work is running (see `inService`). */
function activeTracer(active: Context = context.active()): Tracer {
  if (!installed) return trace.getTracer(LIBRARY)
  const service = active.getValue(SERVICE) as string | undefined
  return (service ? installed.providers.get(service)?.getTracer(LIBRARY) : undefined) ?? installed.fallback
}

/** `parent` (default: the active context) marked as `service`'s work: its spans carry its name. */
export const inService = (service: string, parent: Context = context.active()): Context => parent.setValue(SERVICE, service)

export interface SpanOptions {
  readonly kind?: SpanKind
  readonly attributes?: Attributes
  /** The parent (default: the active context); e.g. one extracted from an event's envelope. */
  readonly parent?: Context
  /** Record the span only inside a trace (a statement of a background poll starts none). */
  readonly onlyInTrace?: boolean
}

/**
 * Runs `fn` inside a new span (active while it runs, so what it calls nests under it), ended
 * when it settles; a throw marks the span as an error and is rethrown. Without tracing, `fn` runs
 * as it is.
 */
export function traced<T>(name: string, options: SpanOptions, fn: (span: Span | null) => Promise<T>): Promise<T> {
  if (!installed) return fn(null)
  const parent = options.parent ?? context.active()
  if (options.onlyInTrace && !trace.getSpanContext(parent)) return fn(null)
  const span = activeTracer(parent).startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) }, parent)
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span)
    } catch (error) {
      failSpan(span, error)
      throw error
    } finally {
      span.end()
    }
  })
}

/** Marks `span` as failed by `error` (its type and message; never its stack or data). */
export function failSpan(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
  span.setAttribute('error.type', error instanceof Error ? error.name : typeof error)
}

/** The active span, when one is recording (to add attributes found on the way). */
export function activeSpan(): Span | null {
  if (!installed) return null
  const span = trace.getActiveSpan()
  return span?.isRecording() ? span : null
}

/** The active trace context as W3C carrier fields (`traceparent`, `tracestate`), or none. */
export function traceCarrier(active: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {}
  if (installed && trace.getSpanContext(active)) propagation.inject(active, carrier)
  return carrier
}

/** Adds the active trace context to outgoing HTTP headers. */
export function injectTraceHeaders(headers: Record<string, string>): Record<string, string> {
  return installed ? Object.assign(headers, traceCarrier()) : headers
}

/** The context a carrier (headers, an event's `traceContext`) continues. */
export function contextFrom(carrier: Readonly<Record<string, unknown>> | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!installed || !carrier) return base
  return propagation.extract(base, carrier, {
    get: (fields, key) => {
      const value = fields[key]
      return typeof value === 'string' ? value : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined
    },
    keys: (fields) => Object.keys(fields),
  })
}

/** The ids logs carry to tie a line to its trace, when a span is active. */
export function traceIds(): { readonly trace_id: string; readonly span_id: string } | Record<string, never> {
  if (!installed) return {}
  const spanContext = trace.getActiveSpan()?.spanContext()
  return spanContext && trace.isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {}
}

/** Paths that are probes and scrapes, not work: never traced. */
const UNTRACED = /^\/(healthz|readyz|metrics)(\/|$|\?)/

const SPANS = new WeakMap<FastifyRequest, { readonly span: Span; readonly context: Context }>()

/**
 * A SERVER span for every request `app` serves as `service`, continuing the caller's trace from
 * its headers; the span is active in the route's handler (so resolvers, SQL and calls onward nest
 * under it). The body is parsed outside any context, so the context is entered again before the
 * handler (`preHandler`).
 */
export function traceRequests(app: FastifyInstance, service: string): void {
  if (!installed) return
  app.addHook('onRequest', (request, _reply, done) => {
    if (UNTRACED.test(request.url)) return done()
    const parent = inService(service, contextFrom(request.headers))
    const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '/'
    const span = activeTracer(parent).startSpan(`${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] ?? '/' },
    }, parent)
    const active = trace.setSpan(parent, span)
    SPANS.set(request, { span, context: active })
    context.with(active, done)
  })
  app.addHook('preHandler', (request, _reply, done) => {
    const entry = SPANS.get(request)
    if (!entry) return done()
    context.with(entry.context, done)
  })
  const end = async (request: FastifyRequest, statusCode: number | null) => {
    const entry = SPANS.get(request)
    if (!entry) return
    SPANS.delete(request)
    if (statusCode !== null) {
      entry.span.setAttribute('http.response.status_code', statusCode)
      if (statusCode >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR })
    } else {
      entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client left' })
    }
    entry.span.end()
  }
  app.addHook('onResponse', async (request, reply) => end(request, reply.statusCode))
  app.addHook('onRequestAbort', async (request) => end(request, null))
}

/**
 * Entry points: tracing as configured (OTEL_EXPORTER_OTLP_ENDPOINT ...) for the services this
 * process runs, or nothing when no endpoint is set. Called before any app is built.
 */
export function installConfiguredTracing(tracing: TracingConfig, services: readonly string[]): void {
  if (!tracing.endpoint) return
  installTracing({ endpoint: tracing.endpoint, endpointIsTracesUrl: tracing.tracesUrl, services, serviceName: tracing.serviceName, defaultService: 'gateway' })
}
