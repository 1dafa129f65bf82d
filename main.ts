// `npm start`: the gateway and the four subgraphs in one process, on one embedded database
// (PGlite under .data/ unless DATABASE_URL is set), each on its own port.
import type { FastifyInstance } from 'fastify'
import { buildGatewayApp } from './gateway/app.ts'
import { ConfigError, loadConfig, type Config } from './platform/config.ts'
import { openDatabase } from './platform/db.ts'
import { listenSubgraph, onShutdown, prepareSubgraph } from './platform/service.ts'
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

const apps: FastifyInstance[] = []
onShutdown(async () => {
  for (const app of apps.reverse()) await app.close()
  await db.close()
})
for (const subgraph of SUBGRAPHS) apps.push(await listenSubgraph(subgraph, db, config))
// the gateway routes to the subgraphs started here unless SUBGRAPH_<NAME>_URL says otherwise
const local = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, `http://${config.host}:${config.subgraphPorts[s.name]}/graphql`]))
const gateway = await buildGatewayApp({ config: { ...config, subgraphUrls: { ...local, ...config.subgraphUrls } } })
await gateway.listen({ host: config.host, port: config.gatewayPort })
apps.push(gateway)

const storage = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`
gateway.log.info(`ready in ${Date.now() - started} ms on ${storage}`)
gateway.log.info(`gateway    http://${config.host}:${config.gatewayPort}/graphql`)
for (const subgraph of SUBGRAPHS) gateway.log.info(`${subgraph.name.padEnd(10)} ${local[subgraph.name]}`)
