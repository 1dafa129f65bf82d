/**
 * Gateway comparison: the same operations, with the same bodies, through this project's gateway
 * and through stock gateways over the same four subgraphs, each service a process of its own, in
 * one run on this machine.
 *
 *   npm run bench:gateway -- [--connections 50] [--seconds 10] [--warmup 3] [--targets a,b] [--operations a,b] [--max-seconds 1200] [--out gateway]
 *
 * Targets: `this-off` (gateway/main.ts with CACHE=off DEDUPLICATION=off), `this-nocache` (CACHE=off
 * DEDUPLICATION=fetches), `apollo` (stock @apollo/gateway in @apollo/server, bench/peers/apollo.ts),
 * `hive-off`, `hive` and `hive-dedup` (Hive Gateway with its subgraph fetch deduplication off, its
 * defaults, and with inbound request deduplication, bench/peers/hive.ts) and `direct-off` (the one
 * subgraph that answers an operation alone), all over subgraphs started with CACHE=off; then the
 * subgraphs restart with CACHE on for `this` (gateway/main.ts with its defaults) and `direct-on`.
 * The subgraphs run on a PostgreSQL database cloned from the test template for the run, dropped at
 * the end, and publish on NATS JetStream (NATS_URL, default nats://127.0.0.1:4222) in a namespace
 * of the run's own, deleted at the end: this gateway's response cache tails it. Per (target, operation): one request whose answer must carry data, no errors, and the
 * same data as the first target that answered it (`this-off` when it runs); a warm-up; then a
 * measured autocannon run (requests/s, latency, errors, and the CPU and peak RSS of the gateway
 * process and of the subgraph processes over that window, from /proc). Output: a table and ratios
 * on stdout, bench/results/<out>.json and bench/results/<out>.md (`--out`, default gateway).
 */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { operationFromDocument, Supergraph } from '@apollo/federation-internals'
import { QueryPlanner } from '@apollo/query-planner'
import { parse, validate } from 'graphql'
import { acceptEnforcedSecurityFeatures } from '../contracts/securityFeatures.ts'
import { loadConfig } from '../platform/config.ts'
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/subgraphRegistry.ts'
import { ANONYMOUS, type Viewer } from '../platform/viewer.ts'
import { keepAlive, loadManifest, post } from './load.ts'
import { answersOk, freePort, ROOT, serviceEnv, startService, startUsageWindow, waitUntilQuiet, waitUntilReady, type Service } from './processes.ts'
import {
  capRunTime, describeThrown, integer, loadAverage, machine, markdownTable, parseBenchOptions, round1, round2, runBench, table, text, useStorage, writeResult, writeResultFile,
} from './support.ts'

// ---------------------------------------------------------------------------------------------
// options

const TARGET_NAMES = ['this-off', 'this-nocache', 'apollo', 'hive-off', 'hive', 'hive-dedup', 'direct-off', 'this', 'this-2w', 'direct-on'] as const
type TargetName = (typeof TARGET_NAMES)[number]
const OPERATION_NAMES = ['ProductListing', 'ProductPage', 'Shelf', 'MyOrders', 'Deep', 'ProductPage-distinct'] as const
type OperationName = (typeof OPERATION_NAMES)[number]

const USAGE = `usage: npm run bench:gateway -- [--connections 50] [--seconds 10] [--warmup 3] [--targets ${TARGET_NAMES.join(',')}]
       [--operations ${OPERATION_NAMES.join(',')}] [--max-seconds 1200] [--out gateway]`

/** The names of a comma list that are not among `known`. */
const unknownNames = (list: string, known: readonly string[]) => list.split(',').map((s) => s.trim()).filter((s) => !known.includes(s))

const parseOptions = (argv: readonly string[]) =>
  parseBenchOptions(
    argv,
    USAGE,
    {
      connections: integer(50, 1, 1000),
      seconds: integer(10, 1, 300),
      warmup: integer(3, 0, 60),
      targets: text(TARGET_NAMES.join(',')),
      operations: text(OPERATION_NAMES.join(',')),
      'max-seconds': integer(1200, 30, 7200),
      out: text('gateway'),
    },
    (o) => [
      ...(/^gateway[A-Za-z0-9_-]*$/.test(o.out) ? [] : [`--out must start with 'gateway' and hold only letters, digits, '-' and '_', not '${o.out}'`]),
      ...unknownNames(o.targets, TARGET_NAMES).map((t) => `--targets: unknown target '${t}' (${TARGET_NAMES.join(', ')})`),
      ...unknownNames(o.operations, OPERATION_NAMES).map((op) => `--operations: unknown operation '${op}' (${OPERATION_NAMES.join(', ')})`),
    ],
  )

type Options = ReturnType<typeof parseOptions>

/** The entries of `all` the comma list names, in the order of `all`. */
const selected = <T extends string>(list: string, all: readonly T[]): T[] => {
  const names = new Set(list.split(',').map((s) => s.trim()))
  return all.filter((name) => names.has(name))
}

// ---------------------------------------------------------------------------------------------
// targets

/** CACHE of the subgraphs a target runs over. */
type SubgraphCache = 'off' | 'on'

interface GatewayProcess {
  readonly file: string
  readonly args: readonly string[]
  /** Its own settings, over the ones every gateway process gets (gatewayEnv). */
  readonly env: Readonly<Record<string, string>>
  /** How to tell it is ready: this gateway's `/readyz`, or a peer's first answer to `{ __typename }`. */
  readonly ready: 'readyz' | 'typename'
}

interface Target {
  readonly name: TargetName
  readonly cache: SubgraphCache
  /** The process in front of the subgraphs; null: the request goes to the subgraph itself. */
  readonly gateway: GatewayProcess | null
  readonly about: string
}

const THIS_GATEWAY = 'gateway/main.ts'
const TARGETS: readonly Target[] = [
  {
    name: 'this-off',
    cache: 'off',
    gateway: { file: THIS_GATEWAY, args: [], env: { CACHE: 'off', DEDUPLICATION: 'off' }, ready: 'readyz' },
    about: 'this gateway, CACHE=off DEDUPLICATION=off, subgraphs CACHE=off',
  },
  {
    name: 'this-nocache',
    cache: 'off',
    gateway: { file: THIS_GATEWAY, args: [], env: { CACHE: 'off', DEDUPLICATION: 'fetches' }, ready: 'readyz' },
    about: "this gateway, CACHE=off DEDUPLICATION=fetches (identical subgraph fetches in flight shared, as Hive's defaults do), subgraphs CACHE=off",
  },
  { name: 'apollo', cache: 'off', gateway: { file: 'bench/peers/apollo.ts', args: [], env: {}, ready: 'typename' }, about: 'stock @apollo/gateway in @apollo/server, subgraphs CACHE=off' },
  {
    name: 'hive-off',
    cache: 'off',
    gateway: { file: 'bench/peers/hive.ts', args: ['--no-fetch-dedup'], env: {}, ready: 'typename' },
    about: 'Hive Gateway with its in-flight subgraph fetch deduplication off (deduplicateInflightRequests: false), subgraphs CACHE=off',
  },
  {
    name: 'hive',
    cache: 'off',
    gateway: { file: 'bench/peers/hive.ts', args: [], env: {}, ready: 'typename' },
    about: 'Hive Gateway defaults (which share identical subgraph fetches in flight), subgraphs CACHE=off',
  },
  {
    name: 'hive-dedup',
    cache: 'off',
    gateway: { file: 'bench/peers/hive.ts', args: ['--dedup'], env: {}, ready: 'typename' },
    about: 'Hive Gateway with inboundInflightRequestDeduplication, subgraphs CACHE=off',
  },
  { name: 'direct-off', cache: 'off', gateway: null, about: 'the one subgraph that answers the operation alone, CACHE=off' },
  { name: 'this', cache: 'on', gateway: { file: THIS_GATEWAY, args: [], env: {}, ready: 'readyz' }, about: 'this gateway with its defaults (CACHE and DEDUPLICATION on), subgraphs CACHE on' },
  {
    name: 'this-2w',
    cache: 'on',
    gateway: { file: THIS_GATEWAY, args: [], env: { GATEWAY_WORKERS: '2' }, ready: 'readyz' },
    about: 'this gateway with its defaults on two workers (GATEWAY_WORKERS=2), subgraphs CACHE on',
  },
  { name: 'direct-on', cache: 'on', gateway: null, about: 'the one subgraph that answers the operation alone, CACHE on' },
]

/** What every gateway process gets (the peers read the same variables through loadConfig). */
/**
 * The run's bus: NATS JetStream in a namespace of the run's own (deleted at the end), so this
 * gateway's response cache hears the subgraphs' events as in production.
 */
const busEnv = (): Record<string, string> => ({ NATS_URL: process.env['NATS_URL'] as string, NATS_NAMESPACE: `bench_gateway_${process.pid}` })

const gatewayEnv = (port: number, subgraphs: Readonly<Record<SubgraphName, Service>>): Record<string, string> => ({
  ...busEnv(),
  GATEWAY_PORT: String(port),
  ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, `http://127.0.0.1:${subgraphs[name].port}/graphql`])),
  LOG_LEVEL: 'warn',
  // the peers have no rate limits, no anomaly detection and no manifests: neither has this gateway here
  RATE_LIMIT_ENABLED: 'false',
  ANOMALY_DETECTION: 'false',
  TRUSTED_DOCUMENTS: 'off',
  SHUTDOWN_DRAIN_MS: '0',
})

// ---------------------------------------------------------------------------------------------
// operations

/**
 * A shelf of 20 products: variant prices from catalog, stock per location from inventory. Shaped
 * by this gateway's default limits: MAX_DEPTH 6 counts leaves, so `variants.nodes.price.amount.minorUnits`
 * under `products.nodes` (7) and `stock.nodes.location.id` (8) do not fit; the money comes from
 * `priceRange`, each variant's price entity is still resolved, and stock per location is
 * `availableToSell(locationIds:)` per location. Every seeded product has at most 4 variants, so
 * `first: 5` reads them all (and keeps the estimated cost under MAX_COST_ANONYMOUS 1000).
 */
const SHELF = `query Shelf {
  products(first: 20) {
    nodes {
      id
      title
      priceRange(currency: "USD") { min { minorUnits } max { minorUnits } }
      variants(first: 5) {
        nodes {
          sku
          price(currency: "USD") { id taxIncluded }
          availableToSell
          east: availableToSell(locationIds: ["loc_wh_east"])
          eu: availableToSell(locationIds: ["loc_wh_eu"])
          nyc: availableToSell(locationIds: ["loc_store_nyc"])
        }
      }
    }
  }
}`

/**
 * In the style of graphql-gateways-benchmark's deep query, within MAX_DEPTH 6: catalog (product,
 * variants) → inventory (availableToSell, inventoryItem) → catalog (the item's variant) →
 * inventory (its availableToSell); and catalog categories → their products' variants → inventory.
 */
const DEEP = `query Deep($handle: String!) {
  product(handle: $handle) {
    id
    title
    variants(first: 10) {
      nodes {
        sku
        title
        availableToSell
        inventoryItem {
          tracked
          variant { id title availableToSell }
        }
      }
    }
  }
  categories {
    name
    products(first: 2) {
      nodes {
        title
        variants(first: 2) { nodes { sku availableToSell } }
      }
    }
  }
}`

const HANDLE = 'classic-tee-001'

interface Operation {
  readonly name: OperationName
  /** Request bodies, sent in rotation (one, except ProductPage-distinct). */
  readonly bodies: readonly string[]
  /** Sent as the signed-in customer (Authorization: Bearer), else anonymous. */
  readonly customer: boolean
  /** The one subgraph that answers it alone (its query plan is one fetch); null when it spans several. */
  readonly subgraph: SubgraphName | null
  /** Whether an answer shows the seeded data (not an empty page or a null product). */
  readonly seeded: (data: any) => boolean
  readonly about: string
}

const body = (query: string, operationName: string, variables: Record<string, unknown>) => JSON.stringify({ operationName, query, variables })

/** The query planner's view: validates a document against the API schema, and says which subgraph answers it alone. */
function planner(): (query: string) => SubgraphName | null {
  const supergraph = Supergraph.build(acceptEnforcedSecurityFeatures(readFileSync(join(ROOT, 'supergraph.graphql'), 'utf8')))
  const api = supergraph.apiSchema()
  const schema = api.toGraphQLJSSchema()
  const queryPlanner = new QueryPlanner(supergraph)
  return (query) => {
    const document = parse(query)
    const problems = validate(schema, document)
    if (problems.length > 0) throw new Error(`an operation is not valid against supergraph.graphql:\n${problems.map((p) => p.message).join('\n')}\n${query}`)
    const node = queryPlanner.buildQueryPlan(operationFromDocument(api, document)).node
    return node?.kind === 'Fetch' ? (node.serviceName as SubgraphName) : null
  }
}

/** The operations, their bodies and who answers each; `handles` are the seeded ACTIVE products (ProductPage-distinct). */
function buildOperations(handles: readonly string[]): Operation[] {
  const manifest = new Map(loadManifest('storefront').map((op) => [op.name, op.body]))
  const text = (name: string) => {
    const found = manifest.get(name)
    if (!found) throw new Error(`operations/storefront/manifest.json has no ${name}`)
    return found
  }
  const plan = planner()
  const operation = (name: OperationName, query: string, bodies: string[], rest: Pick<Operation, 'customer' | 'seeded' | 'about'>): Operation => ({
    name, bodies, subgraph: plan(query), ...rest,
  })
  const page = text('ProductPage')
  return [
    operation('ProductListing', text('ProductListing'), [body(text('ProductListing'), 'ProductListing', { first: 24, currency: 'USD' })], {
      customer: false, seeded: (d) => d?.products?.nodes?.length > 0, about: 'manifest ProductListing, first 24, USD, anonymous',
    }),
    operation('ProductPage', page, [body(page, 'ProductPage', { handle: HANDLE, currency: 'USD' })], {
      customer: false, seeded: (d) => d?.product?.variants?.nodes?.length > 0, about: `manifest ProductPage, ${HANDLE}, USD, anonymous`,
    }),
    operation('Shelf', SHELF, [body(SHELF, 'Shelf', {})], {
      customer: false, seeded: (d) => d?.products?.nodes?.length === 20, about: '20 products, variant prices (catalog) and stock per location (inventory), anonymous',
    }),
    operation('MyOrders', text('MyOrders'), [body(text('MyOrders'), 'MyOrders', { first: 10 })], {
      customer: true, seeded: (d) => d?.orders?.nodes?.length > 0, about: 'manifest MyOrders, first 10, as the seeded customer',
    }),
    operation('Deep', DEEP, [body(DEEP, 'Deep', { handle: HANDLE })], {
      customer: false, seeded: (d) => d?.product?.variants?.nodes?.length > 0 && d?.categories?.length > 0, about: 'catalog → inventory → catalog → inventory, anonymous',
    }),
    operation('ProductPage-distinct', page, handles.map((handle) => body(page, 'ProductPage', { handle, currency: 'USD' })), {
      customer: false, seeded: (d) => d?.product?.variants?.nodes?.length > 0, about: `manifest ProductPage, every request another of the ${handles.length} ACTIVE products, USD, anonymous`,
    }),
  ]
}

// ---------------------------------------------------------------------------------------------
// answers: data, no errors, the same data as the reference target

/** JSON with every object's keys sorted: equal for answers that differ only in field order. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort)
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]))
    return v
  }
  return JSON.stringify(sort(value))
}

/** Where two JSON values first differ (a path such as `data.product.variants.nodes[2].sku`), or null. */
function firstDifference(a: unknown, b: unknown, path = 'data'): string | null {
  if (canonical(a) === canonical(b)) return null
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path} (${a.length} items vs ${b.length})`
    for (let i = 0; i < a.length; i++) {
      const found = firstDifference(a[i], b[i], `${path}[${i}]`)
      if (found) return found
    }
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`)
      if (found) return found
    }
  }
  return `${path} (${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)})`
}

/** Which bodies of a rotation are checked: all of a short one, about ten spread over a long one. */
const sampleIndexes = (count: number, at = 10) => Array.from(new Set(Array.from({ length: Math.min(count, at) }, (_, i) => Math.floor((i * count) / Math.min(count, at)))))

type AnswerStatus = 'ok' | 'differs' | 'failed'
interface AnswerCheck {
  readonly status: AnswerStatus
  readonly detail: string | null
  /** The target whose answers this one was compared with (itself when it is the reference). */
  readonly comparedWith: TargetName
}

/** The reference answers: per operation and body, the data of the first target that answered it. */
type References = Map<string, { readonly target: TargetName; readonly data: unknown }>

async function checkAnswers(target: TargetName, operation: Operation, endpoint: Endpoint, references: References): Promise<AnswerCheck> {
  const agent = keepAlive(1)
  let comparedWith: TargetName = target
  try {
    for (const index of sampleIndexes(operation.bodies.length)) {
      const payload = operation.bodies[index] as string
      const answer = await post(agent, endpoint.port, payload, endpoint.headers(payload))
      let parsed: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }
      try {
        parsed = JSON.parse(answer.text) as typeof parsed
      } catch {
        return { status: 'failed', detail: `HTTP ${answer.status}, not JSON: ${answer.text.slice(0, 160)}`, comparedWith }
      }
      if (parsed.errors?.length) {
        const first = parsed.errors[0]
        return { status: 'failed', detail: `HTTP ${answer.status}, ${parsed.errors.length} error(s): ${first?.extensions?.code ?? ''} ${first?.message}`.slice(0, 240), comparedWith }
      }
      if (answer.status !== 200 || parsed.data === undefined || parsed.data === null) return { status: 'failed', detail: `HTTP ${answer.status} without data`, comparedWith }
      if (!operation.seeded(parsed.data)) return { status: 'failed', detail: `no seeded data in the answer: ${answer.text.slice(0, 160)}`, comparedWith }
      const key = `${operation.name}#${index}`
      const reference = references.get(key)
      if (!reference) {
        references.set(key, { target, data: parsed.data })
        continue
      }
      comparedWith = reference.target
      const difference = firstDifference(parsed.data, reference.data)
      if (difference) return { status: 'differs', detail: `body ${index}: differs from ${reference.target} at ${difference}`, comparedWith }
    }
    return { status: 'ok', detail: null, comparedWith }
  } finally {
    agent.destroy()
  }
}

// ---------------------------------------------------------------------------------------------
// load (autocannon 8, programmatic)

interface CannonRequestData {
  body?: string | Buffer
  headers?: Record<string, string>
}
interface CannonRequest {
  readonly method: 'POST'
  readonly path: string
  setupRequest(request: CannonRequestData): CannonRequestData
  onResponse(status: number, body: string): void
}
interface CannonHistogram {
  readonly average: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly total?: number
}
interface CannonResult {
  readonly requests: CannonHistogram
  readonly latency: CannonHistogram
  readonly duration: number
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
  readonly statusCodeStats: Record<string, { count: number }>
}
interface CannonInstance {
  stop(): void
}
type Autocannon = (
  options: { url: string; connections: number; duration: number; timeout: number; requests: CannonRequest[] },
  done: (error: Error | null, result: CannonResult) => void,
) => CannonInstance
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

/** Where a target's requests go, and the headers each body is sent with. */
interface Endpoint {
  readonly port: number
  headers(body: string): Record<string, string>
}

interface Load {
  readonly result: CannonResult
  /** 2xx answers whose body holds `"errors"`. */
  readonly graphqlErrors: number
}

/** The autocannon run in progress, stopped on Ctrl-C. */
let current: CannonInstance | null = null

/** `connections` keep-alive connections POSTing the operation's bodies in rotation for `seconds`. */
function drive(endpoint: Endpoint, operation: Operation, connections: number, seconds: number): Promise<Load> {
  let next = 0
  let graphqlErrors = 0
  const request: CannonRequest = {
    method: 'POST',
    path: '/graphql',
    // one counter over every connection: consecutive requests carry consecutive bodies, so no two
    // identical ones are in flight while the rotation is longer than the connections
    setupRequest(data) {
      const payload = operation.bodies[next++ % operation.bodies.length] as string
      data.body = payload
      data.headers = { ...endpoint.headers(payload) }
      return data
    },
    onResponse(status, text) {
      if (status >= 200 && status < 300 && text.includes('"errors"')) graphqlErrors++
    },
  }
  return new Promise((resolve, reject) => {
    current = autocannon({ url: `http://127.0.0.1:${endpoint.port}`, connections, duration: seconds, timeout: 10, requests: [request] }, (error, result) => {
      current = null
      if (error) reject(error)
      else resolve({ result, graphqlErrors })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// one (target, operation)

interface Usage {
  readonly cpuSeconds: number
  readonly cpuMsPerRequest: number | null
  readonly peakRssMB: number
  readonly rssMB: number
  /** Whether the peak is over the measured window (the kernel reset it); else it is the peak since the process started. */
  readonly peakOverWindow: boolean
}

interface Row {
  readonly target: TargetName
  readonly operation: OperationName
  readonly answer: AnswerStatus | 'skipped'
  readonly answerDetail: string | null
  readonly comparedWith: TargetName | null
  readonly requestsPerSecond: number | null
  readonly requests: number | null
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number } | null
  readonly errors: { readonly total: number; readonly non2xx: number; readonly transport: number; readonly timeouts: number; readonly graphql: number } | null
  readonly gateway: Usage | null
  readonly subgraphs: Usage | null
}

const MB = 1024 * 1024

function usageOf(window: ReturnType<typeof startUsageWindow>, requests: number): Usage {
  const figures = window.end()
  return {
    cpuSeconds: round2(figures.cpuSeconds) as number,
    cpuMsPerRequest: requests > 0 ? round2((figures.cpuSeconds * 1000) / requests) : null,
    peakRssMB: round1(figures.peakRssBytes / MB) as number,
    rssMB: round1(figures.rssBytes / MB) as number,
    peakOverWindow: figures.peakSinceWindow,
  }
}

const skippedRow = (target: TargetName, operation: OperationName, detail: string, check?: AnswerCheck): Row => ({
  target, operation, answer: check?.status ?? 'skipped', answerDetail: detail, comparedWith: check?.comparedWith ?? null,
  requestsPerSecond: null, requests: null, latencyMs: null, errors: null, gateway: null, subgraphs: null,
})

/** Checks the answer, warms up, then measures one operation through one target. */
async function measure(
  target: TargetName, operation: Operation, endpoint: Endpoint, gatewayPid: number | null, subgraphPids: readonly number[], options: Options, references: References,
): Promise<Row> {
  const check = await checkAnswers(target, operation, endpoint, references)
  if (check.status === 'failed') return skippedRow(target, operation.name, `not measured: ${check.detail}`, check)
  const pids = gatewayPid === null ? subgraphPids : [gatewayPid, ...subgraphPids]
  if (options.warmup > 0) await drive(endpoint, operation, options.connections, options.warmup)
  // what the warm-up (or the previous run) left in flight is not this run's work
  if (!(await waitUntilQuiet(pids))) console.log(`  (${target} ${operation.name}: the processes were still busy 15 s after the warm-up; measuring anyway)`)
  if (interrupted) return skippedRow(target, operation.name, 'not measured: interrupted', check)
  const gatewayWindow = gatewayPid === null ? null : startUsageWindow([gatewayPid])
  const subgraphWindow = startUsageWindow(subgraphPids)
  const { result, graphqlErrors } = await drive(endpoint, operation, options.connections, options.seconds)
  const requests = result.requests.total ?? 0
  return {
    target,
    operation: operation.name,
    answer: check.status,
    answerDetail: check.detail,
    comparedWith: check.comparedWith,
    requestsPerSecond: round1(result.requests.average),
    requests,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: round2(result.latency.average) as number, max: result.latency.max },
    errors: {
      total: result.non2xx + result.errors + graphqlErrors,
      non2xx: result.non2xx,
      transport: result.errors,
      timeouts: result.timeouts,
      graphql: graphqlErrors,
    },
    gateway: gatewayWindow ? usageOf(gatewayWindow, requests) : null,
    subgraphs: usageOf(subgraphWindow, requests),
  }
}

// ---------------------------------------------------------------------------------------------
// the run

/** What to close when the run ends, however it ends; closed last first. */
const closers: (() => Promise<void>)[] = []
let interrupted = false

async function closeAll(): Promise<void> {
  for (let closer = closers.pop(); closer; closer = closers.pop()) await closer().catch((error: unknown) => console.error(`closing: ${describeThrown(error)}`))
}

/** Ctrl-C / SIGTERM stop the measurement in progress and close everything; a second one exits at once. */
function handleSignals(): void {
  const stop = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130)
    interrupted = true
    console.error(`\n${signal}: stopping; closing every process and the database ...`)
    current?.stop()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  process.on('uncaughtException', (error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`)
    void closeAll().finally(() => process.exit(1))
  })
}

/**
 * A database of the run's own, cloned from the test template (seeded) at DATABASE_URL; dropped when
 * the run closes. useStorage('pg-nats') must have run before platform/testing.ts was first imported.
 */
async function cloneDatabase(): Promise<string> {
  const { openTestDatabase } = await import('../platform/testing.ts')
  const { SUBGRAPHS } = await import('../subgraphs/registry.ts')
  const test = await openTestDatabase(SUBGRAPHS)
  closers.push(() => test.close())
  const { rows } = await test.db.query<{ name: string }>('select current_database() as name')
  const name = rows[0]?.name ?? ''
  // the services migrate the database they are given: never one but the clone
  if (!name.startsWith('commerce_test_')) throw new Error(`the test database is '${name}', not a clone of the test template: is DATABASE_URL set?`)
  const url = new URL(process.env['DATABASE_URL'] as string)
  url.pathname = `/${name}`
  return url.toString()
}

/** The four subgraphs, each a process of its own on the run's database, with CACHE `cache`. */
async function startSubgraphs(databaseUrl: string, cache: SubgraphCache): Promise<Record<SubgraphName, Service>> {
  const services = {} as Record<SubgraphName, Service>
  for (const name of SUBGRAPH_NAMES) {
    const port = await freePort()
    const env = serviceEnv({ ...busEnv(), DATABASE_URL: databaseUrl, [`${name.toUpperCase()}_PORT`]: String(port), LOG_LEVEL: 'warn', SEED_ON_START: 'false', CACHE: cache })
    services[name] = startService(`${name} (CACHE=${cache})`, `subgraphs/${name}/main.ts`, [], env, port)
    closers.push(() => services[name].stop())
  }
  for (const service of Object.values(services)) await waitUntilReady(service, '/healthz', answersOk(service.port, '/healthz'))
  return services
}

/** POST `{ __typename }` answers `Query` (a peer's readiness). */
const answersTypename = (port: number) => async () => {
  const answer = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ __typename }"}',
    signal: AbortSignal.timeout(2000),
  })
  return ((await answer.json()) as { data?: { __typename?: string } }).data?.__typename === 'Query'
}

async function startGateway(target: Target, gateway: GatewayProcess, subgraphs: Record<SubgraphName, Service>): Promise<Service> {
  const port = await freePort()
  const service = startService(target.name, gateway.file, gateway.args, serviceEnv({ ...gatewayEnv(port, subgraphs), ...gateway.env }), port)
  closers.push(() => service.stop())
  await waitUntilReady(service, gateway.ready === 'readyz' ? '/readyz' : '{ __typename }', gateway.ready === 'readyz' ? answersOk(port, '/readyz') : answersTypename(port))
  return service
}

/** What every (target, operation) of the run shares. */
interface Run {
  readonly options: Options
  /** performance.now() past which no (target, operation) is started. */
  readonly deadline: number
  readonly operations: readonly Operation[]
  readonly references: References
  /** The customer's Authorization header value, and the viewer this gateway makes of it. */
  readonly bearer: string
  readonly customer: Viewer
  /** The signed viewer header over a body (for the direct targets). */
  readonly sign: (who: Viewer, body: string) => Record<string, string>
}

const JSON_HEADERS = { 'content-type': 'application/json' }

/** How one target is called: its gateway's port with the client's headers, or the subgraph's with a signed viewer; null when it does not apply. */
function endpointFor(run: Run, service: Service | null, operation: Operation, subgraphs: Readonly<Record<SubgraphName, Service>>): Endpoint | null {
  if (service) {
    const headers = operation.customer ? { ...JSON_HEADERS, authorization: run.bearer } : JSON_HEADERS
    return { port: service.port, headers: () => headers }
  }
  if (!operation.subgraph) return null
  const viewer = operation.customer ? run.customer : ANONYMOUS
  return { port: subgraphs[operation.subgraph].port, headers: (payload) => ({ ...JSON_HEADERS, ...run.sign(viewer, payload) }) }
}

/** A signed viewer header lives a minute: each body's is made again after half of that. */
function cachedSigner(sign: (who: Viewer, body: string) => Record<string, string>): Run['sign'] {
  const signed = new Map<string, { readonly headers: Record<string, string>; readonly at: number }>()
  return (who, payload) => {
    const key = `${who.sub ?? ''}\n${payload}`
    const now = Date.now()
    let entry = signed.get(key)
    if (!entry || now - entry.at > 30_000) {
      entry = { headers: sign(who, payload), at: now }
      signed.set(key, entry)
    }
    return entry.headers
  }
}

function describeRow(row: Row): string {
  if (!row.latencyMs || !row.errors) return `${row.target} ${row.operation}: ${row.answerDetail}`
  const flag = row.answer === 'differs' ? ` — ANSWER ${row.answerDetail}` : ''
  return `${row.target} ${row.operation}: ${row.requestsPerSecond} req/s, p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, ${row.errors.total} errors${flag}`
}

/** Every operation through one target (its gateway started for them and stopped after), a row each. */
async function runTarget(run: Run, target: Target, subgraphs: Readonly<Record<SubgraphName, Service>>): Promise<Row[]> {
  const { options } = run
  const subgraphPids = Object.values(subgraphs).map((s) => s.pid)
  const service = target.gateway ? await startGateway(target, target.gateway, subgraphs) : null
  const rows: Row[] = []
  for (const operation of run.operations) {
    const endpoint = endpointFor(run, service, operation, subgraphs)
    if (!endpoint || interrupted) continue
    const row =
      performance.now() + (options.warmup + options.seconds + 5) * 1000 > run.deadline
        ? skippedRow(target.name, operation.name, `not measured: --max-seconds ${options.maxSeconds} reached`)
        : await measure(target.name, operation, endpoint, service?.pid ?? null, subgraphPids, options, run.references)
    rows.push(row)
    console.log(describeRow(row))
  }
  if (service) {
    // a gateway waits for the requests still in flight before it exits (the last run's leftovers)
    await waitUntilQuiet([service.pid, ...subgraphPids])
    await service.stop()
  }
  return rows
}

/** The targets over subgraphs with CACHE=off, then those over subgraphs restarted with CACHE on. */
async function runTargets(run: Run, targets: readonly Target[], databaseUrl: string): Promise<Row[]> {
  const rows: Row[] = []
  for (const cache of ['off', 'on'] as const) {
    const phase = targets.filter((t) => t.cache === cache)
    if (phase.length === 0 || interrupted) continue
    console.log(`\nsubgraphs with CACHE=${cache} ...`)
    const subgraphs = await startSubgraphs(databaseUrl, cache)
    for (const target of phase) if (!interrupted) rows.push(...(await runTarget(run, target, subgraphs)))
    for (const service of Object.values(subgraphs)) await service.stop()
  }
  return rows
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const deadline = performance.now() + options.maxSeconds * 1000
  capRunTime((options.maxSeconds + 60) * 1000)
  handleSignals()
  // PostgreSQL at DATABASE_URL, before anything imports platform/testing.ts (it reads DATABASE_URL once)
  useStorage('pg-nats')
  const targets = selected(options.targets, TARGET_NAMES).map((name) => TARGETS.find((t) => t.name === name) as Target)
  const operationNames = selected(options.operations, OPERATION_NAMES)

  const { buildWorld } = await import('../seed/world.ts')
  const { signToken, viewerFromAuthorization } = await import('../gateway/auth.ts')
  const { signedHeaders } = await import('../platform/testing.ts')
  const { DEFAULT_SUBJECTS } = await import('../scripts/token.ts')
  const handles = buildWorld().products.filter((p) => p.status === 'ACTIVE').map((p) => p.handle)
  // every process runs on the development defaults (serviceEnv drops the shell's settings): so does this one
  const config = loadConfig(serviceEnv({}))
  const expiresIn = Math.min(config.maxTokenLifetimeSeconds, options.maxSeconds + 600)
  const bearer = `Bearer ${await signToken({ sub: DEFAULT_SUBJECTS.customer, roles: ['customer'], expiresIn }, config)}`
  const run: Run = {
    options,
    deadline,
    operations: buildOperations(handles).filter((op) => operationNames.includes(op.name)),
    references: new Map(),
    bearer,
    customer: await viewerFromAuthorization(bearer, config),
    sign: cachedSigner((who, payload) => signedHeaders(who, config, payload)),
  }

  console.log(`gateway benchmark: ${targets.map((t) => t.name).join(', ')} × ${run.operations.map((o) => o.name).join(', ')}`)
  console.log(`${options.connections} connections, ${options.warmup} s warm-up + ${options.seconds} s measured per pair, cap ${options.maxSeconds} s`)
  for (const op of run.operations) console.log(`  ${op.name}: ${op.subgraph ? `one subgraph (${op.subgraph}): direct targets apply` : 'several subgraphs'}`)

  const loadBefore = loadAverage()
  let rows: Row[]
  const { deleteNatsNamespace } = await import('../platform/natsBus.ts')
  // closed last: every service has stopped by then
  closers.push(() => deleteNatsNamespace(busEnv()['NATS_URL'] as string, busEnv()['NATS_NAMESPACE'] as string))
  try {
    rows = await runTargets(run, targets, await cloneDatabase())
  } finally {
    await closeAll()
  }
  if (interrupted) {
    process.exitCode = 130
    return
  }
  report(run, targets, rows, loadBefore, DEFAULT_SUBJECTS.customer)
}

/** The tables on stdout, the results files, and the exit code (1 when an answer was wrong or a request failed). */
function report(run: Run, targets: readonly Target[], rows: readonly Row[], loadBefore: number[], customer: string): void {
  const { options, operations } = run
  const ratios = ratiosOf(rows, operations)
  printResults(rows, ratios)
  const result = {
    benchmark: 'gateway',
    date: new Date().toISOString(),
    machine: machine({ loadAverageBefore: loadBefore, loadAverageAfter: loadAverage() }),
    node: process.version,
    options,
    setup: {
      processes: 'each subgraph, each gateway and the load generator (autocannon, in this process) a process of its own, on this machine',
      storage: 'PostgreSQL, a database cloned from the test template for the run (dropped at the end)',
      bus: "NATS JetStream on this machine, in a namespace of the run's own (deleted at the end)",
      gatewayEnv: 'RATE_LIMIT_ENABLED=false ANOMALY_DETECTION=false TRUSTED_DOCUMENTS=off LOG_LEVEL=warn; limits at their defaults',
      customer,
    },
    targets: targets.map(({ name, about }) => ({ name, about })),
    operations: operations.map(({ name, about, subgraph, customer: asCustomer, bodies }) => ({ name, about, answeredAloneBy: subgraph, customer: asCustomer, bodies: bodies.length })),
    rows,
    ratios,
  }
  writeResult(options.out, result)
  writeResultFile(`${options.out}.md`, markdownReport(result.date, result.machine, options, targets, rows, ratios))
  const problems = rows.filter((r) => r.answer !== 'ok' || (r.errors?.total ?? 0) > 0)
  if (problems.length > 0) {
    console.log(`\nproblems (${problems.length}):`)
    for (const row of problems) console.log(`  ${describeRow(row)}${row.answer === 'ok' ? ` (${JSON.stringify(row.errors)})` : ''}`)
  }
  process.exitCode = problems.length > 0 ? 1 : 0
}

// ---------------------------------------------------------------------------------------------
// ratios and output

interface Ratio {
  readonly what: string
  readonly operation: OperationName
  readonly value: number | null
  readonly wanted: string
  readonly met: boolean | null
}

function ratiosOf(rows: readonly Row[], operations: readonly Operation[]): Ratio[] {
  const row = (target: TargetName, operation: OperationName) => rows.find((r) => r.target === target && r.operation === operation && r.requestsPerSecond !== null)
  const rps = (target: TargetName, operation: OperationName) => row(target, operation)?.requestsPerSecond ?? null
  const ratio = (what: string, operation: OperationName, a: number | null, b: number | null, atLeast: number): Ratio => {
    const value = a !== null && b !== null && b > 0 ? round2(a / b) : null
    return { what, operation, value, wanted: `≥ ${atLeast}`, met: value === null ? null : value >= atLeast }
  }
  const ratios: Ratio[] = []
  for (const { name, subgraph } of operations) {
    // Hive's defaults share identical subgraph fetches in flight: compared with this gateway doing the
    // same (this-nocache), and with both sharing nothing (this-off, hive-off)
    ratios.push(ratio('this-nocache / hive req/s', name, rps('this-nocache', name), rps('hive', name), 1))
    ratios.push(ratio('this-off / hive-off req/s', name, rps('this-off', name), rps('hive-off', name), 1))
    ratios.push(ratio('this-off / apollo req/s', name, rps('this-off', name), rps('apollo', name), 1.5))
    ratios.push(ratio('this / hive-dedup req/s', name, rps('this', name), rps('hive-dedup', name), 1))
    const p99 = row('this', name)?.latencyMs?.p99 ?? null
    ratios.push({ what: 'this p99 ms', operation: name, value: p99, wanted: '< 100', met: p99 === null ? null : p99 < 100 })
    if (name === 'ProductPage-distinct') {
      ratios.push(ratio('this / apollo req/s', name, rps('this', name), rps('apollo', name), 5))
      ratios.push(ratio('this-2w / apollo req/s', name, rps('this-2w', name), rps('apollo', name), 5))
    }
    if (subgraph) {
      // what a gateway that calls the subgraph for every request can reach at most: the subgraph alone
      const ceiling = ratio('direct-off / apollo req/s (ceiling of this-off / apollo)', name, rps('direct-off', name), rps('apollo', name), 0)
      ratios.push({ ...ceiling, wanted: '–', met: null })
      for (const [gateway, direct] of [['this-off', 'direct-off'], ['this', 'direct-on']] as const) {
        const a = row(gateway, name)?.latencyMs?.p50 ?? null
        const b = row(direct, name)?.latencyMs?.p50 ?? null
        const value = a !== null && b !== null ? round2(a - b) : null
        ratios.push({ what: `${gateway} p50 − ${direct} p50 ms`, operation: name, value, wanted: '≤ 2', met: value === null ? null : value <= 2 })
      }
    }
  }
  return ratios.filter((r) => r.value !== null)
}

const cell = (n: number | null | undefined) => (n === null || n === undefined ? '–' : String(n))

const ROW_HEADER = ['target', 'operation', 'answer', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'gw CPU s', 'gw RSS MB', 'gw CPU ms/req', 'sg CPU s', 'sg RSS MB']
const rowCells = (r: Row) => [
  r.target,
  r.operation,
  r.answer === 'ok' ? 'ok' : `${r.answer}${r.answerDetail ? ` (${r.answerDetail.slice(0, 60)})` : ''}`,
  cell(r.requestsPerSecond),
  cell(r.latencyMs?.p50),
  cell(r.latencyMs?.p99),
  cell(r.errors?.total),
  cell(r.gateway?.cpuSeconds),
  cell(r.gateway?.peakRssMB),
  cell(r.gateway?.cpuMsPerRequest),
  cell(r.subgraphs?.cpuSeconds),
  cell(r.subgraphs?.peakRssMB),
]
const RATIO_HEADER = ['operation', 'figure', 'value', 'wanted', 'met']
const ratioCells = (r: Ratio) => [r.operation, r.what, cell(r.value), r.wanted, r.met === null ? '–' : r.met ? 'yes' : 'NO']

function printResults(rows: readonly Row[], ratios: readonly Ratio[]): void {
  console.log('')
  table(ROW_HEADER, rows.map(rowCells), 3)
  console.log('')
  table(RATIO_HEADER, ratios.map(ratioCells), 2)
}

function markdownReport(
  date: string, host: ReturnType<typeof machine<{ loadAverageBefore: number[]; loadAverageAfter: number[] }>>, options: Options, targets: readonly Target[], rows: readonly Row[], ratios: readonly Ratio[],
): string {
  return [
    `# bench:gateway — ${date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${host.cores} cores (${host.cpu}), ${host.memoryGiB} GiB, ${host.platform}, Node ${process.version}; load average ${host.loadAverageBefore.join(' ')} ` +
      `before, ${host.loadAverageAfter.join(' ')} after. ${options.connections} connections, ${options.warmup} s warm-up + ${options.seconds} s measured per ` +
      '(target, operation). gw = the gateway process, sg = the four subgraph processes (CPU seconds over the measured window; RSS = peak over it, ' +
      'summed over the subgraphs).',
    '',
    ...targets.map((t) => `- \`${t.name}\`: ${t.about}`),
    '',
    markdownTable(ROW_HEADER, rows.map(rowCells), 3),
    '',
    markdownTable(RATIO_HEADER, ratios.map(ratioCells), 2),
    '',
  ].join('\n')
}

runBench(main)
