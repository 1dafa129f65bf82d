import type { GatewayExecutor } from '@apollo/server-gateway-interface'
import type { GatewayContext } from './context.ts'

/**
 * Identical client queries in flight run once. Each request still goes through everything before
 * execution on its own (trusted documents, limits, authorization, its rate-limit charge); only the
 * execution (plan and subgraph fetches) is shared, among requests with the same document,
 * operation, variables, schema and viewer (so the same visibility). Mutations and subscriptions
 * never merge. The shared run carries the first request's deadline: requests that arrive together
 * have all but the same one.
 */
export function mergingExecutor(executor: GatewayExecutor, options: { readonly onMerged?: () => void } = {}): GatewayExecutor {
  const inFlight = new Map<string, ReturnType<GatewayExecutor>>()
  return (requestContext) => {
    if (requestContext.operation?.operation !== 'query') return executor(requestContext)
    const key = keyOf(requestContext)
    if (key === null) return executor(requestContext)
    const running = inFlight.get(key)
    if (running) {
      options.onMerged?.()
      return running
    }
    const run = executor(requestContext).finally(() => inFlight.delete(key))
    inFlight.set(key, run)
    return run
  }
}

/** What makes two requests the same; null when the variables do not serialize (too deep: they run alone, and are refused there). */
function keyOf(requestContext: Parameters<GatewayExecutor>[0]): string | null {
  const { viewer } = requestContext.context as unknown as Partial<GatewayContext>
  try {
    return JSON.stringify([requestContext.schemaHash, requestContext.queryHash, requestContext.operationName, requestContext.request.variables ?? {}, viewer ?? null])
  } catch {
    return null
  }
}
