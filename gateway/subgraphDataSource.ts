import { RemoteGraphQLDataSource } from '@apollo/gateway'
import { GraphQLError } from 'graphql'
import { signViewer, VIEWER_HEADER } from '../platform/viewer.ts'
import type { GatewayContext } from './context.ts'

type Fetcher = NonNullable<NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']>

export interface SubgraphDataSourceOptions {
  readonly name: string
  readonly url: string
  readonly signingSecret: string
  readonly timeoutMs: number
}

/**
 * How the gateway calls one subgraph: undici's fetch (keep-alive pooling) with a timeout, the
 * viewer signed into a header on every request, and transport failures turned into one error
 * that names the service and nothing else (no URL, no response body).
 */
export function createSubgraphDataSource(options: SubgraphDataSourceOptions): RemoteGraphQLDataSource<GatewayContext> {
  const fetcher = ((url: string, init: RequestInit) =>
    fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) })) as unknown as Fetcher
  return new RemoteGraphQLDataSource<GatewayContext>({
    url: options.url,
    fetcher,
    willSendRequest({ request, context }) {
      request.http?.headers.set(VIEWER_HEADER, signViewer(context.viewer, options.signingSecret))
    },
    didEncounterError(error) {
      const timedOut = error.name === 'TimeoutError' || error.name === 'AbortError'
      // this message travels to the client: keep it to the service's name
      throw new GraphQLError(timedOut ? `Service '${options.name}' did not answer in time` : `Service '${options.name}' is unavailable`, {
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: options.name },
      })
    },
  })
}
