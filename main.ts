// `npm start`: the gateway and the four subgraphs in one process, on one embedded database
// (PGlite under .data/ unless DATABASE_URL is set), each on its own port.
import type { FastifyInstance } from 'fastify'
import { buildGatewayApp } from './gateway/app.ts'
import { ConfigError, loadConfig, type Config } from './platform/config.ts'
import { openDatabase } from './platform/openDatabase.ts'
import { openBus } from './platform/openBus.ts'
import { listenSubgraph, onShutdown, pinoLogger, prepareSubgraph } from './platform/service.ts'
import { SUBGRAPHS } from './subgraphs/registry.ts'

let config: Readonly<Config>
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message)
    process.exit(1)
  }
  throw error
}

const started = Date.now()
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
for (const subgraph of SUBGRAPHS) await prepareSubgraph(subgraph, db, config)

const bus = await openBus(config, pinoLogger(config, 'bus'))
const apps: FastifyInstance[] = []
onShutdown(async () => {
  for (const app of apps.reverse()) await app.close()
  await bus.close()
  await db.close()
})
// build every subgraph (registering its event consumers) before any starts publishing
const built = []
for (const subgraph of SUBGRAPHS) built.push({ subgraph, app: await subgraph.buildApp({ config, db, bus }) })
for (const { subgraph, app } of built) apps.push(await listenSubgraph(subgraph, app, config))
// the gateway routes to the subgraphs started here unless SUBGRAPH_<NAME>_URL says otherwise
const local = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, `http://${config.host}:${config.subgraphPorts[s.name]}/graphql`]))
let gateway: FastifyInstance
try {
  gateway = await buildGatewayApp({ config: { ...config, subgraphUrls: { ...local, ...config.subgraphUrls } } })
} catch (error) {
  // e.g. a malformed manifest in TRUSTED_DOCUMENTS=enforce: refuse to serve without a contract
  console.error(`gateway not started: ${error instanceof Error ? error.message : String(error)}`)
  for (const app of apps) await app.close()
  process.exit(1)
}
await gateway.listen({ host: config.host, port: config.gatewayPort })
apps.push(gateway)

const storage = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`
gateway.log.info(`ready in ${Date.now() - started} ms on ${storage}, events on ${bus.kind === 'nats' ? 'NATS JetStream' : 'the in-process bus'}`)
gateway.log.info(`gateway    http://${config.host}:${config.gatewayPort}/graphql (and ws:// for graphql-ws)`)
for (const subgraph of SUBGRAPHS) gateway.log.info(`${subgraph.name.padEnd(10)} ${local[subgraph.name]}`)
