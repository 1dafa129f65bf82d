/**
 * Persisted operations vs full documents: the same storefront operation from the trusted-documents
 * manifest, sent through the gateway over real HTTP on 127.0.0.1 (a) as its full text
 * (`{ query, variables }`) and (b) by id (`{ documentId: "sha256:<id>", variables }`), with N
 * requests in flight for a fixed time each.
 *
 *   node --import tsx bench/persisted.ts [--seconds 10] [--concurrency 16] [--operation ProductPage] [--warmup 3] [--slices 2]
 *
 * The whole supergraph runs in this process (test/stack.ts): PGlite, no bus (no relays polling),
 * the gateway with TRUSTED_DOCUMENTS=enforce (the production default; a full document whose text
 * is a manifest body is allowed as that operation). Warm-up runs both modes and is discarded. The
 * measured time of each mode is cut into slices run in ABBA order (document, id, id, document, ...)
 * so that drift on a shared machine falls on both modes alike.
 *
 * If a manifest holds a query answered by the gateway alone (only `__typename` / `__schema` /
 * `__type` at the root) it is measured the same way, to isolate the gateway's own cost; the
 * shipped manifests have none, and that part is skipped (and says so).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Kind, parse, type OperationDefinitionNode } from 'graphql'
import type { Stack } from '../test/stack.ts'

// ---------------------------------------------------------------------------------------------
// options

interface Options {
  readonly seconds: number
  readonly warmup: number
  readonly concurrency: number
  readonly operation: string
  readonly slices: number
}

const USAGE =
  'usage: node --import tsx bench/persisted.ts [--seconds 10] [--concurrency 16] [--operation ProductPage] [--warmup 3] [--slices 2]'

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      operation: { type: 'string', default: 'ProductPage' },
      slices: { type: 'string', default: '2' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const integer = (name: string, text: string, min: number, max: number) => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max}, not '${text}'\n${USAGE}`)
    return n
  }
  return {
    seconds: integer('seconds', values.seconds, 1, 300),
    warmup: integer('warmup', values.warmup, 0, 60),
    concurrency: integer('concurrency', values.concurrency, 1, 256),
    operation: values.operation,
    slices: integer('slices', values.slices, 1, 20),
  }
}

/** Fixed variables for the storefront queries that need no viewer and no ids made at run time. */
const VARIABLES: Record<string, Record<string, unknown>> = {
  ProductPage: { handle: 'classic-tee-001', currency: 'USD' },
  ProductListing: { first: 24, currency: 'USD' },
  SearchProducts: { query: 'tee', first: 20, currency: 'USD' },
}

// ---------------------------------------------------------------------------------------------
// helpers

const OPERATIONS_DIR = fileURLToPath(new URL('../operations/', import.meta.url))

interface ManifestOperation {
  readonly id: string
  readonly name: string
  readonly type: string
  readonly body: string
  readonly client: string
}

function loadOperations(): ManifestOperation[] {
  const all: ManifestOperation[] = []
  for (const client of readdirSync(OPERATIONS_DIR, { withFileTypes: true })) {
    if (!client.isDirectory()) continue
    let text: string
    try {
      text = readFileSync(`${OPERATIONS_DIR}${client.name}/manifest.json`, 'utf8')
    } catch {
      continue
    }
    const manifest = JSON.parse(text) as { operations: { id: string; name: string; type: string; body: string }[] }
    for (const op of manifest.operations) all.push({ ...op, client: client.name })
  }
  return all
}

/** A query whose root selections are all meta fields: the gateway answers it without a subgraph. */
function answeredByGateway(op: ManifestOperation): boolean {
  if (op.type !== 'query') return false
  const document = parse(op.body)
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  return (
    operation !== undefined &&
    operation.selectionSet.selections.length > 0 &&
    operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && ['__typename', '__schema', '__type'].includes(s.name.value))
  )
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null
}
const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10)
const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100)
const describeThrown = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

// ---------------------------------------------------------------------------------------------
// HTTP (node:http, keep-alive, 127.0.0.1 only)

class Client {
  private readonly agent: Agent
  private readonly url: URL
  constructor(url: string, sockets: number) {
    this.url = new URL(url)
    if (this.url.hostname !== '127.0.0.1') throw new Error(`refusing to send traffic to ${url}: 127.0.0.1 only`)
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets })
  }

  post(path: string, payload: string, timeoutMs = 30_000): Promise<{ status: number; text: string }> {
    return this.send('POST', path, payload, timeoutMs)
  }
  get(path: string): Promise<{ status: number; text: string }> {
    return this.send('GET', path, undefined, 30_000)
  }

  private send(method: string, path: string, payload: string | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: this.url.port,
          path,
          method,
          agent: this.agent,
          timeout: timeoutMs,
          headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'apollographql-client-name': 'storefront' },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
          res.on('error', reject)
        },
      )
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)))
      req.on('error', reject)
      req.end(payload)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/** null when the response is a success; otherwise one line saying what went wrong. */
function problemOf(status: number, text: string): string | null {
  let body: { data?: unknown; errors?: { message: string; extensions?: { code?: unknown } }[] }
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    return `HTTP ${status}: ${text.slice(0, 120)}`
  }
  if (body.errors?.length) {
    const first = body.errors[0]!
    return `GraphQL error ${typeof first.extensions?.code === 'string' ? first.extensions.code : ''}: ${first.message}`
  }
  if (status !== 200) return `HTTP ${status}`
  if (body.data === null || body.data === undefined) return 'no data'
  return null
}

// ---------------------------------------------------------------------------------------------
// load

type Mode = 'document' | 'persisted'

interface Slice {
  readonly mode: Mode
  readonly ok: number
  readonly errors: number
  readonly wallMs: number
  readonly latencies: number[]
  readonly problems: Record<string, number>
}

/** `concurrency` loops sending `payload` until `ms` have passed; latency of every response. */
async function drive(client: Client, mode: Mode, payload: string, concurrency: number, ms: number): Promise<Slice> {
  const latencies: number[] = []
  const problems: Record<string, number> = {}
  let ok = 0
  let errors = 0
  const started = performance.now()
  const until = started + ms
  let last = started
  const loop = async () => {
    while (performance.now() < until) {
      const sent = performance.now()
      let problem: string | null
      try {
        const { status, text } = await client.post('/graphql', payload)
        problem = problemOf(status, text)
      } catch (error) {
        problem = describeThrown(error)
      }
      const now = performance.now()
      last = Math.max(last, now)
      if (problem === null) {
        ok++
        latencies.push(now - sent)
      } else {
        errors++
        problems[problem] = (problems[problem] ?? 0) + 1
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  return { mode, ok, errors, wallMs: last - started, latencies, problems }
}

interface ModeFigures {
  readonly requests: number
  readonly errors: number
  readonly wallMs: number | null
  readonly requestsPerSecond: number | null
  readonly sliceRequestsPerSecond: (number | null)[]
  readonly latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null }
  readonly requestBytes: number
  readonly problems: Record<string, number>
}

function figures(slices: readonly Slice[], requestBytes: number): ModeFigures {
  const sorted = slices.flatMap((s) => s.latencies).sort((a, b) => a - b)
  const ok = slices.reduce((n, s) => n + s.ok, 0)
  const wallMs = slices.reduce((n, s) => n + s.wallMs, 0)
  const problems: Record<string, number> = {}
  for (const s of slices) for (const [p, n] of Object.entries(s.problems)) problems[p] = (problems[p] ?? 0) + n
  return {
    requests: ok,
    errors: slices.reduce((n, s) => n + s.errors, 0),
    wallMs: round1(wallMs),
    requestsPerSecond: round1(wallMs > 0 ? ok / (wallMs / 1000) : null),
    sliceRequestsPerSecond: slices.map((s) => round1(s.wallMs > 0 ? s.ok / (s.wallMs / 1000) : null)),
    latencyMs: {
      p50: round2(percentile(sorted, 50)),
      p90: round2(percentile(sorted, 90)),
      p99: round2(percentile(sorted, 99)),
      max: round2(sorted.at(-1) ?? null),
    },
    requestBytes,
    problems,
  }
}

interface Comparison {
  readonly operation: string
  readonly client: string
  readonly id: string
  readonly variables: Record<string, unknown>
  readonly document: ModeFigures
  readonly persisted: ModeFigures
  /** persisted / document */
  readonly ratio: { requestsPerSecond: number | null; latencyP50: number | null; latencyP99: number | null }
}

/** Checks both forms answer the same, warms up, then measures both in ABBA-ordered slices. */
async function compare(client: Client, op: ManifestOperation, variables: Record<string, unknown>, options: Options): Promise<Comparison> {
  const payloads: Record<Mode, string> = {
    document: JSON.stringify({ query: op.body, variables }),
    persisted: JSON.stringify({ documentId: `sha256:${op.id}`, variables }),
  }
  // one request each: both succeed and give the same data
  const answers: Partial<Record<Mode, string>> = {}
  for (const mode of ['document', 'persisted'] as const) {
    const { status, text } = await client.post('/graphql', payloads[mode])
    const problem = problemOf(status, text)
    if (problem) throw new Error(`${op.name} as ${mode}: ${problem}`)
    answers[mode] = JSON.stringify((JSON.parse(text) as { data: unknown }).data)
  }
  if (answers.document !== answers.persisted) throw new Error(`${op.name}: the full document and the persisted id answer differently`)

  if (options.warmup > 0) {
    console.log(`${op.name}: warm-up ${options.warmup} s per mode (discarded) ...`)
    for (const mode of ['document', 'persisted'] as const) await drive(client, mode, payloads[mode], options.concurrency, options.warmup * 1000)
  }
  const sliceMs = (options.seconds * 1000) / options.slices
  const order: Mode[] = []
  for (let i = 0; i < options.slices; i++) order.push(...(i % 2 === 0 ? (['document', 'persisted'] as const) : (['persisted', 'document'] as const)))
  console.log(`${op.name}: measuring ${options.seconds} s per mode, ${options.concurrency} in flight, slices of ${(sliceMs / 1000).toFixed(1)} s in order ${order.map((m) => (m === 'document' ? 'D' : 'P')).join('')} ...`)
  const slices: Slice[] = []
  for (const mode of order) slices.push(await drive(client, mode, payloads[mode], options.concurrency, sliceMs))
  const document = figures(
    slices.filter((s) => s.mode === 'document'),
    Buffer.byteLength(payloads.document),
  )
  const persisted = figures(
    slices.filter((s) => s.mode === 'persisted'),
    Buffer.byteLength(payloads.persisted),
  )
  const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000)
  return {
    operation: op.name,
    client: op.client,
    id: op.id,
    variables,
    document,
    persisted,
    ratio: {
      requestsPerSecond: ratio(persisted.requestsPerSecond, document.requestsPerSecond),
      latencyP50: ratio(persisted.latencyMs.p50, document.latencyMs.p50),
      latencyP99: ratio(persisted.latencyMs.p99, document.latencyMs.p99),
    },
  }
}

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const operations = loadOperations()
  const target = operations.find((op) => op.client === 'storefront' && op.name === options.operation)
  if (!target) throw new Error(`no operation ${options.operation} in operations/storefront/manifest.json`)
  if (target.type !== 'query') throw new Error(`${target.name} is a ${target.type}; this benchmark repeats one request, so it takes queries only`)
  const variables = VARIABLES[target.name]
  if (!variables) throw new Error(`no fixed variables for ${target.name} (it needs a viewer or ids made at run time); one of: ${Object.keys(VARIABLES).join(', ')}`)
  const gatewayOnly = operations.find(answeredByGateway)

  // the whole run is bounded whatever happens: warm-up and measurement of up to two comparisons, plus setup
  const capMs = 2 * 2 * (options.warmup + options.seconds) * 1000 + 180_000
  const cap = setTimeout(() => {
    console.error(`bench: still running after ${capMs / 1000} s; giving up`)
    process.exit(2)
  }, capMs)
  cap.unref()

  const { startStack } = await import('../test/stack.ts')
  let stack: Stack | undefined
  let client: Client | undefined
  try {
    console.log('starting the stack (PGlite, no bus, TRUSTED_DOCUMENTS=enforce) ...')
    const setupStarted = performance.now()
    stack = await startStack({ bus: false, gatewayConfig: { trustedDocuments: 'enforce', trustedDocumentsAllowStaff: false, trustedDocumentsDir: OPERATIONS_DIR } })
    await stack.gateway.listen({ host: '127.0.0.1', port: 0 })
    const address = stack.gateway.server.address()
    if (!address || typeof address === 'string') throw new Error('the gateway has no port')
    client = new Client(`http://127.0.0.1:${address.port}/graphql`, options.concurrency)
    const setupMs = performance.now() - setupStarted
    const trusted = async () => JSON.parse((await client!.get('/metrics/trusted-documents')).text) as { known: number; unknown: number; refused: number }
    const before = await trusted()

    const comparisons: Comparison[] = [await compare(client, target, variables, options)]
    let gatewayOnlyNote: string
    if (gatewayOnly) {
      comparisons.push(await compare(client, gatewayOnly, {}, options))
      gatewayOnlyNote = `${gatewayOnly.client}/${gatewayOnly.name}`
    } else {
      gatewayOnlyNote = 'skipped: no manifest operation is answered by the gateway alone (only __typename/__schema/__type at the root), and under enforce a free-form { __typename } has no id to compare with'
      console.log(`gateway-only comparison ${gatewayOnlyNote}`)
    }
    const after = await trusted()

    const cpuList = cpus()
    const result = {
      benchmark: 'persisted',
      date: new Date().toISOString(),
      machine: {
        cores: availableParallelism(),
        cpu: cpuList[0]?.model.trim() ?? 'unknown',
        platform: `${process.platform}-${process.arch}`,
        memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
        loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100),
      },
      node: process.version,
      storage: 'PGlite (embedded, one connection)',
      bus: 'none (startStack({ bus: false }))',
      trustedDocuments: 'enforce',
      http: 'node:http keep-alive agent, one socket per loop, 127.0.0.1',
      seconds: options.seconds,
      warmupSeconds: options.warmup,
      slices: options.slices,
      concurrency: options.concurrency,
      setupMs: round1(setupMs),
      comparisons,
      gatewayOnly: gatewayOnlyNote,
      /** the gateway's trusted-documents counters over the run: every request should count as known */
      trustedDocumentsCounters: { known: after.known - before.known, unknown: after.unknown - before.unknown, refused: after.refused - before.refused },
    }

    printTable(result.comparisons, result)
    const dir = fileURLToPath(new URL('./results/', import.meta.url))
    mkdirSync(dir, { recursive: true })
    const file = `${dir}persisted.json`
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
    console.log(`\nwrote ${file}`)
    const errors = comparisons.reduce((n, c) => n + c.document.errors + c.persisted.errors, 0)
    if (errors > 0) {
      for (const c of comparisons)
        for (const mode of ['document', 'persisted'] as const)
          for (const [problem, count] of Object.entries(c[mode].problems)) console.log(`  ${c.operation} ${mode}: ${count} × ${problem}`)
    }
    process.exitCode = errors > 0 || result.trustedDocumentsCounters.unknown > 0 || result.trustedDocumentsCounters.refused > 0 ? 1 : 0
  } finally {
    client?.close()
    await stack?.close().catch((error: unknown) => console.error(`closing the stack: ${describeThrown(error)}`))
  }
}

function printTable(
  comparisons: readonly Comparison[],
  r: { machine: { cores: number; cpu: string; loadAverageAtEnd: number[] }; node: string; concurrency: number; seconds: number; gatewayOnly: string; trustedDocumentsCounters: Record<string, number> },
): void {
  console.log(`\n${r.machine.cores} cores, ${r.machine.cpu}, node ${r.node}; ${r.concurrency} in flight, ${r.seconds} s per mode; load average at end ${r.machine.loadAverageAtEnd.join(' ')}`)
  const header = ['operation', 'mode', 'request bytes', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors', 'req/s per slice']
  const rows: string[][] = []
  const n = (x: number | null, digits: number) => (x === null ? 'n/a' : x.toFixed(digits))
  for (const c of comparisons) {
    for (const mode of ['document', 'persisted'] as const) {
      const f = c[mode]
      rows.push([c.operation, mode === 'document' ? 'full document' : 'persisted id', String(f.requestBytes), String(f.requests), n(f.requestsPerSecond, 1), n(f.latencyMs.p50, 2), n(f.latencyMs.p90, 2), n(f.latencyMs.p99, 2), String(f.errors), f.sliceRequestsPerSecond.map((x) => n(x, 0)).join(' ')])
    }
    rows.push([c.operation, 'ratio id/doc', '', '', n(c.ratio.requestsPerSecond, 3), n(c.ratio.latencyP50, 3), '', n(c.ratio.latencyP99, 3), '', ''])
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  const rule = `+-${widths.map((w) => '-'.repeat(w)).join('-+-')}-+`
  console.log(rule)
  console.log(line(header))
  console.log(rule)
  for (const row of rows) console.log(line(row))
  console.log(rule)
  console.log(`gateway-only comparison: ${r.gatewayOnly}`)
  console.log(`trusted-documents counters over the run: ${JSON.stringify(r.trustedDocumentsCounters)}`)
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
