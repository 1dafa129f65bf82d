import type { GraphQLDataSource } from '@apollo/gateway'
import type { GatewayContext } from '../context.ts'
import type { SubscriptionCounters } from './metrics.ts'

/**
 * The data sources for one event: every execution of the event (one per distinct client
 * operation) goes through the same memo, so a fetch with the same service, document and variables
 * is made once, whichever execution asks first. Per event only: the next event fetches afresh.
 */
export function eventDataSources(
  sources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>,
  counters: SubscriptionCounters,
): Record<string, GraphQLDataSource<GatewayContext>> {
  const memo = new Map<string, ReturnType<GraphQLDataSource<GatewayContext>['process']>>()
  const memoized: Record<string, GraphQLDataSource<GatewayContext>> = {}
  for (const [name, source] of sources) {
    memoized[name] = {
      process: (options) => {
        const key = `${name}\u0000${unnamed(options.request.query ?? '')}\u0000${JSON.stringify(options.request.variables ?? {})}`
        const known = memo.get(key)
        if (known) {
          counters.add('entityFetchesShared')
          return known
        }
        counters.add('entityFetches')
        const response = source.process(options)
        memo.set(key, response)
        return response
      },
    }
  }
  return memoized
}

/** An operation's text without its name: `query Feed__catalog__1(` and `query Other__catalog__1(` fetch the same. */
export const unnamed = (operation: string): string => operation.replace(/^(\s*(?:query|mutation|subscription))\s+[_A-Za-z][_0-9A-Za-z]*/, '$1')
