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
import { existsSync, readdirSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import type { Agent } from 'node:http'
import { Kind, parse, type OperationDefinitionNode } from 'graphql'
import { OPERATIONS_DIR, driveSlice, getJson, keepAlive, loadManifest, measureInSlices, post, sliceFigures, type ManifestOperation } from './load.ts'
import {
  capRunTime, describeThrown, listenLocal, loadAverage, machine, parseBenchOptions, round1, runBench, sliceOptions, startBenchStack, table, text, writeResult,
} from './support.ts'
import type { Stack } from '../test/stack.ts'

// ---------------------------------------------------------------------------------------------
// options

const USAGE =
  'usage: node --import tsx bench/persisted.ts [--seconds 10] [--concurrency 16] [--operation ProductPage] [--warmup 3] [--slices 2]'

const parseOptions = (argv: readonly string[]) => parseBenchOptions(argv, USAGE, { ...sliceOptions(10, 3), operation: text('ProductPage') })
type Options = ReturnType<typeof parseOptions>

/** Fixed variables for the storefront queries that need no viewer and no ids made at run time. */
const VARIABLES: Record<string, Record<string, unknown>> = {
  ProductPage: { handle: 'classic-tee-001', currency: 'USD' },
  ProductListing: { first: 24, currency: 'USD' },
  SearchProducts: { query: 'tee', first: 20, currency: 'USD' },
}

// ---------------------------------------------------------------------------------------------
// helpers

/** Every client's manifest operations. */
function loadOperations(): ManifestOperation[] {
  return readdirSync(OPERATIONS_DIR, { withFileTypes: true })
    .filter((client) => client.isDirectory() && existsSync(`${OPERATIONS_DIR}${client.name}/manifest.json`))
    .flatMap((client) => loadManifest(client.name))
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

type ModeFigures = ReturnType<typeof sliceFigures> & { readonly requestBytes: number }

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

const HEADERS = { 'apollographql-client-name': 'storefront' }

/** Checks both forms answer the same, warms up, then measures both in ABBA-ordered slices. */
async function compare(agent: Agent, port: number, op: ManifestOperation, variables: Record<string, unknown>, options: Options): Promise<Comparison> {
  const payloads: Record<Mode, string> = {
    document: JSON.stringify({ query: op.body, variables }),
    persisted: JSON.stringify({ documentId: `sha256:${op.id}`, variables }),
  }
  // one request each: both succeed and give the same data
  const answers: Partial<Record<Mode, string>> = {}
  for (const mode of ['document', 'persisted'] as const) {
    const { status, text } = await post(agent, port, payloads[mode], HEADERS)
    const problem = problemOf(status, text)
    if (problem) throw new Error(`${op.name} as ${mode}: ${problem}`)
    answers[mode] = JSON.stringify((JSON.parse(text) as { data: unknown }).data)
  }
  if (answers.document !== answers.persisted) throw new Error(`${op.name}: the full document and the persisted id answer differently`)

  // `concurrency` loops sending the mode's payload
  const { slices } = await measureInSlices(op.name, ['document', 'persisted'] as const, (m) => (m === 'document' ? 'D' : 'P'), options, (mode, ms) =>
    driveSlice(mode, options.concurrency, ms, async () => {
      const { status, text } = await post(agent, port, payloads[mode], HEADERS)
      return problemOf(status, text)
    }),
  )
  const figuresOf = (mode: Mode): ModeFigures => ({ ...sliceFigures(slices.filter((s) => s.mode === mode)), requestBytes: Buffer.byteLength(payloads[mode]) })
  const document = figuresOf('document')
  const persisted = figuresOf('persisted')
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
  capRunTime(2 * 2 * (options.warmup + options.seconds) * 1000 + 180_000)

  let stack: Stack | undefined
  const agent = keepAlive(options.concurrency)
  try {
    console.log('starting the stack (PGlite, no bus, TRUSTED_DOCUMENTS=enforce) ...')
    const setupStarted = performance.now()
    stack = await startBenchStack('embedded', {
      bus: false,
      gatewayConfig: { trustedDocuments: 'enforce', trustedDocumentsAllowStaff: false, trustedDocumentsDir: OPERATIONS_DIR },
    })
    const port = await listenLocal(stack.gateway)
    const setupMs = performance.now() - setupStarted
    const trusted = async () => (await getJson(port, '/metrics/trusted-documents')) as { known: number; unknown: number; refused: number }
    const before = await trusted()

    const comparisons: Comparison[] = [await compare(agent, port, target, variables, options)]
    let gatewayOnlyNote: string
    if (gatewayOnly) {
      comparisons.push(await compare(agent, port, gatewayOnly, {}, options))
      gatewayOnlyNote = `${gatewayOnly.client}/${gatewayOnly.name}`
    } else {
      gatewayOnlyNote = 'skipped: no manifest operation is answered by the gateway alone (only __typename/__schema/__type at the root), and under enforce a free-form { __typename } has no id to compare with'
      console.log(`gateway-only comparison ${gatewayOnlyNote}`)
    }
    const after = await trusted()

    const result = {
      benchmark: 'persisted',
      date: new Date().toISOString(),
      machine: machine({ loadAverageAtEnd: loadAverage() }),
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
    writeResult('persisted', result)
    const errors = comparisons.reduce((n, c) => n + c.document.errors + c.persisted.errors, 0)
    if (errors > 0) {
      for (const c of comparisons)
        for (const mode of ['document', 'persisted'] as const)
          for (const [problem, count] of Object.entries(c[mode].problems)) console.log(`  ${c.operation} ${mode}: ${count} × ${problem}`)
    }
    process.exitCode = errors > 0 || result.trustedDocumentsCounters.unknown > 0 || result.trustedDocumentsCounters.refused > 0 ? 1 : 0
  } finally {
    agent.destroy()
    await stack?.close().catch((error: unknown) => console.error(`closing the stack: ${describeThrown(error)}`))
  }
}

function printTable(
  comparisons: readonly Comparison[],
  r: { machine: { cores: number; cpu: string; loadAverageAtEnd: number[] }; node: string; concurrency: number; seconds: number; gatewayOnly: string; trustedDocumentsCounters: Record<string, number> },
): void {
  console.log(`\n${r.machine.cores} cores, ${r.machine.cpu}, node ${r.node}; ${r.concurrency} in flight, ${r.seconds} s per mode; load average at end ${r.machine.loadAverageAtEnd.join(' ')}`)
  const rows: string[][] = []
  const n = (x: number | null, digits: number) => (x === null ? 'n/a' : x.toFixed(digits))
  for (const c of comparisons) {
    for (const mode of ['document', 'persisted'] as const) {
      const f = c[mode]
      rows.push([c.operation, mode === 'document' ? 'full document' : 'persisted id', String(f.requestBytes), String(f.requests), n(f.requestsPerSecond, 1), n(f.latencyMs.p50, 2), n(f.latencyMs.p90, 2), n(f.latencyMs.p99, 2), String(f.errors), f.sliceRequestsPerSecond.map((x) => n(x, 0)).join(' ')])
    }
    rows.push([c.operation, 'ratio id/doc', '', '', n(c.ratio.requestsPerSecond, 3), n(c.ratio.latencyP50, 3), '', n(c.ratio.latencyP99, 3), '', ''])
  }
  table(['operation', 'mode', 'request bytes', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors', 'req/s per slice'], rows, 2)
  console.log(`gateway-only comparison: ${r.gatewayOnly}`)
  console.log(`trusted-documents counters over the run: ${JSON.stringify(r.trustedDocumentsCounters)}`)
}

runBench(main)
