// Apollo Client's core, bound to Preact with two hooks (its React bindings would need React).
import type { ApolloClient, OperationVariables, TypedDocumentNode } from '@apollo/client'
import { createContext } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'

export const ClientContext = createContext<ApolloClient | null>(null)

export function useClient(): ApolloClient {
  const client = useContext(ClientContext)
  if (!client) throw new Error('useClient outside ClientContext')
  return client
}

export interface QueryState<TData> {
  readonly data: TData | undefined
  readonly error: string | null
  readonly loading: boolean
}

/**
 * A watched query: the cache's answer first, then the network's, then every change the cache sees
 * (a stock badge, a mutation's result). `pollInterval` refetches while the page shows it.
 */
export function useQuery<TData, TVariables extends OperationVariables>(
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  options: { readonly pollInterval?: number; readonly skip?: boolean } = {},
): QueryState<TData> {
  const client = useClient()
  const [state, setState] = useState<QueryState<TData>>({ data: undefined, error: null, loading: !options.skip })
  const key = JSON.stringify(variables)
  useEffect(() => {
    if (options.skip) return
    setState((previous) => ({ ...previous, loading: true }))
    const watched = client.watchQuery<TData, TVariables>({
      query,
      variables,
      fetchPolicy: 'cache-and-network',
      ...(options.pollInterval ? { pollInterval: options.pollInterval } : {}),
    } as never)
    const subscription = watched.subscribe((result) => {
      setState({ data: (result.data ?? undefined) as TData | undefined, error: result.error ? messageOf(result.error) : null, loading: result.loading })
    })
    return () => subscription.unsubscribe()
  }, [client, query, key, options.pollInterval, options.skip])
  return state
}

/** What a failed operation says to a shopper: the gateway's message, without a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
