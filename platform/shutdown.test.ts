import assert from 'node:assert/strict'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import pino from 'pino'
import { ConfigError, loadConfig } from './config.ts'
import { drainOnClose } from './drainOnClose.ts'
import { serveReadiness } from './readiness.ts'
import { shutDownGracefully } from './shutdown.ts'
import { eventually } from './testing.ts'

interface LogLine {
  readonly level: number
  readonly msg: string
  readonly phase?: string
  readonly durationMs?: number
  readonly [key: string]: unknown
}

/** A listening app with `/readyz` and a route whose answer waits for `release()`; the log lines it writes, parsed. */
async function slowApp(maxWaitMs = 10_000) {
  const lines: LogLine[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) })
  const app = Fastify({ loggerInstance: logger }) as unknown as FastifyInstance
  serveReadiness(app)
  drainOnClose(app, { maxWaitMs })
  let release = () => {}
  const released = new Promise<void>((resolve) => (release = resolve))
  let entered = () => {}
  const slowEntered = new Promise<void>((resolve) => (entered = resolve))
  app.get('/slow', async () => {
    entered()
    await released
    return { done: true }
  })
  app.get('/fast', async () => ({ done: true }))
  const closed = new Promise<void>((resolve) => app.addHook('onClose', async () => resolve()))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  return { app, logger, lines, port, release, slowEntered, closed }
}

/** GET on a connection of its own: the status, the body, and whether the server asked to close the connection. */
function get(port: number, path: string): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('a graceful shutdown', () => {
  it('fails readiness at once, serves through the delay, stops listening, then answers the request in flight', async () => {
    const { app, logger, lines, port, release, slowEntered } = await slowApp()
    const slow = get(port, '/slow')
    await slowEntered
    const outcome = shutDownGracefully({ logger, apps: [{ name: 'app', app }], readinessDelayMs: 300, timeoutMs: 5000 }, 'SIGTERM')

    const ready = await get(port, '/readyz')
    assert.equal(ready.status, 503)
    assert.deepEqual(JSON.parse(ready.body), { status: 'draining' })
    const during = await get(port, '/fast')
    assert.equal(during.status, 200, 'still served during the delay')
    assert.equal(during.connection, 'close', 'and told to go elsewhere next time')

    await eventually('the end of the delay', () => lines.some((line) => line.phase === 'readiness delay'))
    await eventually('the listener closed', () => !app.server.listening)
    await assert.rejects(get(port, '/fast'), /ECONNREFUSED/, 'a new connection is refused once the delay is over')

    release()
    assert.equal((await slow).status, 200)
    assert.equal(await outcome, 'clean')
    const phases = lines.filter((line) => line.msg === 'shutdown phase done').map((line) => line.phase)
    assert.deepEqual(phases, ['readiness', 'readiness delay', 'requests in flight', 'close app'])
    for (const line of lines.filter((l) => l.msg === 'shutdown phase done')) assert.equal(typeof line.durationMs, 'number')
    assert.ok((lines.find((line) => line.phase === 'readiness delay')?.durationMs ?? 0) >= 290)
    assert.ok(lines.some((line) => line.msg === 'shut down'))
  })

  it('gives up after its bound and says what was still open', async () => {
    const { app, logger, lines, port, release, slowEntered, closed } = await slowApp()
    const slow = get(port, '/slow')
    await slowEntered
    const started = Date.now()
    const outcome = await shutDownGracefully({ logger, apps: [{ name: 'app', app }], then: [{ phase: 'database', run: async () => {} }], readinessDelayMs: 0, timeoutMs: 300 }, 'SIGTERM')
    assert.equal(outcome, 'timed out')
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`)
    const report = lines.find((line) => line.msg.startsWith('shutdown did not finish'))
    assert.ok(report, 'the timeout is logged')
    assert.equal(report.level, 50)
    assert.equal(report['phase'], 'close app')
    assert.deepEqual(report['notStarted'], ['database'])
    assert.deepEqual(report['inFlightRequests'], { app: 1 })
    assert.ok(((report['openResources'] as Record<string, number>)['TCPSocketWrap'] ?? 0) >= 1, 'the open connection is named')
    // what the process exit would have cut short
    release()
    await slow
    await closed
  })

  it('runs every phase when one fails, and reports the shutdown failed', async () => {
    const { app, logger, lines } = await slowApp()
    const ran: string[] = []
    const outcome = await shutDownGracefully(
      {
        logger,
        apps: [{ name: 'app', app }],
        then: [
          { phase: 'bus', run: async () => { ran.push('bus'); throw new Error('the bus would not close') } },
          { phase: 'database', run: async () => void ran.push('database') },
        ],
        readinessDelayMs: 0,
        timeoutMs: 5000,
      },
      'SIGINT',
    )
    assert.equal(outcome, 'failed')
    assert.deepEqual(ran, ['bus', 'database'])
    const failure = lines.find((line) => line.msg === 'shutdown phase failed')
    assert.equal(failure?.phase, 'bus')
    assert.equal((failure?.['err'] as { message?: string } | undefined)?.message, 'the bus would not close')
  })

  it('answers /readyz from its check until the drain begins', async () => {
    const app = Fastify() as unknown as FastifyInstance
    let up = false
    serveReadiness(app, async () => ({ ready: up, details: { services: { catalog: up ? 'up' : 'down' } } }))
    assert.deepEqual((await app.inject('/readyz')).json(), { status: 'unavailable', services: { catalog: 'down' } })
    up = true
    const ready = await app.inject('/readyz')
    assert.equal(ready.statusCode, 200)
    assert.deepEqual(ready.json(), { status: 'ready', services: { catalog: 'up' } })
    app.drain?.begin()
    const draining = await app.inject('/readyz')
    assert.equal(draining.statusCode, 503)
    assert.deepEqual(draining.json(), { status: 'draining' })
    await app.close()
  })
})

describe('the shutdown configuration', () => {
  const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'j'.repeat(32), VIEWER_SIGNING_SECRET: 'v'.repeat(32) }

  it('waits for load balancers in production only, and bounds every shutdown at 25 s', () => {
    assert.equal(loadConfig(production).shutdownReadinessDelayMs, 5000)
    assert.equal(loadConfig({ NODE_ENV: 'development' }).shutdownReadinessDelayMs, 0)
    assert.equal(loadConfig({ NODE_ENV: 'test' }).shutdownTimeoutMs, 25_000)
    assert.equal(loadConfig(production).shutdownTimeoutMs, 25_000)
  })

  it('refuses a bound that leaves no time after the readiness delay', () => {
    assert.throws(
      () => loadConfig({ SHUTDOWN_READINESS_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '5000' }),
      (error: unknown) => error instanceof ConfigError && error.problems.includes('SHUTDOWN_TIMEOUT_MS (5000) must be longer than SHUTDOWN_READINESS_DELAY_MS (5000)'),
    )
  })
})
