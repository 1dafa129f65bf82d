// `npm start`: the gateway and the four subgraphs in one process, on one embedded database
// (PGlite under .data/ unless DATABASE_URL is set), each on its own port.
import type { FastifyInstance } from 'fastify'
import { buildGatewayAppOrExit } from './gateway/app.ts'
import { openDatabase } from './platform/openDatabase.ts'
import { openBus } from './platform/openBus.ts'
import { closingAfterApps, listenSubgraph, loadConfigOrExit, onShutdown, pinoLogger, prepareSubgraph, shutdownBounds } from './platform/service.ts'
import { shutDownGracefully } from './platform/shutdown.ts'
import { SUBGRAPHS } from './subgraphs/registry.ts'
import { createBuiltinSupplier } from './subgraphs/inventory/suppliers/builtinSupplier.ts'
import { installConfiguredTracing } from './platform/tracing.ts'

const config = loadConfigOrExit()
installConfiguredTracing(config.tracing, ['gateway', ...SUBGRAPHS.map((subgraph) => subgraph.name)])

const started = Date.now()
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
for (const subgraph of SUBGRAPHS) await prepareSubgraph(subgraph, db, config)

const bus = await openBus(config, pinoLogger(config, 'bus'))
// AUTO replenishment's supplier: in development without SUPPLIER_URL, the built-in deterministic
// one, whose late answers come after twice the adapter's timeout (so its retries find them stored)
const supplier = config.supplierUrl === null && config.nodeEnv !== 'production' ? createBuiltinSupplier({ lateDelayMs: 2 * config.supplierTimeoutMs, apiKey: config.supplierApiKey }) : null
const servicesConfig = supplier ? { ...config, supplierUrl: await supplier.listen(config.host === '0.0.0.0' ? '127.0.0.1' : config.host, config.supplierPort) } : config
const apps: { readonly name: string; readonly app: FastifyInstance }[] = []
// one drain for every service here: readiness fails everywhere at once, then the gateway closes
// first (its requests in flight still reach the subgraphs), then the subgraphs, the supplier, the bus, the database
onShutdown((reason) =>
  shutDownGracefully({
    ...shutdownBounds(config), logger: pinoLogger(config, 'commerce'), apps: [...apps].reverse(),
    then: [...(supplier ? [{ phase: 'supplier', run: () => supplier.close() }] : []), ...closingAfterApps({ bus, db })],
  }, reason),
)
// build every subgraph (registering its event consumers) before any starts publishing
const built = []
for (const subgraph of SUBGRAPHS) built.push({ subgraph, app: await subgraph.buildApp({ config: servicesConfig, db, bus }) })
for (const { subgraph, app } of built) apps.push({ name: subgraph.name, app: await listenSubgraph(subgraph, app, config) })
// the gateway routes to the subgraphs started here unless SUBGRAPH_<NAME>_URL says otherwise
const local = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, `http://${config.host}:${config.subgraphPorts[s.name]}/graphql`]))
const gateway = await buildGatewayAppOrExit({ config: { ...config, subgraphUrls: { ...local, ...config.subgraphUrls } }, bus }, async () => {
  for (const { app } of apps) await app.close()
})
await gateway.listen({ host: config.host, port: config.gatewayPort })
apps.push({ name: 'gateway', app: gateway })

const storage = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`
gateway.log.info(`ready in ${Date.now() - started} ms on ${storage}, events on ${bus.kind === 'nats' ? 'NATS JetStream' : 'the in-process bus'}`)
gateway.log.info(`gateway    http://${config.host}:${config.gatewayPort}/graphql (and ws:// for graphql-ws)`)
for (const subgraph of SUBGRAPHS) gateway.log.info(`${subgraph.name.padEnd(10)} ${local[subgraph.name]}`)
if (supplier) gateway.log.info(`supplier   ${servicesConfig.supplierUrl} (built-in, deterministic)`)
