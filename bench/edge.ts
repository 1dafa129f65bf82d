/**
 * The gateway's edge (limits, authorization, rate limits, anomaly detection) in three parts:
 *
 * 1. Cost of measuring, no HTTP: `createOperationGuard(config).admit(...)` + `.authorize(...)` for
 *    every operation of the storefront and partner manifests, against the committed supergraph, in
 *    microseconds per call.
 * 2. Throughput with the edge's parts on and off: the storefront ProductPage over real HTTP on
 *    127.0.0.1, N in flight as N signed-in customers, against one gateway per mode, all in front of
 *    the same subgraphs, measured in ABBA slices: (a) limits only, (b) + rate limits in memory +
 *    anomaly detection, (c) + rate limits in Redis (skipped, saying so, when Redis does not answer).
 *    Every budget is far too large to run out: the figures are the edge's overhead, not refusals.
 * 3. Under attack: the production defaults (startSecurityStack's gateway config, X-Forwarded-For
 *    trusted from 127.0.0.1), a mixed flood with 32 in flight for ~10 s, the process's memory
 *    sampled every 100 ms, and a legitimate ProductPage stream (1 in flight, signed-in customers)
 *    before and during the flood.
 *
 *   node --import tsx --expose-gc bench/edge.ts [--seconds 8] [--concurrency 16] [--attack-seconds 10]
 *
 * The whole supergraph runs in this process (test/stack.ts: PGlite, no bus); the gateways under
 * test are built with buildGatewayApp over the same subgraphs and listen on ephemeral ports.
 */
import { readFileSync } from 'node:fs'
import type { Agent } from 'node:http'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { Kind, parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql'
import { Redis } from 'ioredis'
import { signToken } from '../gateway/auth.ts'
import { buildGatewayApp } from '../gateway/app.ts'
import { EDGE_CODES } from '../gateway/limits/edgePlugin.ts'
import { createOperationGuard, type OperationGuard } from '../gateway/limits/operationGuard.ts'
import { redisAnswers } from '../gateway/rateLimit/redisTesting.ts'
import { apiSchemaOf } from '../contracts/buildManifest.ts'
import type { Config } from '../platform/config.ts'
import type { Viewer } from '../platform/viewer.ts'
import { buildWorld } from '../seed/world.ts'
import type { Stack } from '../test/stack.ts'
import { driveSlice, getJson, keepAlive, loadManifest, measureInSlices, post, sliceFigures, type Answer, type Slice } from './load.ts'
import {
  capRunTime, describeThrown, integer, latencyFigures, listenLocal, loadAverage, machine, parseBenchOptions, percentile, round1, round2, runBench,
  sliceOptions, startBenchStack, table, text, useStorage, writeResult, type LatencyFigures,
} from './support.ts'

// ---------------------------------------------------------------------------------------------
// options

const USAGE = `usage: node --import tsx --expose-gc bench/edge.ts [options]
  --iterations 300       part 1: calls per operation per round
  --rounds 5             part 1: rounds (the median is reported; one more runs first, discarded)
  --seconds 8            part 2: measured seconds per mode
  --warmup 2             part 2: seconds per mode run first and discarded
  --slices 2             part 2: slices per mode, in ABBA order (abc cba ...)
  --concurrency 16       part 2: requests in flight, one signed-in customer each
  --redis-url URL        part 2 mode (c): default redis://127.0.0.1:6379 (this machine only)
  --attack-seconds 10    part 3: length of the flood
  --before-seconds 4     part 3: legitimate stream alone, before the flood
  --attack-concurrency 32  part 3: flood requests in flight
  --flood-ips 32         part 3: anonymous addresses the flood comes from (X-Forwarded-For)
  --legit-customers 64   part 3: signed-in customers the legitimate stream rotates over
  --out edge             results file: bench/results/<out>.json (edge, edge-run2, ...)`

const parseOptions = (argv: readonly string[]) =>
  parseBenchOptions(
    argv,
    USAGE,
    {
      iterations: integer(300, 1, 100_000),
      rounds: integer(5, 1, 50),
      ...sliceOptions(8, 2),
      'redis-url': text('redis://127.0.0.1:6379'),
      'attack-seconds': integer(10, 1, 120),
      'before-seconds': integer(4, 1, 60),
      'attack-concurrency': integer(32, 1, 256),
      'flood-ips': integer(32, 1, 65_536),
      'legit-customers': integer(64, 1, 10_000),
      out: text('edge'),
    },
    (options) => {
      const problems: string[] = []
      if (!/^edge[A-Za-z0-9_-]*$/.test(options.out)) problems.push(`--out must start with 'edge' and hold only letters, digits, '-' and '_', not '${options.out}'`)
      try {
        const host = new URL(options.redisUrl).hostname
        if (host !== '127.0.0.1' && host !== 'localhost') problems.push(`--redis-url must point at this machine, not '${host}'`)
      } catch {
        problems.push(`--redis-url must be a URL, not '${options.redisUrl}'`)
      }
      return problems
    },
  )
type Options = ReturnType<typeof parseOptions>

// ---------------------------------------------------------------------------------------------
// helpers

const ROOT = fileURLToPath(new URL('../', import.meta.url))

function operationOf(document: DocumentNode): OperationDefinitionNode {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  if (!operation) throw new Error('the document holds no operation')
  return operation
}

const median = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 50)
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10
const count = (into: Record<string, number>, key: string) => {
  into[key] = (into[key] ?? 0) + 1
}

// ---------------------------------------------------------------------------------------------
// HTTP (node:http, keep-alive, 127.0.0.1 only)

/** The first error's `extensions.code`, `ok` for data without errors, or what else came back. */
function outcomeOf(answer: Answer): string {
  let body: { data?: unknown; errors?: { extensions?: { code?: unknown } }[] }
  try {
    body = JSON.parse(answer.text) as typeof body
  } catch {
    return `HTTP ${answer.status} (not JSON)`
  }
  const code = body.errors?.[0]?.extensions?.code
  if (body.errors?.length) return typeof code === 'string' ? code : 'error without code'
  if (answer.status !== 200) return `HTTP ${answer.status}`
  return body.data === null || body.data === undefined ? 'no data' : 'ok'
}

// ---------------------------------------------------------------------------------------------
// part 1: cost of measuring

const customer = (sub: string): Viewer => ({ sub, roles: ['customer'], scopes: [], locationIds: null })
const PARTNER: Viewer = { sub: 'partner_bench', roles: ['partner'], scopes: ['stock:read'], locationIds: null }
const ANONYMOUS: Viewer = { sub: null, roles: [], scopes: [], locationIds: null }

/** Variables a real client would send with each manifest operation (they drive slicing and keys). */
function variablesFor(name: string, handle: string, skus: readonly string[]): Record<string, unknown> | undefined {
  const table: Record<string, Record<string, unknown>> = {
    CartLinesAdd: { input: { idempotencyKey: 'k_bench_1', currency: 'USD', countryCode: 'US', lines: skus.slice(0, 2).map((sku) => ({ sku, quantity: 1 })) } },
    CartView: { id: 'cart_bench_1' },
    CheckoutComplete: { input: { idempotencyKey: 'k_bench_2', cartId: 'cart_bench_1', paymentMethodToken: 'tok_ok', expectedTotal: { minorUnits: '2500', currency: 'USD' } } },
    MyOrders: { first: 10 },
    ProductListing: { first: 24, currency: 'USD' },
    ProductPage: { handle, currency: 'USD' },
    SearchProducts: { query: 'tee', first: 20, currency: 'USD' },
    OrderStatus: { number: '1001' },
    StockChanges: { filter: { skus: skus.slice(0, 20), locationIds: ['loc_wh_east'] }, currency: 'EUR' },
    StockLevels: { filter: { skus: skus.slice(0, 20), locationIds: ['loc_wh_east'] }, first: 100 },
  }
  return table[name]
}

interface MeasuringFigures {
  readonly client: string
  readonly operation: string
  readonly type: string
  readonly viewer: string
  readonly variables: Record<string, unknown> | 'none known: {}'
  readonly measures: { depth: number; aliases: number; rootFields: number; directives: number; cost: number; keys: number } | null
  readonly admitted: string
  readonly authorization: string | null
  /** µs per call, median of the rounds */
  readonly microsPerCall: { admitAndAuthorize: number | null; admit: number | null; authorize: number | null }
  readonly roundsMicros: (number | null)[]
}

function measureGuard(options: Options, config: Readonly<Config>, handle: string, skus: readonly string[]) {
  const supergraphSdl = readFileSync(`${ROOT}supergraph.graphql`, 'utf8')
  const schema: GraphQLSchema = apiSchemaOf(supergraphSdl)
  const guard: OperationGuard = createOperationGuard(config)
  guard.update(supergraphSdl)

  const cases = [...loadManifest('storefront'), ...loadManifest('partner')].map((op) => {
    const document = parse(op.body)
    const operation = operationOf(document)
    const variables = variablesFor(op.name, handle, skus)
    const viewer = op.client === 'partner' ? PARTNER : customer('c_bench_1')
    return { op, document, operation, variables: variables ?? {}, known: variables !== undefined, viewer }
  })
  // the policy really loaded: an anonymous viewer may not read a cart
  const cartView = cases.find((c) => c.op.name === 'CartView')
  if (cartView && guard.authorize(schema, cartView.document, cartView.operation, ANONYMOUS).kind === 'allowed') {
    throw new Error('the authorization policy did not load from supergraph.graphql: CartView is allowed to anonymous viewers')
  }

  type Case = (typeof cases)[number]
  // what the edge does with each: admit, and authorize only what was admitted
  const both = (c: Case) => {
    try {
      guard.admit(schema, c.document, c.operation, c.variables, c.viewer)
    } catch {
      return
    }
    guard.authorize(schema, c.document, c.operation, c.viewer)
  }
  const admitOnly = (c: Case) => {
    try {
      guard.admit(schema, c.document, c.operation, c.variables, c.viewer)
    } catch {
      // a refusal is measured like an admission: it is what the edge pays for it
    }
  }
  const authorizeOnly = (c: Case) => guard.authorize(schema, c.document, c.operation, c.viewer)
  const timeOf = (run: (c: Case) => unknown, c: Case) => {
    const started = performance.now()
    for (let i = 0; i < options.iterations; i++) run(c)
    return ((performance.now() - started) * 1000) / options.iterations
  }

  const timings = cases.map(() => ({ both: [] as number[], admit: [] as number[], authorize: [] as number[] }))
  // round 0 warms the JIT and is discarded; operations interleave within a round, so drift on a
  // shared machine falls on all of them alike
  for (let round = 0; round <= options.rounds; round++) {
    cases.forEach((c, i) => {
      const t = { both: timeOf(both, c), admit: timeOf(admitOnly, c), authorize: timeOf(authorizeOnly, c) }
      if (round === 0) return
      timings[i]!.both.push(t.both)
      timings[i]!.admit.push(t.admit)
      timings[i]!.authorize.push(t.authorize)
    })
  }

  const figures: MeasuringFigures[] = cases.map((c, i) => {
    let measures: MeasuringFigures['measures'] = null
    let admitted = 'admitted'
    let authorization: string | null = null
    try {
      const admission = guard.admit(schema, c.document, c.operation, c.variables, c.viewer)
      const m = admission.measures
      measures = { depth: m.depth, aliases: m.aliases, rootFields: m.rootFields, directives: m.directives, cost: m.cost, keys: m.keys.length }
      admitted = `admitted (${admission.role}, max cost ${config.limits.maxCost[admission.role]})`
      authorization = guard.authorize(schema, c.document, c.operation, c.viewer).kind
    } catch (error) {
      admitted = `refused: ${describeThrown(error)}`
    }
    const t = timings[i]!
    return {
      client: c.op.client,
      operation: c.op.name,
      type: c.op.type,
      viewer: c.viewer.sub === null ? 'anonymous' : `${c.viewer.roles.join(',')}${c.viewer.scopes.length ? ` scopes ${c.viewer.scopes.join(' ')}` : ''}`,
      variables: c.known ? c.variables : 'none known: {}',
      measures,
      admitted,
      authorization,
      microsPerCall: { admitAndAuthorize: round2(median(t.both)), admit: round2(median(t.admit)), authorize: round2(median(t.authorize)) },
      roundsMicros: t.both.map(round2),
    }
  })
  return { supergraph: 'supergraph.graphql (committed), API schema by apiSchemaOf', limits: 'production defaults (loadConfig({ NODE_ENV: "test" }).limits)', iterations: options.iterations, rounds: options.rounds, operations: figures }
}

// ---------------------------------------------------------------------------------------------
// part 2: throughput per mode

type ModeName = 'limits' | 'rate-memory' | 'rate-redis'
const MODE_LABELS: Record<ModeName, string> = {
  limits: '(a) limits, no rate limit, no anomaly',
  'rate-memory': '(b) + rate limits in memory + anomaly',
  'rate-redis': '(c) + rate limits in Redis + anomaly',
}

/** Script calls Redis has run (server-wide: other clients of the same Redis count too). */
async function redisScriptCalls(url: string): Promise<number | null> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 500, retryStrategy: () => null, maxRetriesPerRequest: 0 })
  redis.on('error', () => {})
  try {
    await redis.connect()
    const info = await redis.info('commandstats')
    let calls = 0
    for (const match of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) calls += Number(match[1])
    return calls
  } catch {
    return null
  } finally {
    redis.disconnect()
  }
}

async function measureThroughput(options: Options, prod: Readonly<Config>, stack: Stack, supergraph: string, handles: readonly string[], runId: string) {
  const edgeLimits: Partial<Config> = { limits: prod.limits, maxResponseBytes: prod.maxResponseBytes, requestTimeoutMs: prod.requestTimeoutMs }
  // a budget no client can spend in a run: these modes measure the cost of charging, not refusals
  const unlimited = { ...prod.rateLimit, enabled: true, perSecond: { anonymous: 1e9, customer: 1e9, partner: 1e9, staff: 1e9 } }
  const configs: Record<ModeName, Readonly<Config>> = {
    limits: { ...stack.config, ...edgeLimits, rateLimit: { ...prod.rateLimit, enabled: false }, anomaly: { ...prod.anomaly, enabled: false }, redisUrl: null },
    'rate-memory': { ...stack.config, ...edgeLimits, rateLimit: unlimited, anomaly: prod.anomaly, redisUrl: null },
    'rate-redis': { ...stack.config, ...edgeLimits, rateLimit: unlimited, anomaly: prod.anomaly, redisUrl: options.redisUrl },
  }
  const modes: ModeName[] = ['limits', 'rate-memory']
  let skipped: string | null = null
  if (await redisAnswers(options.redisUrl, 1000)) modes.push('rate-redis')
  else {
    skipped = `mode (c) skipped: no Redis answered at ${options.redisUrl}`
    console.log(skipped)
  }

  const body = loadManifest('storefront').find((op) => op.name === 'ProductPage')?.body
  if (!body) throw new Error('no ProductPage in operations/storefront/manifest.json')
  // one customer per loop, each reading a product of its own (real handles from the seed world)
  const requests = await Promise.all(
    Array.from({ length: options.concurrency }, async (_, i) => ({
      payload: JSON.stringify({ query: body, operationName: 'ProductPage', variables: { handle: handles[i % handles.length], currency: 'USD' } }),
      headers: { authorization: `Bearer ${await signToken({ sub: `c_edge_${runId}_${i}`, roles: ['customer'] }, stack.config)}`, 'apollographql-client-name': 'storefront' },
    })),
  )

  const gateways: Partial<Record<ModeName, { app: FastifyInstance; port: number; agent: Agent }>> = {}
  try {
    for (const mode of modes) {
      const app = await buildGatewayApp({ config: configs[mode], supergraph })
      gateways[mode] = { app, port: await listenLocal(app), agent: keepAlive(options.concurrency) }
    }
    // every mode answers the same, and the rate limiter is really on where it should be
    let reference: string | undefined
    for (const mode of modes) {
      const g = gateways[mode]!
      const answer = await post(g.agent, g.port, requests[0]!.payload, requests[0]!.headers, 30_000)
      const outcome = outcomeOf(answer)
      if (outcome !== 'ok') throw new Error(`ProductPage through mode ${mode}: ${outcome}`)
      const data = JSON.stringify((JSON.parse(answer.text) as { data: unknown }).data)
      if (reference !== undefined && data !== reference) throw new Error(`mode ${mode} answers ProductPage differently`)
      reference = data
      const limited = answer.headers['ratelimit-limit'] !== undefined
      if (limited !== (mode !== 'limits')) throw new Error(`mode ${mode}: RateLimit headers ${limited ? 'present' : 'missing'}`)
    }

    let redisCalls = 0
    let redisCallsKnown = true
    // one loop per request (one customer each); Redis's script calls counted around each measured slice
    const drive = async (mode: ModeName, ms: number, phase: 'warmup' | 'measured'): Promise<Slice<ModeName>> => {
      const g = gateways[mode]!
      const counted = mode === 'rate-redis' && phase === 'measured'
      const before = counted ? await redisScriptCalls(options.redisUrl) : null
      const slice = await driveSlice(mode, requests.length, ms, async (loop) => {
        const outcome = outcomeOf(await post(g.agent, g.port, requests[loop]!.payload, requests[loop]!.headers, 30_000))
        return outcome === 'ok' ? null : outcome
      })
      if (counted) {
        const after = await redisScriptCalls(options.redisUrl)
        if (before === null || after === null) redisCallsKnown = false
        else redisCalls += after - before
      }
      return slice
    }
    const { order, slices } = await measureInSlices('throughput', modes, (m) => 'abc'[modes.indexOf(m)]!, options, drive)

    const results: Partial<Record<ModeName, unknown>> = {}
    const summary: { mode: ModeName; rps: number | null; latency: LatencyFigures; errors: number; perSlice: (number | null)[] }[] = []
    for (const mode of modes) {
      const figures = sliceFigures(slices.filter((s) => s.mode === mode))
      summary.push({ mode, rps: figures.requestsPerSecond, latency: figures.latencyMs, errors: figures.errors, perSlice: figures.sliceRequestsPerSecond })
      results[mode] = {
        label: MODE_LABELS[mode],
        rateLimit: configs[mode].rateLimit.enabled ? `on, ${configs[mode].redisUrl ? 'Redis' : 'memory'}, ${unlimited.perSecond.customer} units/s per customer` : 'off',
        anomaly: configs[mode].anomaly.enabled ? 'on' : 'off',
        ...figures,
        edgeMetrics: await getJson(gateways[mode]!.port, '/metrics/edge'),
        ...(mode === 'rate-redis' ? { redisScriptCallsDuringSlices: redisCallsKnown ? redisCalls : 'unknown (INFO failed)' } : {}),
      }
    }
    const base = summary.find((s) => s.mode === 'limits')!
    const relative = Object.fromEntries(
      summary.map((s) => [s.mode, { requestsPerSecond: s.rps !== null && base.rps ? Math.round((s.rps / base.rps) * 1000) / 1000 : null, p50: s.latency.p50 !== null && base.latency.p50 ? Math.round((s.latency.p50 / base.latency.p50) * 1000) / 1000 : null }]),
    )
    return {
      operation: 'storefront ProductPage (full document, manifest body)',
      handles: handles.slice(0, options.concurrency),
      currency: 'USD',
      concurrency: options.concurrency,
      customers: `${options.concurrency} distinct signed-in customers (c_edge_${runId}_0 ...), one per loop`,
      seconds: options.seconds,
      warmupSeconds: options.warmup,
      slices: options.slices,
      order,
      skipped,
      modes: results,
      relativeToLimitsOnly: relative,
      summary,
    }
  } finally {
    for (const g of Object.values(gateways)) {
      g.agent.destroy()
      await g.app.close().catch((error: unknown) => console.error(`closing a gateway: ${describeThrown(error)}`))
    }
  }
}

// ---------------------------------------------------------------------------------------------
// part 3: under attack

/** 1,000 aliased root fields, each a page of 100 products. */
function aliasQuery(aliases: number): string {
  const fields: string[] = []
  for (let i = 0; i < aliases; i++) fields.push(`a${i}: products(first: 100) { nodes { id } }`)
  return `{ ${fields.join(' ')} }`
}

/** An address in 198.18.0.0/15, the range set aside for benchmarks (RFC 2544). */
const floodIp = (i: number) => `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`

const gc = () => (globalThis as { gc?: () => void }).gc?.()
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc()
    await sleep(50)
  }
  return process.memoryUsage()
}

interface AttackInput {
  readonly stack: Stack
  readonly supergraph: string
  readonly handles: readonly string[]
  readonly runId: string
  /** test/security/securityStack.ts: the gateway settings under attack, and the deep query */
  readonly edgeDefaults: (overrides?: Partial<Config>) => Partial<Config>
  readonly deepQuery: string
  readonly productPageCost: number | null
}

async function underAttack(options: Options, { stack, supergraph, handles, runId, edgeDefaults, deepQuery, productPageCost }: AttackInput) {
  // what startSecurityStack runs: the test config with every edge setting on its production default
  const config: Readonly<Config> = { ...stack.config, ...edgeDefaults({ trustedProxies: ['127.0.0.1'] }) }
  const app = await buildGatewayApp({ config, supergraph })
  const port = await listenLocal(app)
  const floodAgent = keepAlive(options.attackConcurrency)
  const legitAgent = keepAlive(1)
  try {
    const body = loadManifest('storefront').find((op) => op.name === 'ProductPage')!.body
    const page = (handle: string) => JSON.stringify({ query: body, operationName: 'ProductPage', variables: { handle, currency: 'USD' } })
    const tokenOf = async (sub: string) => `Bearer ${await signToken({ sub, roles: ['customer'] }, stack.config)}`

    // one customer alone, 1 in flight: how many product pages before its budget runs out
    const single = { sub: `c_edge_${runId}_single`, ok: 0, firstRefusal: null as string | null, retryAfter: null as string | null }
    {
      const authorization = await tokenOf(single.sub)
      for (let i = 0; i < 30; i++) {
        const answer = await post(legitAgent, port, page(handles[0]!), { authorization }, 30_000)
        const outcome = outcomeOf(answer)
        if (outcome !== 'ok') {
          single.firstRefusal = outcome
          const retry = answer.headers['retry-after']
          single.retryAfter = typeof retry === 'string' ? retry : null
          break
        }
        single.ok++
      }
    }

    // the legitimate stream: 1 in flight, each request from the next of a pool of customers, so no
    // one customer outruns its own budget (a single one would: see `singleCustomer`)
    const legitTokens = await Promise.all(Array.from({ length: options.legitCustomers }, (_, i) => tokenOf(`c_edge_${runId}_legit_${i}`)))
    const legit = { phase: 'before' as 'before' | 'during' | 'after', latencies: { before: [] as number[], during: [] as number[] }, outcomes: { before: {} as Record<string, number>, during: {} as Record<string, number> }, stop: false }
    let legitIndex = 0
    const legitStart = performance.now()
    const legitLoop = (async () => {
      while (!legit.stop) {
        const i = legitIndex++
        const phase = legit.phase
        const sent = performance.now()
        let outcome: string
        try {
          outcome = outcomeOf(await post(legitAgent, port, page(handles[i % handles.length]!), { authorization: legitTokens[i % legitTokens.length]! }, 30_000))
        } catch (error) {
          outcome = describeThrown(error)
        }
        // a request that started before the flood and ended in it counts for neither phase
        if (phase === 'after' || phase !== legit.phase) continue
        count(legit.outcomes[phase], outcome)
        if (outcome === 'ok') legit.latencies[phase].push(performance.now() - sent)
      }
    })()

    const samples: [number, number, number][] = []
    const sampleStart = performance.now()
    const sampler = setInterval(() => {
      const m = process.memoryUsage()
      samples.push([Math.round(performance.now() - sampleStart) / 1000, mib(m.heapUsed), mib(m.rss)])
    }, 100)

    console.log(`attack: legitimate stream alone for ${options.beforeSeconds} s ...`)
    await sleep(options.beforeSeconds * 1000)
    const baseline = await settledMemory()
    const edgeBefore = (await getJson(port, '/metrics/edge')) as { refusals: Record<string, number>; clientsTracked: number; clientsThrottled: number }

    const payloads = {
      deep: JSON.stringify({ query: deepQuery }),
      aliases: JSON.stringify({ query: aliasQuery(1000) }),
      fanout: JSON.stringify({ query: '{ products(first: 100) { nodes { variants(first: 100) { nodes { id sku } } } } }' }),
      typename: JSON.stringify({ query: '{ __typename }' }),
    }
    type FloodKind = keyof typeof payloads
    const kinds = Object.keys(payloads) as FloodKind[]
    const byKind = Object.fromEntries(kinds.map((k) => [k, { sent: 0, statuses: {} as Record<string, number>, codes: {} as Record<string, number> }])) as Record<FloodKind, { sent: number; statuses: Record<string, number>; codes: Record<string, number> }>
    const refusalsPerSecond: number[] = []
    let sent = 0
    let refused = 0
    console.log(`attack: flood for ${options.attackSeconds} s, ${options.attackConcurrency} in flight, from ${options.floodIps} addresses, with the legitimate stream ...`)
    legit.phase = 'during'
    const floodStart = performance.now()
    const beforeMs = floodStart - legitStart
    const until = floodStart + options.attackSeconds * 1000
    let floodEnd = floodStart
    const floodLoop = async (loop: number) => {
      for (let n = 0; performance.now() < until; n++) {
        const kind = kinds[(loop + n) % kinds.length]!
        const i = sent++
        byKind[kind].sent++
        let status: string
        let code: string
        try {
          const answer = await post(floodAgent, port, payloads[kind], { 'x-forwarded-for': floodIp(i % options.floodIps) }, 15_000)
          status = String(answer.status)
          code = outcomeOf(answer)
        } catch (error) {
          status = 'network'
          code = describeThrown(error)
        }
        const now = performance.now()
        floodEnd = Math.max(floodEnd, now)
        count(byKind[kind].statuses, status)
        count(byKind[kind].codes, code)
        if (EDGE_CODES.has(code)) {
          refused++
          const second = Math.floor((now - floodStart) / 1000)
          while (refusalsPerSecond.length <= second) refusalsPerSecond.push(0)
          refusalsPerSecond[second]!++
        }
      }
    }
    await Promise.all(Array.from({ length: options.attackConcurrency }, (_, loop) => floodLoop(loop)))
    legit.phase = 'after'
    legit.stop = true
    await legitLoop
    clearInterval(sampler)
    const edgeAfter = (await getJson(port, '/metrics/edge')) as typeof edgeBefore
    floodAgent.destroy()
    legitAgent.destroy()
    const final = await settledMemory()

    const floodMs = floodEnd - floodStart
    const during = samples.filter(([t]) => t * 1000 >= floodStart - sampleStart && t * 1000 <= floodEnd - sampleStart)
    const statuses: Record<string, number> = {}
    const codes: Record<string, number> = {}
    for (const k of kinds) {
      for (const [s, n] of Object.entries(byKind[k].statuses)) statuses[s] = (statuses[s] ?? 0) + n
      for (const [c, n] of Object.entries(byKind[k].codes)) codes[c] = (codes[c] ?? 0) + n
    }
    const legitBefore = latencyFigures(legit.latencies.before)
    const legitDuring = latencyFigures(legit.latencies.during)
    const rateLimit = config.rateLimit
    return {
      gateway: 'startSecurityStack\'s config (test config + edgeDefaults: production limits, rate limits in memory, anomaly detection), trustedProxies 127.0.0.1; trusted documents in log mode as there, so the flood reaches the edge',
      flood: {
        seconds: round2(floodMs / 1000),
        concurrency: options.attackConcurrency,
        addresses: `${options.floodIps} anonymous addresses in 198.18.0.0/15 via X-Forwarded-For, the next one per request`,
        mix: 'deep, aliases, fanout, typename in rotation (a quarter each)',
        documents: { deep: 'deepProductQuery(7) from test/security/securityStack.ts (depth 24)', aliases: '1,000 aliases of products(first: 100) { nodes { id } }', fanout: '{ products(first: 100) { nodes { variants(first: 100) { nodes { id sku } } } } }', typename: '{ __typename }' },
        sent,
        requestsPerSecond: round1(sent / (floodMs / 1000)),
        statuses,
        codes,
        byKind,
        refused,
        refusalsPerSecond: round1(refused / (floodMs / 1000)),
        refusalsEachSecond: refusalsPerSecond,
        edgeMetricsDelta: {
          refusals: Object.fromEntries(Object.entries(edgeAfter.refusals).map(([c, n]) => [c, n - (edgeBefore.refusals[c] ?? 0)])),
          clientsTrackedAfter: edgeAfter.clientsTracked,
          clientsThrottledAfter: edgeAfter.clientsThrottled,
        },
      },
      memory: {
        gcExposed: (globalThis as { gc?: unknown }).gc !== undefined,
        heapUsedMiB: { baseline: mib(baseline.heapUsed), peak: during.length ? Math.max(...during.map(([, h]) => h)) : null, final: mib(final.heapUsed) },
        rssMiB: { baseline: mib(baseline.rss), peak: during.length ? Math.max(...during.map(([, , r]) => r)) : null, final: mib(final.rss) },
        note: 'whole process: load generator, gateway and four subgraphs; baseline and final after gc, peak over 100 ms samples during the flood (garbage not yet collected included: final after gc is what stayed)',
        samples: { every: '100 ms', columns: ['seconds since sampling began', 'heapUsed MiB', 'rss MiB'], floodFromSeconds: round2((floodStart - sampleStart) / 1000), floodToSeconds: round2((floodEnd - sampleStart) / 1000), values: samples },
      },
      legitimate: {
        stream: `ProductPage, 1 in flight, rotating over ${options.legitCustomers} signed-in customers and their own product handles`,
        before: { seconds: round2(beforeMs / 1000), requestsPerSecond: round1(legitBefore.ok / (beforeMs / 1000)), latencyMs: legitBefore, outcomes: legit.outcomes.before },
        during: { seconds: round2(floodMs / 1000), requestsPerSecond: round1(legitDuring.ok / (floodMs / 1000)), latencyMs: legitDuring, outcomes: legit.outcomes.during },
        note: 'the flood, the legitimate stream and the gateway share one event loop (and the subgraphs), so the latency during the flood includes the load generator\'s own work: an upper bound on what a separate client would see',
        p99Ratio: legitBefore.p99 && legitDuring.p99 !== null ? Math.round((legitDuring.p99 / legitBefore.p99) * 100) / 100 : null,
      },
      singleCustomer: {
        what: 'one signed-in customer sending ProductPage 1 in flight, on the production budget, until the first refusal (at most 30)',
        productPageCost,
        budget: `${rateLimit.perSecond.customer} units/s, capacity ${rateLimit.perSecond.customer * rateLimit.burstSeconds}`,
        succeeded: single.ok,
        firstRefusal: single.firstRefusal,
        retryAfterSeconds: single.retryAfter,
      },
    }
  } finally {
    floodAgent.destroy()
    legitAgent.destroy()
    await app.close().catch((error: unknown) => console.error(`closing the attack gateway: ${describeThrown(error)}`))
  }
}

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  capRunTime(180_000 + 3 * (options.warmup + options.seconds) * 1000 + (options.beforeSeconds + options.attackSeconds) * 1000 + 60_000)
  if (!(globalThis as { gc?: unknown }).gc) console.warn('run with --expose-gc (npm run bench:edge does) for steady heap figures')

  const loadAtStart = loadAverage()
  // PGlite, whatever DATABASE_URL says: before the security stack below loads platform/testing.ts
  useStorage('embedded')
  // the production defaults of every edge setting, as the attack suite runs them
  const security = await import('../test/security/securityStack.ts')
  const runId = Date.now().toString(36)
  const world = buildWorld()
  const active = world.products.filter((p) => p.status === 'ACTIVE')
  const handles = active.map((p) => p.handle)
  const skus = world.variants.filter((v) => active.some((p) => p.id === v.productId)).map((v) => v.sku)

  console.log(`measuring: admit + authorize, ${options.iterations} calls × ${options.rounds} rounds per operation ...`)
  const measuring = measureGuard(options, security.defaults, handles[0]!, skus)
  const productPageCost = measuring.operations.find((o) => o.client === 'storefront' && o.operation === 'ProductPage')?.measures?.cost ?? null

  const { composedSupergraph } = await import('../test/stack.ts')
  let stack: Stack | undefined
  try {
    console.log('starting the stack (PGlite, no bus) ...')
    const setupStarted = performance.now()
    stack = await startBenchStack('embedded', { bus: false })
    const supergraph = composedSupergraph()
    const setupMs = performance.now() - setupStarted

    const throughput = await measureThroughput(options, security.defaults, stack, supergraph, handles, runId)
    gc()
    const attack = await underAttack(options, { stack, supergraph, handles, runId, edgeDefaults: security.edgeDefaults, deepQuery: security.deepProductQuery(7), productPageCost })

    const result = {
      benchmark: 'edge',
      date: new Date().toISOString(),
      machine: machine({ loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAverage() }),
      node: process.version,
      storage: 'PGlite (embedded, one connection)',
      bus: 'none (startStack({ bus: false }))',
      http: 'node:http keep-alive agents, 127.0.0.1',
      options,
      setupMs: round1(setupMs),
      measuring,
      throughput: { ...throughput, summary: undefined },
      attack,
    }
    printSummary(result, throughput.summary)
    writeResult(options.out, result)
    // the throughput figures mean nothing if requests failed
    process.exitCode = throughput.summary.some((s) => s.errors > 0) ? 1 : 0
  } finally {
    await stack?.close().catch((error: unknown) => console.error(`closing the stack: ${describeThrown(error)}`))
  }
}

function printSummary(
  r: {
    machine: { cores: number; cpu: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] }
    node: string
    measuring: ReturnType<typeof measureGuard>
    throughput: { skipped: string | null; order: string; concurrency: number; seconds: number }
    attack: Awaited<ReturnType<typeof underAttack>>
  },
  summary: Awaited<ReturnType<typeof measureThroughput>>['summary'],
): void {
  const n = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? 'n/a' : x.toFixed(digits))
  console.log(`\n${r.machine.cores} cores, ${r.machine.cpu}, node ${r.node}; load average ${r.machine.loadAverageAtStart.join(' ')} at start, ${r.machine.loadAverageAtEnd.join(' ')} at end`)

  console.log(`\n1. Cost of measuring: µs per call (median of ${r.measuring.rounds} rounds of ${r.measuring.iterations}), production limits`)
  table(
    ['operation', 'viewer', 'depth', 'aliases', 'cost', 'authorization', 'admit+authorize', 'admit', 'authorize'],
    r.measuring.operations.map((o) => [
      `${o.client}/${o.operation}`,
      o.viewer,
      String(o.measures?.depth ?? '-'),
      String(o.measures?.aliases ?? '-'),
      String(o.measures?.cost ?? '-'),
      o.authorization ?? o.admitted,
      n(o.microsPerCall.admitAndAuthorize),
      n(o.microsPerCall.admit),
      n(o.microsPerCall.authorize),
    ]),
    2,
  )

  console.log(`\n2. Throughput: ProductPage, ${r.throughput.concurrency} in flight (one customer each), ${r.throughput.seconds} s per mode, order ${r.throughput.order}`)
  if (r.throughput.skipped) console.log(r.throughput.skipped)
  table(
    ['mode', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors', 'req/s per slice'],
    summary.map((s) => [MODE_LABELS[s.mode], n(s.rps), n(s.latency.p50), n(s.latency.p90), n(s.latency.p99), String(s.errors), s.perSlice.map((x) => n(x, 0)).join(' ')]),
  )

  const a = r.attack
  console.log(`\n3. Under attack: ${a.flood.sent} requests in ${a.flood.seconds} s (${n(a.flood.requestsPerSecond)}/s), ${a.flood.concurrency} in flight, ${a.flood.addresses}`)
  console.log(`   by status: ${JSON.stringify(a.flood.statuses)}`)
  console.log(`   by code:   ${JSON.stringify(a.flood.codes)}`)
  console.log(`   refusals:  ${a.flood.refused} (${n(a.flood.refusalsPerSecond)}/s; each second ${a.flood.refusalsEachSecond.join(' ')}); throttled clients after: ${a.flood.edgeMetricsDelta.clientsThrottledAfter} of ${a.flood.edgeMetricsDelta.clientsTrackedAfter}`)
  console.log(`   heapUsed MiB: baseline ${a.memory.heapUsedMiB.baseline}, peak ${a.memory.heapUsedMiB.peak}, final ${a.memory.heapUsedMiB.final} (after gc: ${a.memory.gcExposed}); rss MiB: ${a.memory.rssMiB.baseline} / ${a.memory.rssMiB.peak} / ${a.memory.rssMiB.final}`)
  table(
    ['legitimate ProductPage', 'answers ok', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'outcomes'],
    (['before', 'during'] as const).map((phase) => {
      const l = a.legitimate[phase]
      return [`${phase} the flood`, String(l.latencyMs.ok), n(l.requestsPerSecond), n(l.latencyMs.p50), n(l.latencyMs.p90), n(l.latencyMs.p99), n(l.latencyMs.max), JSON.stringify(l.outcomes)]
    }),
  )
  console.log(`   p99 during / before: ${n(a.legitimate.p99Ratio, 2)}`)
  const s = a.singleCustomer
  console.log(`   one customer alone (ProductPage cost ${s.productPageCost}, budget ${s.budget}): ${s.succeeded} pages, then ${s.firstRefusal ?? 'no refusal'}${s.retryAfterSeconds ? ` (Retry-After ${s.retryAfterSeconds} s)` : ''}`)
}

runBench(main)
