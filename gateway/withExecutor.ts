import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface'

/** The gateway with `wrap` around its executor: what runs a planned query (the response cache, merging in flight). */
export function withExecutor(gateway: GatewayInterface, wrap: (executor: GatewayExecutor) => GatewayExecutor): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(config) {
      const loaded = await gateway.load(config)
      return { ...loaded, executor: loaded.executor && wrap(loaded.executor) }
    },
  }
}
