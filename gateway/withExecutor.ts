import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface'
import { GraphQLError } from 'graphql'

/**
 * The gateway with `wrap` around its executor: what runs a planned query (the response cache,
 * merging in flight). A request whose `operationName` names no operation of its document reaches
 * the executor with no operation (Apollo resolves it no further with a gateway): it is the
 * client's error, answered 400 before anything runs.
 */
export function withExecutor(gateway: GatewayInterface, wrap: (executor: GatewayExecutor) => GatewayExecutor): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(config) {
      const loaded = await gateway.load(config)
      return { ...loaded, executor: loaded.executor && requireOperation(wrap(loaded.executor)) }
    },
  }
}

function requireOperation(executor: GatewayExecutor): GatewayExecutor {
  return async (requestContext) => {
    if (!requestContext.operation) {
      const name = requestContext.operationName ?? requestContext.request.operationName
      const message = name ? `The document has no operation named "${name.slice(0, 100)}"` : 'The document has several operations: name one with operationName'
      throw new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } })
    }
    return executor(requestContext)
  }
}
