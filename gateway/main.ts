import { runClustered } from '../platform/cluster.ts'
import { openBus } from '../platform/openBus.ts'
import { closingAfterApps, loadConfigOrExit, onShutdown, pinoLogger, shutdownBounds } from '../platform/service.ts'
import { shutDownGracefully } from '../platform/shutdown.ts'
import { buildGatewayAppOrExit } from './app.ts'
import { installConfiguredTracing } from '../platform/tracing.ts'

const config = loadConfigOrExit()
// GATEWAY_WORKERS > 1: this process forks that many gateways sharing the port, and supervises them
await runClustered({
  workers: config.gatewayWorkers,
  logger: pinoLogger(config, 'gateway-primary'),
  // a worker ends within SHUTDOWN_TIMEOUT_MS (exiting 1 past it, saying what was open): the
  // primary kills only a worker that could not even do that
  maxDrainMs: config.shutdownTimeoutMs + 5000,
  start: async () => {
    installConfiguredTracing(config.tracing, ['gateway'])
    // the response cache needs the subgraphs' events: on NATS only (each process's in-process bus is its own)
    const bus = config.natsUrl ? await openBus(config, pinoLogger(config, 'bus')) : undefined
    const app = await buildGatewayAppOrExit({ config, ...(bus ? { bus } : {}) }, async () => bus?.close())
    await app.listen({ host: config.host, port: config.gatewayPort })
    if (!bus && config.cache.enabled) app.log.info('response cache off: it needs the subgraphs\' events, and NATS_URL is not set (subgraph caches stay on)')
    onShutdown((reason) => shutDownGracefully({ ...shutdownBounds(config), logger: app.log, apps: [{ name: 'gateway', app }], then: closingAfterApps({ bus }) }, reason))
  },
})
