import type { FastifyBaseLogger } from 'fastify'
import type { Bus } from './bus.ts'
import type { Config } from './config.ts'
import { createInProcessBus } from './inProcessBus.ts'

/** NATS JetStream when NATS_URL is set; otherwise the in-process bus (one process only). */
export async function openBus(config: Pick<Config, 'natsUrl' | 'natsNamespace'>, logger: FastifyBaseLogger): Promise<Bus> {
  if (!config.natsUrl) return createInProcessBus()
  const { createNatsBus } = await import('./natsBus.ts')
  return createNatsBus({ servers: config.natsUrl, logger, namespace: config.natsNamespace })
}
