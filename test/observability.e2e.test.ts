/**
 * One checkout as one trace, and logs that tie to it without a secret in them. A local OTLP/HTTP
 * receiver collects what the services export, exactly as a collector would; the trace tree it
 * assembles is what the README shows (`TRACE_TREE_OUT=<file>` writes it).
 */
import assert from 'node:assert/strict'
import diagnostics from 'node:diagnostics_channel'
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { signToken } from '../gateway/auth.ts'
import { loggerOptions } from '../platform/logging.ts'
import { flushTracing, installTracing, shutdownTracing } from '../platform/tracing.ts'
import { VIEWER_HEADER } from '../platform/viewer.ts'
import { SUBGRAPHS } from '../subgraphs/registry.ts'
import { query, startStack, type Stack } from './stack.ts'

interface ExportedSpan {
  readonly service: string
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string
  readonly name: string
  readonly kind: number
  readonly start: bigint
  readonly end: bigint
  readonly attributes: Readonly<Record<string, unknown>>
}

interface OtlpValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
interface OtlpAttribute { key: string; value: OtlpValue }

const valueOf = (value: OtlpValue): unknown => value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue

/** A collector's OTLP/HTTP JSON endpoint, in memory. */
async function startReceiver(): Promise<{ server: Server; url: string; spans: ExportedSpan[]; posts: number[] }> {
  const spans: ExportedSpan[] = []
  const posts: number[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces' || !String(request.headers['content-type']).includes('json')) {
        response.writeHead(404).end()
        return
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: (Omit<ExportedSpan, 'service' | 'attributes' | 'start' | 'end'> & { attributes?: OtlpAttribute[]; startTimeUnixNano: string; endTimeUnixNano: string })[] }[] }[]
      }
      posts.push(body.resourceSpans.length)
      for (const resourceSpans of body.resourceSpans) {
        const service = String(valueOf(resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value ?? {}))
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({
              service, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name, kind: span.kind,
              start: BigInt(span.startTimeUnixNano), end: BigInt(span.endTimeUnixNano),
              attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, valueOf(a.value)])),
            })
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  return { server, url: `http://127.0.0.1:${address.port}`, spans, posts }
}

/** The spans of one trace as an indented tree: `service  name  (ms)`, children by start time. */
function treeOf(spans: readonly ExportedSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId))
  const children = new Map<string, ExportedSpan[]>()
  for (const span of spans) {
    const parent = ids.has(span.parentSpanId) ? span.parentSpanId : ''
    children.set(parent, [...(children.get(parent) ?? []), span])
  }
  const lines: string[] = []
  const walk = (parent: string, depth: number) => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
      const ms = Number(span.end - span.start) / 1e6
      lines.push(`${'  '.repeat(depth)}${span.name}  [${span.service}]  ${ms.toFixed(1)} ms`)
      walk(span.spanId, depth + 1)
    }
  }
  walk('', 0)
  return lines.join('\n')
}

const ADD = `mutation CartAdd($input: CartLinesAddInput!) { cartLinesAdd(input: $input) { cart { id total { minorUnits currency } } userErrors { code } } }`
const CHECKOUT = `mutation Checkout($input: CheckoutCompleteInput!) { checkoutComplete(input: $input) { order { id status } userErrors { code } } }`
const ORDER = `query OrderStatus($id: ID!) { order(id: $id) { financialStatus } }`

describe('observability of a checkout', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  let stack: Stack
  const lines: string[] = []
  const viewerHeaders: string[] = []
  const tokens: string[] = []

  before(async () => {
    receiver = await startReceiver()
    // every signed viewer header a service sends another (gateway → subgraph, orders → inventory)
    // (undici announces every request it creates, with its headers as name, value, name, value...)
    diagnostics.subscribe('undici:request:create', (message) => {
      const headers = (message as { request: { headers: unknown } }).request.headers
      const pairs = Array.isArray(headers) ? headers.map(String) : []
      for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i]!.toLowerCase() === VIEWER_HEADER) viewerHeaders.push(pairs[i + 1]!)
    })
    installTracing({ endpoint: receiver.url, services: ['gateway', ...SUBGRAPHS.map((s) => s.name)], defaultService: 'gateway' })
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
        done()
      },
    })
    // the most talkative level: whatever any line at any level could carry is scanned
    stack = await startStack({ logger: pino({ ...loggerOptions({ logLevel: 'trace' }, 'commerce') }, sink) })
  })
  after(async () => {
    await stack?.close()
    await shutdownTracing()
    await new Promise((resolve) => receiver?.server.close(resolve))
  })

  const as = async (sub: string) => {
    const token = await signToken({ sub, roles: ['customer'] }, stack.config)
    tokens.push(token)
    return token
  }

  let orderId = ''
  let checkoutTrace = ''

  it('follows one checkout from the gateway through orders and inventory to finance\'s authorization and the stock committed, in one trace', async () => {
    const token = await as('c_trace_1')
    const cart = await query(stack, ADD, { input: { idempotencyKey: 'trace-cart', currency: 'USD', countryCode: 'US', lines: [{ sku: 'APP-0002-M', quantity: 1 }] } }, token)
    const { id: cartId, total } = cart.body.data!['cartLinesAdd'].cart
    const placed = await query(stack, CHECKOUT, { input: { idempotencyKey: 'trace-checkout', cartId, paymentMethodToken: 'tok_ok', expectedTotal: total } }, token)
    assert.deepEqual(placed.body.data!['checkoutComplete'].userErrors, [])
    orderId = placed.body.data!['checkoutComplete'].order.id
    await stack.flushEvents()
    const status = await query(stack, ORDER, { id: orderId }, token)
    assert.equal(status.body.data!['order'].financialStatus, 'AUTHORIZED')
    await flushTracing()

    const root = receiver.spans.find((s) => s.service === 'gateway' && s.kind === 2 && s.attributes['graphql.operation.name'] === 'Checkout')
    assert.ok(root, 'the gateway\'s server span of the Checkout request')
    checkoutTrace = root.traceId
    const trace = receiver.spans.filter((s) => s.traceId === checkoutTrace)
    const has = (service: string, name: string | RegExp) =>
      assert.ok(trace.some((s) => s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name))), `${service}: ${name}\n${treeOf(trace)}`)
    has('gateway', 'gateway.request')
    has('gateway', 'gateway.plan')
    has('gateway', 'gateway.fetch')
    has('gateway', 'POST orders')
    has('orders', 'POST /graphql')
    has('orders', /^INSERT orders\./)
    has('orders', 'POST inventory')
    has('inventory', 'POST /graphql')
    has('orders', 'outbox append OrderPlaced')
    has('orders', 'publish OrderPlaced')
    has('finance', 'consume OrderPlaced')
    has('finance', 'payment provider authorize')
    has('finance', 'outbox append PaymentAuthorized')
    has('inventory', /^consume (OrderPlaced|PaymentAuthorized)$/)
    // every span of the trace hangs from its root: the context crossed every hop
    const ids = new Set(trace.map((s) => s.spanId))
    const orphans = trace.filter((s) => s !== root && !ids.has(s.parentSpanId))
    assert.deepEqual(orphans.map((s) => `${s.service} ${s.name}`), [], treeOf(trace))
    assert.equal(root.parentSpanId, '')
    // no statement carries its parameters
    for (const span of trace) assert.ok(!JSON.stringify(span.attributes).includes('tok_ok'), `${span.name} carries the payment token`)
    if (process.env['TRACE_TREE_OUT']) writeFileSync(process.env['TRACE_TREE_OUT'], `${treeOf(trace)}\n`)
  })

  it('sends nothing for probes and scrapes', async () => {
    const before = receiver.spans.length
    await stack.gateway.inject({ method: 'GET', url: '/healthz' })
    await stack.gateway.inject({ method: 'GET', url: '/metrics' })
    await flushTracing()
    assert.equal(receiver.spans.length, before)
  })

  it('writes JSON log lines tied to the trace, with the operation and the viewer, and no token, signature, secret or payment token', async () => {
    // a declined payment and a refused token leave their own lines
    const token = await as('c_trace_2')
    const cart = await query(stack, ADD, { input: { idempotencyKey: 'trace-cart-2', currency: 'USD', countryCode: 'US', lines: [{ sku: 'APP-0002-M', quantity: 1 }] } }, token)
    const { id: cartId, total } = cart.body.data!['cartLinesAdd'].cart
    await query(stack, CHECKOUT, { input: { idempotencyKey: 'trace-checkout-2', cartId, paymentMethodToken: 'tok_declined', expectedTotal: total } }, token)
    await query(stack, ORDER, { id: orderId }, `${token.slice(0, -4)}AAAA`)
    await stack.flushEvents()

    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    assert.ok(parsed.length > 20, `${parsed.length} lines`)
    const completed = parsed.find((l) => l['msg'] === 'request completed' && l['operationName'] === 'Checkout')
    assert.ok(completed, 'the gateway logs the Checkout request')
    assert.deepEqual(completed['viewer'], { kind: 'customer', sub: 'c_trace_1' })
    assert.equal(completed['trace_id'], checkoutTrace)
    assert.match(String(completed['span_id']), /^[0-9a-f]{16}$/)
    assert.ok(parsed.some((l) => l['trace_id'] && l['name'] === 'finance'), 'finance\'s lines carry the trace too')
    const atOrders = parsed.find((l) => l['name'] === 'orders' && l['msg'] === 'request completed' && l['trace_id'] === checkoutTrace)
    assert.deepEqual(atOrders?.['viewer'], { kind: 'customer', sub: 'c_trace_1' }, 'the subgraph names the viewer the gateway signed')
    assert.match(String(atOrders?.['operationName']), /^Checkout__orders__\d+$/)

    const secrets = {
      'a bearer token': tokens,
      'a signed viewer header': viewerHeaders,
      'the JWT secret': [stack.config.jwtSecret ?? ''],
      'the viewer signing secret': [stack.config.viewerSigningSecret],
      'a payment method token': ['tok_ok', 'tok_declined'],
    }
    assert.ok(viewerHeaders.length > 0 && tokens.length > 0)
    const text = lines.join('\n')
    for (const [what, values] of Object.entries(secrets)) {
      for (const value of values.filter((v) => v.length > 0)) {
        // a token's signature alone is as good as the token
        const needle = value.includes('.') ? value.slice(value.lastIndexOf('.') + 1) : value
        assert.ok(!text.includes(needle), `the logs hold ${what}`)
      }
    }
  })
})
