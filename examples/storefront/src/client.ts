// The storefront's Apollo Client: every operation goes by its id in the storefront manifest
// (operations/storefront/manifest.json), queries and mutations over HTTP, the stock badges over
// graphql-ws. Both travel to the page's own origin: the dev server proxies /graphql (HTTP and
// WebSocket) to the gateway, which serves no CORS.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client'
import { SetContextLink } from '@apollo/client/link/context'
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries'
import { GraphQLWsLink } from '@apollo/client/link/subscriptions'
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists'
import { OperationTypeNode } from 'graphql'
import { createClient } from 'graphql-ws'
import manifest from '../../../operations/storefront/manifest.json'

export type SocketState = 'connecting' | 'connected' | 'closed'

export interface StorefrontClient {
  readonly apollo: ApolloClient
  /** Calls `listener` with the socket's state now and on every change; returns the unsubscribe. */
  onSocketState(listener: (state: SocketState) => void): () => void
  dispose(): void
}

/** A client for one viewer (a token, or anonymous): a new sign-in starts with an empty cache. */
export function createStorefrontClient(token: string | null): StorefrontClient {
  const authorization = token ? `Bearer ${token}` : null
  let socketState: SocketState = 'closed'
  const listeners = new Set<(state: SocketState) => void>()
  const setSocketState = (state: SocketState) => {
    socketState = state
    for (const listener of listeners) listener(state)
  }
  const socket = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    // no token: an anonymous shopper, who may follow stock badges
    connectionParams: authorization ? { authorization } : {},
    lazy: true,
    retryAttempts: Infinity,
    on: {
      connecting: () => setSocketState('connecting'),
      connected: () => setSocketState('connected'),
      closed: () => setSocketState('closed'),
    },
  })
  const http = ApolloLink.from([
    new SetContextLink((previous) => ({ headers: { ...previous['headers'], ...(authorization ? { authorization } : {}) } })),
    new HttpLink({ uri: '/graphql' }),
  ])
  const apollo = new ApolloClient({
    cache: new InMemoryCache({
      typePolicies: {
        // by sku, the key every operation selects (the cart's lines carry no variant id) and the one
        // the stock badges name: a badge event updates the variant wherever a page shows it
        ProductVariant: { keyFields: ['sku'] },
      },
    }),
    link: ApolloLink.from([
      // the manifest's id instead of the text; an id the gateway lacks is PERSISTED_QUERY_NOT_FOUND
      new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: async () => manifest })),
      ApolloLink.split((operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION, new GraphQLWsLink(socket), http),
    ]),
  })
  return {
    apollo,
    onSocketState(listener) {
      listeners.add(listener)
      listener(socketState)
      return () => listeners.delete(listener)
    },
    dispose() {
      apollo.stop()
      void socket.dispose()
    },
  }
}
