/**
 * Subscription fan-out benchmark: many partners subscribed to the stock feed through one gateway
 * process, a burst of stock changes, and how fast each event reaches each subscriber.
 *
 *   node --import tsx --expose-gc bench/subscriptions.ts [--subscribers 1000] [--groups 10]
 *        [--changes 100] [--concurrency 4] [--mode embedded|pg-nats] [--max-seconds 180]
 *
 * Three event loops, as in production where the gateway is a process of its own: the main thread
 * runs the four subgraphs (test/stack.ts) and sends the stock changes; a worker thread runs the
 * gateway under test (listening on 127.0.0.1, routing to those subgraphs); another worker runs the
 * subscribers, one graphql-ws connection each. All share this machine's cores.
 * - Subscribers are split into `--groups` partners, each watching its own 20 SKUs at
 *   loc_wh_east; members of a group send the same operation and variables (shared upstream).
 *   The selection spans inventory and catalog (variant and product titles, EUR price), so each
 *   event costs the gateway an entity fetch.
 * - Burst (measured): `--changes` stock adjustments through the gateway, `--concurrency` in
 *   flight, rotating over the groups' SKUs. Latency of a delivery = time the subscriber received
 *   it − the event's occurredAt (set inside the transaction that changed the stock), so it
 *   covers commit, outbox relay, bus, the inventory feed, the gateway's per-event execution and
 *   the socket.
 * - Memory per subscriber = growth of the gateway thread's heap (after GC) from before the first
 *   subscriber connected to when all were streaming, divided by the subscribers.
 */
import { cpus, totalmem } from 'node:os'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import type { SubscriptionMetrics } from '../gateway/subscriptions/hub.ts'
import { capRunTime, integer, listenLocal, parseBenchOptions, percentiles, runBench, STACK_OPTIONS, startBenchStack, writeResult } from './support.ts'

const FEED = `subscription BenchFeed($filter: StockLevelFilterInput!) {
  stockLevelChanged(filter: $filter) {
    eventId cursor version occurredAt sku
    location { id }
    changes { name before after }
    transition
    variant { title product { title } price(currency: "EUR") { amount { minorUnits currency } } }
  }
}`
const ADJUST = `mutation BenchAdjust($input: InventoryAdjustInput!) {
  inventoryAdjustQuantities(input: $input) { userErrors { code field message } }
}`
const LOCATION = 'loc_wh_east'
const SKUS_PER_GROUP = 20

interface WorkerInput {
  readonly role: 'clients'
  readonly url: string
  readonly token: string
  readonly groups: readonly (readonly string[])[]
  readonly subscribers: number
}
interface GatewayInput {
  readonly role: 'gateway'
  readonly subgraphUrls: Record<string, string>
}
type WorkerMessage =
  | { readonly kind: 'connected'; readonly failures: number; readonly ms: number }
  | { readonly kind: 'report'; readonly latencies: number[]; readonly received: number; readonly errors: string[] }
  | { readonly kind: 'listening'; readonly url: string }
  | { readonly kind: 'heap'; readonly used: number }

const USAGE =
  'usage: node --import tsx --expose-gc bench/subscriptions.ts [--subscribers 1000] [--groups 10] [--changes 100] [--concurrency 4] [--mode embedded|pg-nats] [--max-seconds 180]'

// ── the subscribers (worker thread) ─────────────────────────────────────────────────────────

async function runSubscribers(input: WorkerInput): Promise<void> {
  const { createClient } = await import('graphql-ws')
  const { default: WebSocket } = await import('ws')
  const latencies: number[] = []
  const errors: string[] = []
  let received = 0
  let failures = 0
  const started = performance.now()
  const clients: { dispose(): Promise<void> | void }[] = []
  let acked = 0
  for (let i = 0; i < input.subscribers; i++) {
    const skus = input.groups[i % input.groups.length] as readonly string[]
    const client = createClient({
      url: input.url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${input.token}` },
      on: { connected: () => acked++, error: () => failures++ },
    })
    clients.push(client)
    client.subscribe<{ stockLevelChanged: { occurredAt: string } }>(
      { query: FEED, variables: { filter: { skus, locationIds: [LOCATION] } } },
      {
        next: (result) => {
          received++
          const occurredAt = result.data?.stockLevelChanged.occurredAt
          if (occurredAt) latencies.push(Date.now() - Date.parse(occurredAt))
          if (result.errors && errors.length < 10) errors.push(JSON.stringify(result.errors[0]))
        },
        error: (error) => {
          if (errors.length < 10) errors.push(error instanceof Error ? error.message : JSON.stringify(error))
        },
        complete: () => {},
      },
    )
    // open sockets at a steady pace rather than all in one tick
    if (i % 50 === 49) await sleep(5)
  }
  while (acked + failures < input.subscribers) await sleep(20)
  parentPort?.postMessage({ kind: 'connected', failures, ms: performance.now() - started } satisfies WorkerMessage)
  parentPort?.on('message', async (message: string) => {
    if (message !== 'report') return
    parentPort?.postMessage({ kind: 'report', latencies, received, errors } satisfies WorkerMessage)
    await Promise.all(clients.map((client) => client.dispose()))
  })
}

// ── the gateway under test (worker thread) ──────────────────────────────────────────────────

async function runGateway(input: GatewayInput): Promise<void> {
  const { getHeapStatistics } = await import('node:v8')
  const { buildGatewayApp } = await import('../gateway/app.ts')
  const { testConfig } = await import('../platform/testing.ts')
  const { composedSupergraph } = await import('../test/stack.ts')
  const config = {
    ...testConfig,
    subgraphUrls: input.subgraphUrls,
    websocket: { maxSubscriptions: 100, maxMessageBytes: 65_536, maxMessagesPerSecond: 1000, maxBufferedEvents: 10_000, connectionInitTimeoutMs: 10_000, maxConnectionsPerClient: 1_000_000 },
  }
  const app = await buildGatewayApp({ config, supergraph: composedSupergraph() })
  const port = await listenLocal(app)
  parentPort?.postMessage({ kind: 'listening', url: `http://127.0.0.1:${port}` } satisfies WorkerMessage)
  parentPort?.on('message', async (message: string) => {
    if (message === 'heap') {
      ;(globalThis as { gc?: () => void }).gc?.()
      parentPort?.postMessage({ kind: 'heap', used: getHeapStatistics().used_heap_size } satisfies WorkerMessage)
    } else if (message === 'close') {
      await app.close()
      process.exit(0)
    }
  })
}

// ── the run (main thread) ───────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const { subscribers, groups: groupCount, changes, concurrency, maxSeconds, mode } = parseBenchOptions(process.argv.slice(2), USAGE, {
    subscribers: integer(1000, 1, 100_000),
    groups: integer(10, 1, 1000),
    changes: integer(100, 1, 1_000_000),
    concurrency: integer(4, 1, 500),
    ...STACK_OPTIONS,
  })
  capRunTime((maxSeconds + 30) * 1000)
  if (!(globalThis as { gc?: () => void }).gc) console.warn('run with --expose-gc for a steady memory figure')

  const { signToken } = await import('../gateway/auth.ts')
  const { buildWorld } = await import('../seed/world.ts')

  const world = buildWorld()
  const active = new Set(world.variants.filter((v) => world.products.find((p) => p.id === v.productId)?.status === 'ACTIVE').map((v) => v.sku))
  const candidates = world.stockLevels.filter((s) => s.locationId === LOCATION && s.available >= 20 && active.has(s.sku)).map((s) => s.sku)
  if (candidates.length < groupCount * SKUS_PER_GROUP) throw new Error(`only ${candidates.length} SKUs to watch; use fewer --groups`)
  const groups = Array.from({ length: groupCount }, (_, g) => candidates.slice(g * SKUS_PER_GROUP, (g + 1) * SKUS_PER_GROUP))

  // the subgraphs (and an in-process gateway that only carries the stock changes) in this thread
  const stack = await startBenchStack(mode)
  const { query } = await import('../test/stack.ts')
  const token = await signToken({ sub: 'partner_bench', roles: ['partner'], scopes: ['stock:read'] }, stack.config)
  const staff = await signToken({ sub: 'staff_bench', roles: ['staff'] }, stack.config)

  const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url))
  const fromWorker = <K extends WorkerMessage['kind']>(worker: Worker, kind: K) =>
    new Promise<Extract<WorkerMessage, { kind: K }>>((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message.kind !== kind) return
        worker.off('message', onMessage)
        resolve(message as Extract<WorkerMessage, { kind: K }>)
      }
      worker.on('message', onMessage)
      worker.once('error', reject)
    })
  const gatewayWorker = new Worker(WORKER, { workerData: { module: import.meta.url, role: 'gateway', subgraphUrls: stack.urls } satisfies GatewayInput & { module: string } })
  const { url: gatewayUrl } = await fromWorker(gatewayWorker, 'listening')
  const gatewayHeap = async () => {
    gatewayWorker.postMessage('heap')
    return (await fromWorker(gatewayWorker, 'heap')).used
  }
  const metrics = async () => (await (await fetch(`${gatewayUrl}/metrics/subscriptions`)).json()) as SubscriptionMetrics & { connections: number }

  const heapBefore = await gatewayHeap()
  const clients = new Worker(WORKER, {
    workerData: { module: import.meta.url, role: 'clients', url: `${gatewayUrl.replace('http', 'ws')}/graphql`, token, groups, subscribers } satisfies WorkerInput & { module: string },
  })
  const connected = await fromWorker(clients, 'connected')
  const deadline = Date.now() + 60_000
  while ((await metrics())['subscribers'] < subscribers - connected.failures && Date.now() < deadline) await sleep(50)
  await sleep(500)
  const heapStreaming = await gatewayHeap()
  const before = await metrics()
  console.log(`${subscribers} subscribers connected in ${Math.round(connected.ms)} ms (${connected.failures} failed); upstream subscriptions: ${before['upstreamSubscriptions']}`)

  // the burst
  const burstStarted = performance.now()
  let next = 0
  const problems: string[] = []
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < changes) {
        const n = next++
        const group = groups[n % groupCount] as string[]
        const sku = group[Math.floor(n / groupCount) % SKUS_PER_GROUP] as string
        const { body } = await query(stack, ADJUST, {
          input: { idempotencyKey: `bench-sub-${n}-${Date.now()}`, reason: 'CORRECTION', changes: [{ sku, locationId: LOCATION, name: 'AVAILABLE', delta: -1, changeFromQuantity: null }] },
        }, staff)
        const userErrors = body.data?.['inventoryAdjustQuantities']?.userErrors as unknown[] | undefined
        if (body.errors?.length || userErrors?.length) problems.push(JSON.stringify(body.errors ?? userErrors))
      }
    }),
  )
  const burstMs = performance.now() - burstStarted
  const perGroup = subscribers / groupCount
  const expected = Math.round((changes - problems.length) * perGroup)
  const waitUntil = Date.now() + Math.min(60_000, maxSeconds * 1000)
  while ((await metrics())['delivered'] - before['delivered'] < expected && Date.now() < waitUntil) await sleep(50)
  await sleep(300)
  clients.postMessage('report')
  const report = await fromWorker(clients, 'report')
  const after = await metrics()
  await clients.terminate()
  gatewayWorker.postMessage('close')
  await new Promise((resolve) => gatewayWorker.once('exit', resolve))
  await stack.close()

  const result = {
    benchmark: 'subscriptions',
    mode,
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    options: { subscribers, groups: groupCount, changes, concurrency },
    connectMs: Math.round(connected.ms),
    failedConnections: connected.failures,
    burst: { changes, failed: problems.length, ms: Math.round(burstMs), changesPerSecond: Math.round((changes / burstMs) * 1000 * 10) / 10 },
    deliveries: { expected, received: report.received, missing: expected - report.received },
    latencyMs: percentiles(report.latencies, [50, 95, 99]),
    gateway: {
      upstreamSubscriptions: before['upstreamSubscriptions'],
      upstreamEvents: after['upstreamEvents'] - before['upstreamEvents'],
      executions: after['executions'] - before['executions'],
      entityFetches: after['entityFetches'] - before['entityFetches'],
      slowConsumerDisconnects: after['slowConsumerDisconnects'],
    },
    memory: {
      gatewayHeapPerSubscriberKiB: Math.round(((heapStreaming - heapBefore) / subscribers / 1024) * 10) / 10,
      gatewayHeapStreamingMiB: Math.round(heapStreaming / 2 ** 20),
    },
    errors: [...problems.slice(0, 5), ...report.errors],
  }
  console.log(JSON.stringify(result, null, 2))
  writeResult(`subscriptions-${mode}-c${concurrency}`, result)
  process.exitCode = result.deliveries.missing === 0 && result.failedConnections === 0 ? 0 : 1
}

if (isMainThread) {
  runBench(main)
} else if ((workerData as WorkerInput | GatewayInput).role === 'gateway') {
  void runGateway(workerData as GatewayInput)
} else {
  void runSubscribers(workerData as WorkerInput)
}
