/**
 * The whole supergraph in one test process: the four subgraphs on ephemeral ports (real HTTP,
 * as the gateway calls them) over one test database, and the gateway in front. Each subgraph's
 * database handle counts its SQL statements, so tests can bound the cost of a request.
 */
import type { SupergraphManager } from '@apollo/gateway'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { after, before } from 'node:test'
import { signToken, type TokenClaims } from '../gateway/auth.ts'
import { buildGatewayApp, type GatewayDeps } from '../gateway/app.ts'
import { composeFromConfig, formatProblems } from '../contracts/compose.ts'
import type { Config } from '../platform/config.ts'
import type { SubgraphName } from '../platform/subgraphRegistry.ts'
import { countingDatabase, type CountingDatabase } from '../platform/countingDatabase.ts'
import type { Bus } from '../platform/bus.ts'
import pino from 'pino'
import { createInProcessBus } from '../platform/inProcessBus.ts'
import { createNatsBus, deleteNatsNamespace } from '../platform/natsBus.ts'
import { lateHandle } from '../platform/testHooks.ts'
import { openTestDatabase, testConfig, type TestDatabase } from '../platform/testing.ts'
import { SUBGRAPHS } from '../subgraphs/registry.ts'
import { createBuiltinSupplier, type BuiltinSupplier } from '../subgraphs/inventory/suppliers/builtinSupplier.ts'

export interface Stack {
  readonly gateway: FastifyInstance
  readonly subgraphs: Record<SubgraphName, FastifyInstance>
  readonly databases: Record<SubgraphName, CountingDatabase>
  readonly urls: Record<SubgraphName, string>
  readonly config: Readonly<Config>
  readonly test: TestDatabase
  readonly bus: Bus | undefined
  /** The built-in deterministic supplier inventory places AUTO purchase orders with (real HTTP on 127.0.0.1). */
  readonly supplier: BuiltinSupplier
  /** Waits until every subgraph's outbox is published (and, on the in-process bus, consumed). */
  flushEvents(): Promise<void>
  /** Stops one subgraph (to see the gateway degrade); `startSubgraph` brings it back on the same port. */
  stopSubgraph(name: SubgraphName): Promise<void>
  startSubgraph(name: SubgraphName): Promise<void>
  /** Makes the gateway listen on an ephemeral port (graphql-ws needs a real socket); its ws:// URL. */
  gatewayWsUrl(): Promise<string>
  resetCounters(): void
  /** Empties every subgraph's shared cache (to count what a request costs without it). */
  clearCaches(): Promise<void>
  queries(): Record<SubgraphName, number>
  /** GraphQL requests each subgraph received since the last resetCounters (HTTP and WebSocket upgrades). */
  subgraphCalls(): Record<SubgraphName, number>
  close(): Promise<void>
}

export function composedSupergraph(): string {
  const result = composeFromConfig('supergraph.yaml')
  if (!result.ok) throw new Error(formatProblems(result.problems))
  return result.supergraphSdl
}

export interface StackOptions {
  readonly supergraph?: SupergraphManager | string
  /** The bus every subgraph uses; default a fresh in-process bus; `false` runs without events (no relays polling, for exact statement counts). */
  readonly bus?: Bus | false
  /** Run on this database instead of a fresh one, and leave it open on close (a restart over the same data). */
  readonly database?: TestDatabase
  /** Gateway settings over the test config (trusted documents mode, ...). */
  readonly gatewayConfig?: Partial<Config>
  /** Subgraph settings over the test config (caches off, ...). */
  readonly subgraphConfig?: Partial<Config>
  /** Extra Apollo Server plugins on the gateway. */
  readonly apolloPlugins?: GatewayDeps['apolloPlugins']
  readonly subscriptionHub?: GatewayDeps['subscriptionHub']
  /** The gateway's clock for rate limits and the anomaly detector (a test that drives time). */
  readonly clock?: GatewayDeps['clock']
  /** Every service logs here (a child per service); default: each its own, at testConfig's level. */
  readonly logger?: FastifyBaseLogger
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const test = options.database ?? (await openTestDatabase(SUBGRAPHS))
  const subgraphs = {} as Record<SubgraphName, FastifyInstance>
  const databases = {} as Record<SubgraphName, CountingDatabase>
  const urls = {} as Record<SubgraphName, string>
  const ports = {} as Record<SubgraphName, number>

  // NATS JetStream when NATS_URL is set (CI), in a namespace of this stack's own
  const natsUrl = process.env['NATS_URL']
  const namespace = `stack${process.pid}${Date.now().toString(36)}`
  const ownBus = options.bus === undefined
  const bus =
    options.bus === false
      ? undefined
      : (options.bus ?? (natsUrl ? await createNatsBus({ servers: natsUrl, logger: pino({ level: 'silent' }), namespace }) : createInProcessBus()))
  // a short supplier timeout, so a late answer (twice the timeout) costs a test about a second
  const supplierTimeoutMs = options.subgraphConfig?.supplierTimeoutMs ?? 500
  const supplier = createBuiltinSupplier({ lateDelayMs: 2 * supplierTimeoutMs })
  const supplierUrl = await supplier.listen('127.0.0.1', 0)
  const build = async (name: SubgraphName) => {
    const definition = SUBGRAPHS.find((s) => s.name === name)
    if (!definition) throw new Error(`no subgraph ${name}`)
    databases[name] ??= countingDatabase(test.db)
    return definition.buildApp({
      config: { ...testConfig, supplierUrl, supplierTimeoutMs, ...options.subgraphConfig }, db: databases[name], ...(bus ? { bus } : {}), subgraphUrl: (target) => urls[target],
      ...(options.logger ? { logger: options.logger.child({ name }) } : {}),
    })
  }
  const calls = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, 0])) as Record<SubgraphName, number>
  const start = async (name: SubgraphName, app?: FastifyInstance) => {
    app ??= await build(name)
    app.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/graphql')) calls[name]++
    })
    await app.listen({ host: '127.0.0.1', port: ports[name] ?? 0 })
    const address = app.server.address()
    if (!address || typeof address === 'string') throw new Error('no port')
    ports[name] = address.port
    urls[name] = `http://127.0.0.1:${address.port}/graphql`
    subgraphs[name] = app
  }
  // every consumer is registered before any relay starts (in-process bus)
  const built = []
  for (const subgraph of SUBGRAPHS) built.push({ name: subgraph.name, app: await build(subgraph.name) })
  for (const { name, app } of built) await start(name, app)

  const config: Readonly<Config> = { ...testConfig, ...options.gatewayConfig, subgraphUrls: { ...urls } }
  const gateway = await buildGatewayApp({
    config,
    supergraph: options.supergraph ?? composedSupergraph(),
    ...(options.apolloPlugins ? { apolloPlugins: options.apolloPlugins } : {}),
    ...(options.subscriptionHub ? { subscriptionHub: options.subscriptionHub } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(bus ? { bus } : {}),
    ...(options.logger ? { logger: options.logger.child({ name: 'gateway' }) } : {}),
  })
  await gateway.ready()

  return {
    gateway,
    subgraphs,
    databases,
    urls,
    config,
    test,
    bus,
    supplier,
    flushEvents: async () => {
      // a consumer's effect may append events of its own: go round until every outbox is empty
      // and the bus has nothing unacked, twice in a row (JetStream delivers asynchronously)
      let quiet = 0
      for (let round = 0; round < 400; round++) {
        for (const app of Object.values(subgraphs)) await app.relay?.flush()
        const unpublished = await Promise.all(
          SUBGRAPHS.map(async (s) => (await test.db.query(`select 1 from ${s.name}.outbox where published_at is null limit 1`)).rowCount),
        )
        const idle = unpublished.every((n) => n === 0) && (bus ? await bus.pending() : 0) === 0
        quiet = idle ? quiet + 1 : 0
        if (quiet >= 2) return
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      throw new Error('events did not settle')
    },
    stopSubgraph: async (name) => {
      await subgraphs[name].close()
    },
    startSubgraph: start,
    gatewayWsUrl: async () => {
      if (!gateway.server.listening) await gateway.listen({ host: '127.0.0.1', port: 0 })
      const address = gateway.server.address()
      if (!address || typeof address === 'string') throw new Error('no port')
      return `ws://127.0.0.1:${address.port}/graphql`
    },
    resetCounters: () => {
      for (const db of Object.values(databases)) db.counter.queries = 0
      for (const name of Object.keys(calls) as SubgraphName[]) calls[name] = 0
    },
    clearCaches: async () => {
      for (const app of Object.values(subgraphs)) await app.cache?.clear()
      await gateway.responseCache?.clear()
    },
    subgraphCalls: () => ({ ...calls }),
    queries: () => Object.fromEntries(Object.entries(databases).map(([name, db]) => [name, db.counter.queries])) as Record<SubgraphName, number>,
    close: async () => {
      // everything is closed even when one close fails: a listener left open would keep the
      // test process alive after its last test
      const failures: unknown[] = []
      const attempt = async (close: () => Promise<unknown>) => close().catch((error: unknown) => void failures.push(error))
      await attempt(() => gateway.close())
      for (const app of Object.values(subgraphs)) await attempt(() => app.close())
      await attempt(() => supplier.close())
      if (ownBus) {
        await attempt(async () => bus?.close())
        if (natsUrl) await attempt(() => deleteNatsNamespace(natsUrl, namespace))
      }
      if (!options.database) await attempt(() => test.close())
      if (failures.length > 0) throw new AggregateError(failures, 'the stack did not close cleanly')
    },
  }
}

/**
 * For a `describe` block: the stack `start` gives, started before the block's tests and closed
 * after them. The handle reaches that stack once started, so the block's helpers can hold it from
 * the start.
 */
export function stackForTests(start: () => Promise<Stack> = () => startStack()): Stack {
  let stack: Stack | undefined
  before(async () => {
    stack = await start()
  })
  after(() => stack?.close())
  return lateHandle(() => stack, 'the stack')
}

export interface GatewayResponse {
  readonly statusCode: number
  readonly body: { data?: Record<string, any> | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] }
  readonly raw: string
}

/** A client request to the gateway, optionally with a bearer token made from claims. */
export async function query(
  stack: Pick<Stack, 'gateway' | 'config'>,
  document: string,
  variables: Record<string, unknown> = {},
  auth?: TokenClaims | string,
): Promise<GatewayResponse> {
  const token = typeof auth === 'string' ? auth : auth ? await signToken(auth, stack.config) : undefined
  const response = await stack.gateway.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: { query: document, variables },
  })
  return { statusCode: response.statusCode, body: response.json(), raw: response.body }
}

export const asCustomer = (sub: string): TokenClaims => ({ sub, roles: ['customer'] })
export const asStaff: TokenClaims = { sub: 'staff_1', roles: ['staff'] }
