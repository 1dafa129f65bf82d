import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { describe, it } from 'node:test'
import Fastify from 'fastify'
import { ConfigError, loadConfig } from './config.ts'
import type { Database } from './db.ts'
import { statementSpanName, tracedDatabase } from './tracedDatabase.ts'
import { contextFrom, flushTracing, injectTraceHeaders, installTracing, shutdownTracing, traceCarrier, traced, traceIds, traceRequests, tracingEnabled } from './tracing.ts'

const fakeDatabase = { driver: 'pglite' } as unknown as Database

describe('tracing', () => {
  it('is configured by the standard OTEL_* variables, and off without an endpoint or with OTEL_SDK_DISABLED', () => {
    assert.deepEqual(loadConfig({}).tracing, { endpoint: null, tracesUrl: false, serviceName: null })
    assert.deepEqual(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'orders-eu' }).tracing, {
      endpoint: 'http://collector:4318', tracesUrl: false, serviceName: 'orders-eu',
    })
    assert.deepEqual(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces' }).tracing.endpoint, 'https://collector/v1/traces')
    assert.equal(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing.endpoint, null)
    assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), (error) => error instanceof ConfigError && /OTEL_EXPORTER_OTLP_ENDPOINT/.test(error.message))
  })

  it('costs nothing when off: the database itself, the function itself, no headers, no ids, no hooks', async () => {
    assert.equal(tracingEnabled(), false)
    assert.equal(tracedDatabase(fakeDatabase), fakeDatabase)
    assert.equal(await traced('work', {}, async (span) => span), null)
    assert.deepEqual(injectTraceHeaders({ a: '1' }), { a: '1' })
    assert.deepEqual(traceIds(), {})
    const app = Fastify()
    let hooks = 0
    app.addHook = new Proxy(app.addHook, { apply: (target, self, args) => (hooks++, Reflect.apply(target, self, args)) })
    traceRequests(app, 'gateway')
    assert.equal(hooks, 0)
    await app.close()
  })

  it('names statement spans by operation and first table', () => {
    assert.equal(statementSpanName('select id from catalog.products where id = $1'), 'SELECT catalog.products')
    assert.equal(statementSpanName('\n  insert into orders.orders (id) values ($1)'), 'INSERT orders.orders')
    assert.equal(statementSpanName('update inventory.inventory_levels l set available = 1'), 'UPDATE inventory.inventory_levels')
    assert.equal(statementSpanName('with numbered as (insert into orders.aggregate_sequences values (1))'), 'WITH orders.aggregate_sequences')
    assert.equal(statementSpanName('savepoint order_placed'), 'SAVEPOINT')
  })

  it('carries a trace across a W3C carrier (HTTP headers, an event envelope) and exports it', async () => {
    const posts: string[] = []
    const collector = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      request.on('end', () => {
        posts.push(`${request.url} ${body}`)
        response.writeHead(200).end('{}')
      })
    })
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
    const { port } = collector.address() as { port: number }
    installTracing({ endpoint: `http://127.0.0.1:${port}`, services: ['orders', 'finance'] })
    try {
      assert.throws(() => installTracing({ endpoint: 'http://127.0.0.1:1', services: ['orders'] }), /installed already/)
      let carrier: Record<string, string> = {}
      let traceId = ''
      await traced('checkout', {}, async (span) => {
        carrier = traceCarrier()
        traceId = span!.spanContext().traceId
        assert.equal(traceIds().trace_id, traceId)
        assert.match(injectTraceHeaders({})['traceparent'] ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
      })
      assert.match(carrier['traceparent'] ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      await traced('consume', { parent: contextFrom(carrier) }, async (span) => {
        assert.equal(span!.spanContext().traceId, traceId, 'the consumer continues the trace')
      })
      // outside any trace, a span that asks for one is not recorded
      assert.equal(await traced('poll', { onlyInTrace: true }, async (span) => span), null)
      await flushTracing()
      assert.equal(posts.length >= 1, true)
      assert.ok(posts.every((post) => post.startsWith('/v1/traces ')))
      assert.ok(posts.join('').includes('"checkout"') && posts.join('').includes('"consume"') && !posts.join('').includes('"poll"'))
    } finally {
      await shutdownTracing()
      await new Promise((resolve) => collector.close(resolve))
    }
    assert.equal(tracingEnabled(), false)
  })
})
