/**
 * Checkout load benchmark: the whole supergraph in this process (test/stack.ts), driven through
 * the gateway over real HTTP on 127.0.0.1.
 *
 *   node --import tsx bench/checkout.ts [--concurrency 20] [--orders 300] [--mode embedded|pg-nats] [--max-seconds 180]
 *
 * embedded: PGlite + the in-process bus (what `npm start` runs).
 * pg-nats:  PostgreSQL (a database cloned from the test template at DATABASE_URL, default
 *           postgres://postgres@127.0.0.1:5432/test) + NATS JetStream at nats://127.0.0.1:4222
 *           (NATS_URL) in a namespace of this run's own, deleted at the end.
 *
 * Setup (not measured): staff raise AVAILABLE of a set of SKUs at loc_wh_east so stock never runs
 * out; each order's customer (c_bench_<n>) fills a cart of 1-3 lines and reads its total.
 * Measured: checkoutComplete for every cart with N requests in flight (latency of each call,
 * orders/s over the wall time of the phase), then the event lag: from the checkoutComplete
 * response to the first poll that sees financialStatus AUTHORIZED and PAYMENT_AUTHORIZED in the
 * order's timeline (OrderPlaced → finance authorizes → PaymentAuthorized → orders' timeline).
 * The lag is observed through the gateway, as staff, with `order(id:)` aliases in batches,
 * polled every ~20 ms while checkout runs and after it.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { seededRandom } from '../platform/random.ts'
import type { Stack } from '../test/stack.ts'
import { startUsageWindow } from './processes.ts'
import { startSupergraphProcesses } from './supergraphProcesses.ts'
import {
  capRunTime, describeThrown, integer, listenLocal, machine, oneOf, parseBenchOptions, percentiles, round1, runBench, startBenchStack, STACK_OPTIONS, writeResult,
} from './support.ts'

// ---------------------------------------------------------------------------------------------
// options

const USAGE =
  'usage: node --import tsx bench/checkout.ts [--concurrency 20] [--orders 300] [--mode embedded|pg-nats] [--topology one-process|processes] [--lag-via db|gateway] [--max-seconds 180]'

/** `--lag-via`: where the event lag is observed, through the gateway as a client would, or in the tables. */
const parseOptions = (argv: readonly string[]) =>
  parseBenchOptions(argv, USAGE, {
    concurrency: integer(20, 1, 500),
    orders: integer(300, 1, 20_000),
    ...STACK_OPTIONS,
    'lag-via': oneOf('db', ['gateway', 'db']),
    // processes: the gateway and each subgraph a process of its own (PostgreSQL and NATS only)
    topology: oneOf('one-process', ['one-process', 'processes']),
  }, (options) => (options.topology === 'processes' && options.mode !== 'pg-nats' ? ['--topology processes needs --mode pg-nats'] : []))

// ---------------------------------------------------------------------------------------------
// small helpers

/** Runs `task` over 0..count-1 with at most `concurrency` in flight; stops starting new ones once `stop()` holds. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count && !stop()) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}

// ---------------------------------------------------------------------------------------------
// the GraphQL client (real HTTP to the gateway on 127.0.0.1)

interface GraphQLError {
  readonly message: string
  readonly extensions?: Record<string, unknown>
}
interface GraphQLBody {
  readonly data?: Record<string, any> | null
  readonly errors?: readonly GraphQLError[]
}
interface UserError {
  readonly code: string
  readonly field?: readonly string[] | null
  readonly message: string
}

class Client {
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`refusing to send traffic to ${url}: 127.0.0.1 only`)
  }

  async request(document: string, variables: Record<string, unknown>, token: string): Promise<{ status: number; body: GraphQLBody }> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: document, variables }),
      signal: AbortSignal.timeout(this.timeoutMs),
    })
    const text = await response.text()
    let body: GraphQLBody
    try {
      body = JSON.parse(text) as GraphQLBody
    } catch {
      body = { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }] }
    }
    return { status: response.status, body }
  }
}

/** One line describing what went wrong in a response, or null when it carries no error. */
function problemOf(status: number, body: GraphQLBody, userErrors: readonly UserError[] | undefined): string | null {
  if (body.errors?.length) {
    const first = body.errors[0] as GraphQLError
    const code = typeof first.extensions?.['code'] === 'string' ? first.extensions['code'] : 'GRAPHQL_ERROR'
    const service = typeof first.extensions?.['serviceName'] === 'string' ? ` (${first.extensions['serviceName']})` : ''
    return `GraphQL error ${code}${service}: ${first.message}`
  }
  if (status !== 200) return `HTTP ${status}`
  if (userErrors?.length) {
    const first = userErrors[0] as UserError
    return `userError ${first.code} [${(first.field ?? []).join('.')}]: ${first.message}`
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// operations

const ADJUST = `mutation BenchAdjust($input: InventoryAdjustInput!) {
  inventoryAdjustQuantities(input: $input) { adjustmentGroup { id } userErrors { code field message } }
}`
const ADD = `mutation BenchCart($input: CartLinesAddInput!) {
  cartLinesAdd(input: $input) { cart { id total { minorUnits currency } } userErrors { code field message } }
}`
const CHECKOUT = `mutation BenchCheckout($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { id number } userErrors { code field message } }
}`
const pollDocument = (count: number) =>
  `query BenchPoll(${Array.from({ length: count }, (_, i) => `$i${i}: ID!`).join(', ')}) {\n` +
  Array.from({ length: count }, (_, i) => `  o${i}: order(id: $i${i}) { id financialStatus timeline { type } }`).join('\n') +
  '\n}'

const POLL_BATCH = 50
const POLL_EVERY_MS = 20
const STOCK_LOCATION = 'loc_wh_east'
const SKU_COUNT = 60

// ---------------------------------------------------------------------------------------------
// the run

interface Failure {
  readonly phase: 'setup' | 'checkout' | 'events'
  readonly order: number
  readonly problem: string
}

interface Cart {
  readonly n: number
  readonly customer: string
  readonly token: string
  readonly cartId: string
  readonly total: { readonly minorUnits: string; readonly currency: string }
}

interface Placed {
  readonly n: number
  readonly orderId: string
  readonly respondedAt: number
  observedAt: number | null
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const startedAt = performance.now()
  const deadline = startedAt + options.maxSeconds * 1000
  const remaining = () => deadline - performance.now()
  capRunTime((options.maxSeconds + 30) * 1000)

  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`
  const { signToken } = await import('../gateway/auth.ts')
  const { buildWorld } = await import('../seed/world.ts')

  console.log(
    `checkout benchmark: mode ${options.mode}, ${options.orders} orders, concurrency ${options.concurrency}, lag via ${options.lagVia}, cap ${options.maxSeconds}s`,
  )
  let system:
    | { readonly gatewayUrl: string; readonly config: Stack['config']; readonly db: Stack['test']['db']; readonly services: readonly { name: string; pid: number }[]; close(): Promise<void> }
    | undefined
  try {
    const setupStarted = performance.now()
    if (options.topology === 'processes') {
      system = await startSupergraphProcesses()
    } else {
      // pg-nats: the stack's bus is NATS JetStream in a namespace of its own, deleted when it closes
      const stack = await startBenchStack(options.mode)
      system = { gatewayUrl: `http://127.0.0.1:${await listenLocal(stack.gateway)}/graphql`, config: stack.config, db: stack.test.db, services: [], close: () => stack.close() }
    }
    const client = new Client(system.gatewayUrl, 30_000)
    const config = system.config
    const db = system.db
    const staffToken = await signToken({ sub: 'staff_bench', roles: ['staff'] }, config)
    const failures: Failure[] = []

    // --- setup: stock that never runs out ----------------------------------------------------
    const world = buildWorld()
    const active = new Set(world.products.filter((p) => p.status === 'ACTIVE').map((p) => p.id))
    const stocked = new Set(world.stockLevels.filter((l) => l.locationId === STOCK_LOCATION).map((l) => l.sku))
    const usd = new Set(world.prices.filter((p) => p.currency === 'USD' && p.validFrom === null).map((p) => p.sku))
    const candidates = world.variants.filter((v) => active.has(v.productId) && stocked.has(v.sku) && usd.has(v.sku))
    const step = Math.max(1, Math.floor(candidates.length / SKU_COUNT))
    const skus = candidates.filter((_, i) => i % step === 0).slice(0, SKU_COUNT).map((v) => v.sku)
    // one order takes at most 3 units of a sku, so orders * 3 covers every cart choosing the same one
    const delta = Math.max(1000, options.orders * 3)
    for (let i = 0; i < skus.length; i += 20) {
      const changes = skus.slice(i, i + 20).map((sku) => ({ sku, locationId: STOCK_LOCATION, name: 'AVAILABLE', delta, changeFromQuantity: null }))
      const { status, body } = await client.request(ADJUST, { input: { idempotencyKey: `bench-stock-${runId}-${i}`, reason: 'RECEIVED', changes } }, staffToken)
      const problem = problemOf(status, body, body.data?.['inventoryAdjustQuantities']?.userErrors)
      if (problem) throw new Error(`raising stock failed: ${problem}`)
    }

    // --- setup: one cart per order ----------------------------------------------------------
    const random = seededRandom(20261001)
    const contents = Array.from({ length: options.orders }, () => {
      const lines: { sku: string; quantity: number }[] = []
      const count = 1 + Math.floor(random() * 3)
      while (lines.length < count) {
        const sku = skus[Math.floor(random() * skus.length)] as string
        if (!lines.some((l) => l.sku === sku)) lines.push({ sku, quantity: 1 + Math.floor(random() * 3) })
      }
      return lines
    })
    const carts: (Cart | undefined)[] = new Array(options.orders)
    await pool(
      options.orders,
      options.concurrency,
      async (i) => {
        const customer = `c_bench_${i + 1}`
        try {
          const token = await signToken({ sub: customer, roles: ['customer'] }, config)
          const input = { idempotencyKey: `bench-cart-${runId}-${i + 1}`, currency: 'USD', countryCode: 'US', lines: contents[i] }
          const { status, body } = await client.request(ADD, { input }, token)
          const payload = body.data?.['cartLinesAdd']
          const problem = problemOf(status, body, payload?.userErrors) ?? (payload?.cart ? null : 'no cart in the answer')
          if (problem) failures.push({ phase: 'setup', order: i + 1, problem })
          else carts[i] = { n: i + 1, customer, token, cartId: payload.cart.id, total: payload.cart.total }
        } catch (error) {
          failures.push({ phase: 'setup', order: i + 1, problem: describeThrown(error) })
        }
      },
      () => remaining() < 0,
    )
    const prepared = carts.filter((c): c is Cart => c !== undefined)
    const setupMs = performance.now() - setupStarted
    console.log(`setup: ${skus.length} skus raised by ${delta} at ${STOCK_LOCATION}, ${prepared.length} carts in ${(setupMs / 1000).toFixed(1)}s`)
    if (remaining() < 0) throw new Error(`setup took longer than --max-seconds ${options.maxSeconds}`)

    // --- measured: checkout, with the event poller running alongside ----------------------
    const latencies: number[] = []
    const placed = new Map<string, Placed>()
    const pending = new Set<Placed>()
    const pollRoundTrips: number[] = []
    let checkoutDone = false
    let pollFailures = 0
    let lastPollProblem: string | null = null

    /** The state of each order of the batch: financialStatus and the types in its timeline. */
    const readStates = async (batch: readonly Placed[]): Promise<Map<string, { financialStatus: string; types: Set<string> }>> => {
      const states = new Map<string, { financialStatus: string; types: Set<string> }>()
      if (options.lagVia === 'gateway') {
        const variables = Object.fromEntries(batch.map((p, i) => [`i${i}`, p.orderId]))
        const { status, body } = await client.request(pollDocument(batch.length), variables, staffToken)
        const problem = problemOf(status, body, undefined)
        if (problem) {
          pollFailures++
          lastPollProblem = problem
        }
        batch.forEach((p, i) => {
          const order = body.data?.[`o${i}`] as { financialStatus: string; timeline: { type: string }[] } | null | undefined
          if (order) states.set(p.orderId, { financialStatus: order.financialStatus, types: new Set(order.timeline.map((t) => t.type)) })
        })
        return states
      }
      // the tables behind the same two fields: finance's payments (AUTHORIZED = authorized, nothing
      // captured, not voided; see subgraphs/finance/orderFinance.ts) and orders' timeline
      const { rows } = await db.query<{ order_id: string; authorized: boolean; types: string[] }>(
        `select o.id as order_id,
                exists (select 1 from finance.payments p where p.order_id = o.id and p.authorized > 0 and p.captured = 0 and not p.voided) as authorized,
                coalesce((select array_agg(t.type) from orders.order_timeline t where t.order_id = o.id), '{}') as types
         from orders.orders o where o.id = any($1::text[])`,
        [batch.map((p) => p.orderId)],
      )
      for (const row of rows) states.set(row.order_id, { financialStatus: row.authorized ? 'AUTHORIZED' : 'not AUTHORIZED', types: new Set(row.types) })
      return states
    }
    const pollOnce = async (batch: readonly Placed[]) => {
      const sent = performance.now()
      try {
        const states = await readStates(batch)
        const seen = performance.now()
        pollRoundTrips.push(seen - sent)
        for (const p of batch) {
          const state = states.get(p.orderId)
          if (!state || p.observedAt !== null) continue
          if (state.financialStatus === 'AUTHORIZED' && state.types.has('PAYMENT_AUTHORIZED')) {
            p.observedAt = seen
            pending.delete(p)
          } else if (state.types.has('PAYMENT_DECLINED') || state.types.has('CANCELLED')) {
            const problem = `order ${p.orderId} was not authorized: financialStatus ${state.financialStatus}, timeline ${[...state.types].join(',')}`
            failures.push({ phase: 'events', order: p.n, problem })
            pending.delete(p)
          }
        }
      } catch (error) {
        pollFailures++
        lastPollProblem = describeThrown(error)
      }
    }
    // after checkout, the events get at most this long to land (within the overall cap)
    const lagGraceMs = 60_000
    let checkoutEndedAt = Number.POSITIVE_INFINITY
    const poller = (async () => {
      while (!checkoutDone || pending.size > 0) {
        const now = performance.now()
        if (now > deadline || now > checkoutEndedAt + lagGraceMs) break
        const snapshot = [...pending]
        const batches: Placed[][] = []
        const size = options.lagVia === 'gateway' ? POLL_BATCH : 1000
        for (let i = 0; i < snapshot.length; i += size) batches.push(snapshot.slice(i, i + size))
        await Promise.all(batches.map(pollOnce))
        await sleep(POLL_EVERY_MS)
      }
    })()

    console.log(`checkout: ${prepared.length} carts, ${options.concurrency} in flight ...`)
    // with a process per service: each one's CPU over the checkout phase
    const usage = system.services.map((service) => ({ name: service.name, window: startUsageWindow([service.pid]) }))
    const checkoutStarted = performance.now()
    let lastResponseAt = checkoutStarted
    let attempted = 0
    await pool(
      prepared.length,
      options.concurrency,
      async (i) => {
        const cart = prepared[i] as Cart
        attempted++
        const input = { idempotencyKey: `bench-checkout-${runId}-${cart.n}`, cartId: cart.cartId, paymentMethodToken: 'tok_ok', expectedTotal: cart.total }
        const sent = performance.now()
        try {
          const { status, body } = await client.request(CHECKOUT, { input }, cart.token)
          const respondedAt = performance.now()
          lastResponseAt = Math.max(lastResponseAt, respondedAt)
          latencies.push(respondedAt - sent)
          const payload = body.data?.['checkoutComplete']
          const problem = problemOf(status, body, payload?.userErrors) ?? (payload?.order?.id ? null : 'no order in the answer')
          if (problem) {
            failures.push({ phase: 'checkout', order: cart.n, problem })
            return
          }
          const entry: Placed = { n: cart.n, orderId: payload.order.id, respondedAt, observedAt: null }
          placed.set(entry.orderId, entry)
          pending.add(entry)
        } catch (error) {
          lastResponseAt = Math.max(lastResponseAt, performance.now())
          failures.push({ phase: 'checkout', order: cart.n, problem: describeThrown(error) })
        }
      },
      () => remaining() < 0,
    )
    const checkoutMs = lastResponseAt - checkoutStarted
    const coresBusy = Object.fromEntries(usage.map(({ name, window }) => [name, Math.round((window.end().cpuSeconds / (checkoutMs / 1000)) * 100) / 100]))
    checkoutDone = true
    checkoutEndedAt = performance.now()
    if (attempted < prepared.length) console.log(`checkout: stopped at the time cap after ${attempted} of ${prepared.length} carts`)
    const pendingAtCheckoutEnd = pending.size
    console.log(`events: waiting for ${pendingAtCheckoutEnd} orders still without PAYMENT_AUTHORIZED ...`)
    await poller
    const unobserved = [...pending]
    for (const p of unobserved) failures.push({ phase: 'events', order: p.n, problem: `order ${p.orderId}: PAYMENT_AUTHORIZED not seen within the time allowed` })

    // --- figures ----------------------------------------------------------------------------
    const completed = placed.size
    const lags = [...placed.values()].flatMap((p) => (p.observedAt === null ? [] : [p.observedAt - p.respondedAt]))
    const poll = percentiles(pollRoundTrips, [50, 99], round1)
    const observedTimes = [...placed.values()].flatMap((p) => (p.observedAt === null ? [] : [p.observedAt]))
    const lastObserved = observedTimes.length > 0 ? Math.max(...observedTimes) : null
    const result = {
      benchmark: 'checkout',
      mode: options.mode,
      date: new Date().toISOString(),
      machine: machine(),
      node: process.version,
      topology: options.topology === 'processes' ? 'the gateway and each subgraph a process of its own' : 'the gateway and the four subgraphs in this process',
      storage: options.mode === 'embedded'
        ? 'PGlite (embedded, one connection)'
        : options.topology === 'processes' ? 'PostgreSQL (node-postgres, a pool per subgraph process)' : 'PostgreSQL (node-postgres, pool of 10 shared by the four subgraphs)',
      bus: options.mode === 'embedded' ? 'in-process' : 'NATS JetStream',
      concurrency: options.concurrency,
      orders: options.orders,
      lagVia: options.lagVia,
      cartsPrepared: prepared.length,
      checkoutsAttempted: attempted,
      stoppedByTimeCap: attempted < prepared.length || unobserved.length > 0,
      completedOrders: completed,
      checkoutWallMs: round1(checkoutMs),
      // cores each service process kept busy during checkout (CPU seconds / wall seconds); empty in one process
      coresBusyDuringCheckout: coresBusy,
      ordersPerSecond: round1(checkoutMs > 0 ? completed / (checkoutMs / 1000) : null),
      latencyMs: percentiles(latencies, [50, 95, 99], round1),
      lagMs: {
        ...percentiles(lags, [50, 99], round1),
        observed: lags.length,
        /** orders placed but not yet seen authorized when the last checkout response came back */
        pendingAtCheckoutEnd,
        /** from the last checkoutComplete response to the last order seen authorized: the backlog left when checkout stopped */
        drainAfterCheckoutMs: round1(lastObserved === null || unobserved.length > 0 ? null : lastObserved - lastResponseAt),
        notObserved: unobserved.length,
        observedVia:
          options.lagVia === 'gateway'
            ? `gateway, as staff: order(id:) aliases for financialStatus + timeline, batches of ${POLL_BATCH}, every ~${POLL_EVERY_MS} ms`
            : `database: finance.payments + orders.order_timeline, one statement for all pending orders, every ~${POLL_EVERY_MS} ms`,
        pollRoundTripP50Ms: poll.p50,
        pollRoundTripP99Ms: poll.p99,
        pollErrors: pollFailures,
      },
      setupMs: round1(setupMs),
      failures: {
        total: failures.length,
        setup: failures.filter((f) => f.phase === 'setup').length,
        checkout: failures.filter((f) => f.phase === 'checkout').length,
        events: failures.filter((f) => f.phase === 'events').length,
        byProblem: countBy(failures.map((f) => `${f.phase}: ${f.problem.replace(/(ord|cart)_[0-9a-f-]{8,}/g, '$1_…')}`)),
        examples: failures.slice(0, 20),
      },
    }

    printTable(result)
    if (usage.length > 0) console.log(`cores busy during checkout: ${Object.entries(coresBusy).map(([name, cores]) => `${name} ${cores}`).join(', ')}`)
    if (pollFailures > 0) console.log(`poll requests that failed: ${pollFailures} (last: ${lastPollProblem})`)
    if (failures.length > 0) {
      console.log(`\nfailures (${failures.length}):`)
      for (const [problem, count] of Object.entries(result.failures.byProblem)) console.log(`  ${String(count).padStart(5)} × ${problem}`)
    }
    writeResult(`checkout-${options.mode}${options.topology === 'processes' ? '-processes' : ''}${options.lagVia === 'gateway' ? '-lag-gateway' : ''}`, result)
    process.exitCode = failures.length > 0 || completed === 0 ? 1 : 0
  } finally {
    await system?.close().catch((error: unknown) => console.error(`closing the stack: ${describeThrown(error)}`))
  }
}

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]))
}

function printTable(r: {
  mode: string
  machine: { cores: number; cpu: string }
  node: string
  concurrency: number
  orders: number
  completedOrders: number
  stoppedByTimeCap: boolean
  checkoutWallMs: number | null
  ordersPerSecond: number | null
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null }
  lagMs: {
    p50: number | null
    p99: number | null
    max: number | null
    observed: number
    notObserved: number
    pendingAtCheckoutEnd: number
    drainAfterCheckoutMs: number | null
    observedVia: string
    pollRoundTripP50Ms: number | null
  }
  failures: { total: number; setup: number; checkout: number; events: number }
}): void {
  const ms = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(1)} ms`)
  const rows: [string, string][] = [
    ['mode', r.mode],
    ['machine', `${r.machine.cores} cores, ${r.machine.cpu}, node ${r.node}`],
    ['concurrency', String(r.concurrency)],
    ['orders completed', `${r.completedOrders} of ${r.orders}${r.stoppedByTimeCap ? ' (stopped by the time cap)' : ''}`],
    ['checkout wall time', ms(r.checkoutWallMs)],
    ['orders/s', r.ordersPerSecond === null ? 'n/a' : r.ordersPerSecond.toFixed(1)],
    ['latency p50', ms(r.latencyMs.p50)],
    ['latency p95', ms(r.latencyMs.p95)],
    ['latency p99', ms(r.latencyMs.p99)],
    ['latency max', ms(r.latencyMs.max)],
    ['event lag p50', ms(r.lagMs.p50)],
    ['event lag p99', ms(r.lagMs.p99)],
    ['event lag max', ms(r.lagMs.max)],
    ['lag observed', `${r.lagMs.observed} orders (${r.lagMs.notObserved} not seen); poll round trip p50 ${ms(r.lagMs.pollRoundTripP50Ms)}`],
    ['events drained', `${r.lagMs.pendingAtCheckoutEnd} orders pending at the end of checkout, all seen ${ms(r.lagMs.drainAfterCheckoutMs)} after it`],
    ['lag observed via', r.lagMs.observedVia],
    ['failures', `${r.failures.total} (setup ${r.failures.setup}, checkout ${r.failures.checkout}, events ${r.failures.events})`],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  const line = `+-${'-'.repeat(width)}-+-${'-'.repeat(Math.max(...rows.map(([, v]) => v.length)))}-+`
  console.log(`\n${line}`)
  for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v.padEnd(line.length - width - 7)} |`)
  console.log(line)
}

runBench(main)
