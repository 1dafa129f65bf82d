import { runClustered } from '../platform/cluster.ts'
import { openBus } from '../platform/openBus.ts'
import { loadConfigOrExit, onShutdown, pinoLogger } from '../platform/service.ts'
import { buildGatewayAppOrExit } from './app.ts'

const config = loadConfigOrExit()
// GATEWAY_WORKERS > 1: this process forks that many gateways sharing the port, and supervises them
await runClustered({
  workers: config.gatewayWorkers,
  logger: pinoLogger(config, 'gateway-primary'),
  // a worker drains its sockets (SHUTDOWN_DRAIN_MS) and requests in flight (REQUEST_TIMEOUT_MS)
  maxDrainMs: config.shutdownDrainMs + config.requestTimeoutMs + 5000,
  start: async () => {
    // the response cache needs the subgraphs' events: on NATS only (each process's in-process bus is its own)
    const bus = config.natsUrl ? await openBus(config, pinoLogger(config, 'bus')) : undefined
    const app = await buildGatewayAppOrExit({ config, ...(bus ? { bus } : {}) }, async () => bus?.close())
    await app.listen({ host: config.host, port: config.gatewayPort })
    if (!bus && config.cache.enabled) app.log.info('response cache off: it needs the subgraphs\' events, and NATS_URL is not set (subgraph caches stay on)')
    onShutdown(async () => {
      await app.close()
      await bus?.close()
    })
  },
})
