// SIGTERM to real service processes (`node --import tsx <entry>`): a subgraph fails readiness at
// once, keeps serving through SHUTDOWN_READINESS_DELAY_MS, refuses new connections after it,
// answers the request it had in flight, releases its relay lease and exits 0 within
// SHUTDOWN_TIMEOUT_MS; a gateway holding a request that never completes exits 1 at
// SHUTDOWN_TIMEOUT_MS and says what was open. The slow request is a POST whose body arrives in two
// parts: the server has the request (in flight) and waits for the rest.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { freePort, ROOT, serviceEnv } from '../bench/processes.ts'
import { deleteNatsNamespace } from '../platform/natsBus.ts'
import { openDatabase } from '../platform/openDatabase.ts'
import { eventually } from '../platform/testing.ts'
import { ANONYMOUS, signViewer, VIEWER_HEADER } from '../platform/viewer.ts'

const SIGNING_SECRET = 'shutdown-test-viewer-signing-secret-0123456789'
const databaseUrl = process.env['DATABASE_URL']
const natsUrl = process.env['NATS_URL']

interface LogLine {
  readonly msg: string
  readonly phase?: string
  readonly durationMs?: number
  readonly [key: string]: unknown
}

interface ServiceProcess {
  readonly child: ChildProcess
  readonly port: number
  /** Its JSON log lines so far (stdout), parsed. */
  readonly lines: LogLine[]
  /** Everything else it wrote (stderr, lines that are not JSON), for failure messages. */
  output(): string
  readonly exited: Promise<{ readonly code: number | null; readonly at: number }>
}

const running = new Set<ChildProcess>()
after(() => {
  for (const child of running) child.kill('SIGKILL')
})

function startService(entry: string, port: number, settings: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: serviceEnv({ NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'info', VIEWER_SIGNING_SECRET: SIGNING_SECRET, ...settings }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  const lines: LogLine[] = []
  const other: string[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine)
    } catch {
      other.push(line)
    }
  })
  child.stderr!.on('data', (chunk: Buffer) => other.push(chunk.toString()))
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child)
      resolve({ code, at: Date.now() })
    }),
  )
  return { child, port, lines, output: () => [...other, ...lines.slice(-20).map((l) => JSON.stringify(l))].join('\n'), exited }
}

/** Polls until `path` answers `status` (a refused connection counts as no answer). */
async function untilStatus(service: ServiceProcess, path: string, status: number, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  let last: { status: number; body: unknown } | null = null
  await eventually(`${path} answering ${status}`, async () => {
    if (service.child.exitCode !== null) throw new Error(`the service exited (${service.child.exitCode}):\n${service.output()}`)
    last = await get(service.port, path).catch(() => null)
    return last?.status === status
  }, timeoutMs).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${service.output()}`)
  })
  return last!
}

/** GET on a connection of its own. */
function get(port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A signed `{ __typename }` POST whose body is held back after its first half until `finish()`. */
function heldGraphQLRequest(port: number): { finish(): void; readonly response: Promise<{ status: number; body: any }> } {
  const body = JSON.stringify({ query: '{ __typename }' })
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/graphql',
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [VIEWER_HEADER]: signViewer(ANONYMOUS, SIGNING_SECRET, body) },
  })
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text }))
    })
    req.on('error', reject)
  })
  // not a rejection nobody handles when a test gives up on it
  response.catch(() => {})
  req.write(body.slice(0, 10))
  return { finish: () => req.end(body.slice(10)), response }
}

const phasesDone = (service: ServiceProcess) => service.lines.filter((line) => line.msg === 'shutdown phase done').map((line) => line.phase)

describe('a subgraph process on SIGTERM', () => {
  it(`drains: readiness first, the request in flight answered, the relay lease released, exit 0${databaseUrl ? '' : ' (the lease row is checked on PostgreSQL)'}`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shutdown-e2e-'))
    const database = databaseUrl ? await createDatabase(databaseUrl) : null
    const namespace = `shutdown${process.pid}${Date.now().toString(36)}`
    const port = await freePort()
    const timeoutMs = 10_000
    const service = startService('subgraphs/catalog/main.ts', port, {
      CATALOG_PORT: String(port),
      DATA_DIR: dataDir,
      SEED_ON_START: 'false',
      SHUTDOWN_READINESS_DELAY_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: String(timeoutMs),
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(natsUrl ? { NATS_URL: natsUrl, NATS_NAMESPACE: namespace } : {}),
    })
    try {
      await untilStatus(service, '/readyz', 200, 60_000)
      if (database) await eventually('the relay holding its lease', async () => (await database.leaseHolders()) === 1)

      const held = heldGraphQLRequest(port)
      await eventually('the held request received', () => service.lines.some((line) => line.msg === 'incoming request' && (line['req'] as { url?: string } | undefined)?.url === '/graphql'))
      const signalled = Date.now()
      service.child.kill('SIGTERM')

      const draining = await untilStatus(service, '/readyz', 503, 1500)
      assert.deepEqual(draining.body, { status: 'draining' })
      assert.equal((await get(port, '/healthz')).status, 200, 'still serving during the readiness delay')

      await eventually('the end of the readiness delay', () => phasesDone(service).includes('readiness delay'), 5000)
      await assert.rejects(get(port, '/healthz'), /ECONNREFUSED/, 'new connections refused after the delay')
      assert.ok(!service.lines.some((line) => line.msg === 'shut down'), 'still waiting for the request in flight')

      held.finish()
      const answer = await held.response
      assert.equal(answer.status, 200)
      assert.deepEqual(answer.body, { data: { __typename: 'Query' } })

      const { code, at } = await service.exited
      assert.equal(code, 0, service.output())
      assert.ok(at - signalled < timeoutMs, `exited ${at - signalled} ms after SIGTERM`)
      const phases = phasesDone(service)
      assert.deepEqual(phases.slice(0, 6), ['readiness', 'readiness delay', 'requests in flight', 'relay', 'consumers', 'close catalog'])
      // what the app used closes after it (their lines have once reached the pipe out of order)
      assert.deepEqual(phases.slice(6).sort(), ['bus', 'database', 'telemetry'])
      assert.ok(service.lines.some((line) => line.msg === 'shut down'))
      if (database) assert.equal(await database.leaseHolders(), 0, 'the relay lease row is gone')
    } finally {
      service.child.kill('SIGKILL')
      await service.exited
      rmSync(dataDir, { recursive: true, force: true })
      await database?.drop()
      if (natsUrl) await deleteNatsNamespace(natsUrl, namespace)
    }
  })
})

describe('a gateway process on SIGTERM', () => {
  it('exits 1 at SHUTDOWN_TIMEOUT_MS when a request never completes, naming what was open', async () => {
    const port = await freePort()
    const timeoutMs = 1500
    // no subgraph runs: the gateway starts from its supergraph file all the same
    const nowhere = 'http://127.0.0.1:9/graphql'
    const service = startService('gateway/main.ts', port, {
      GATEWAY_PORT: String(port),
      SHUTDOWN_TIMEOUT_MS: String(timeoutMs),
      SUBGRAPH_CATALOG_URL: nowhere,
      SUBGRAPH_INVENTORY_URL: nowhere,
      SUBGRAPH_ORDERS_URL: nowhere,
      SUBGRAPH_FINANCE_URL: nowhere,
      RATE_LIMIT_ENABLED: 'false',
      ANOMALY_DETECTION: 'false',
      CACHE: 'off',
    })
    try {
      await untilStatus(service, '/healthz', 200, 60_000)
      heldGraphQLRequest(port)
      await eventually('the held request received', () => service.lines.some((line) => line.msg === 'incoming request' && (line['req'] as { url?: string } | undefined)?.url === '/graphql'))
      const signalled = Date.now()
      service.child.kill('SIGTERM')

      const { code, at } = await service.exited
      assert.equal(code, 1, service.output())
      assert.ok(at - signalled >= timeoutMs, `exited ${at - signalled} ms after SIGTERM, before the bound`)
      assert.ok(at - signalled < timeoutMs + 2000, `exited ${at - signalled} ms after SIGTERM`)
      const report = service.lines.find((line) => line.msg.startsWith('shutdown did not finish'))
      assert.ok(report, service.output())
      assert.equal(report['phase'], 'close gateway')
      assert.deepEqual(report['inFlightRequests'], { gateway: 1 })
      assert.deepEqual(report['notStarted'], ['telemetry'])
    } finally {
      service.child.kill('SIGKILL')
      await service.exited
    }
  })
})

/** A PostgreSQL database of this test's own, empty: the subgraph migrates it at start. */
async function createDatabase(url: string) {
  const name = `commerce_shutdown_${process.pid}_${Date.now().toString(36)}`
  const admin = await openDatabase({ databaseUrl: url, dataDir: null, poolSize: 1 })
  await admin.exec(`create database ${name}`)
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  const db = await openDatabase({ databaseUrl: parsed.toString(), dataDir: null, poolSize: 1 })
  return {
    url: parsed.toString(),
    leaseHolders: async () => {
      const exists = await db.query(`select 1 from information_schema.tables where table_schema = 'catalog' and table_name = 'outbox_relay_lease'`)
      if (exists.rowCount === 0) return 0
      return (await db.query<{ n: number }>('select count(*)::int as n from catalog.outbox_relay_lease')).rows[0]?.n ?? 0
    },
    async drop() {
      await db.close()
      await admin.exec(`drop database if exists ${name}`)
      await admin.close()
    },
  }
}
