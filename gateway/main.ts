import { runClustered } from '../platform/cluster.ts'
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
    const app = await buildGatewayAppOrExit({ config })
    await app.listen({ host: config.host, port: config.gatewayPort })
    onShutdown(() => app.close())
  },
})
