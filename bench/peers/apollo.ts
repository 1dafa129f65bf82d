/**
 * Stock Apollo: `@apollo/gateway` (ApolloGateway over the repository's supergraph) inside
 * `@apollo/server`'s standalone server, on 127.0.0.1:GATEWAY_PORT, as bench/gateway.ts target
 * `apollo`. The one addition is what the subgraphs require to accept a call: a
 * RemoteGraphQLDataSource that signs the viewer (from the client's JWT) over the exact body its
 * stock fetcher sends. Everything else is Apollo's defaults.
 *
 *   GATEWAY_PORT=4100 SUBGRAPH_CATALOG_URL=... node --import tsx bench/peers/apollo.ts
 */
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway'
import { ApolloServer } from '@apollo/server'
import { startStandaloneServer } from '@apollo/server/standalone'
import { onShutdown } from '../../platform/service.ts'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import { announce, config, peerSupergraph, viewerHeaders, viewerOf } from './peer.ts'

interface PeerContext {
  readonly viewer: Viewer
}

/**
 * Carries the viewer from willSendRequest (which has the context but not the body) to the
 * fetcher (which has the final body but no context); removed before the request leaves.
 */
const VIEWER_CARRIER = 'x-bench-viewer'

/** Apollo's stock data source (its make-fetch-happen fetcher), signing the viewer over the body it sends. */
class SignedViewerDataSource extends RemoteGraphQLDataSource<PeerContext> {
  constructor(url: string) {
    super({ url })
    const stock = this.fetcher
    this.fetcher = (fetchUrl, init = {}) => {
      const { [VIEWER_CARRIER]: carried, ...headers } = init.headers ?? {}
      const viewer = carried === undefined ? ANONYMOUS : (JSON.parse(carried) as Viewer)
      return stock(fetchUrl, { ...init, headers: { ...headers, ...viewerHeaders(viewer, init.body ?? '') } })
    }
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<PeerContext>): void {
    request.http?.headers.set(VIEWER_CARRIER, JSON.stringify(context.viewer ?? ANONYMOUS))
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: peerSupergraph(),
  buildService: ({ url }) => new SignedViewerDataSource(url ?? ''),
})
const server = new ApolloServer<PeerContext>({ gateway })
await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: config.gatewayPort },
  context: async ({ req }) => ({ viewer: await viewerOf(req.headers.authorization) }),
})
onShutdown(() => server.stop())
announce('apollo')
