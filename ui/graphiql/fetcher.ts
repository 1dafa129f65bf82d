import type { GraphiQLProps } from 'graphiql'
import { getOperationAST, type DocumentNode, type OperationTypeNode } from 'graphql'
import { createClient, type Client, type SubscribePayload } from 'graphql-ws'
import type { PersistedOperationView } from '../../gateway/ui/graphiqlApi.ts'

export type Fetcher = GraphiQLProps['fetcher']
type Result = Record<string, unknown>

export interface FetcherOptions {
  /** The gateway's GraphQL endpoint (this page's origin). */
  readonly url: string
  /** The same path over graphql-ws (ws: or wss: of this page's host). */
  readonly wsUrl: string
  /** The gateway's introspection for GraphiQL (gateway/ui/graphiql.ts). */
  readonly schemaUrl: string
  /** The manifest operation whose body is exactly this text, if any. */
  readonly persisted: (query: string) => PersistedOperationView | undefined
}

/**
 * GraphiQL's one way to the gateway:
 *
 * - Queries and mutations: POST /graphql, with the headers pane's headers. A document that is a
 *   client manifest's operation, unchanged, is sent by id (`documentId`, no text) — as that
 *   client sends it, so it runs under TRUSTED_DOCUMENTS=enforce too.
 * - Subscriptions: graphql-ws on /graphql, the headers pane's Authorization in `connection_init`
 *   (the gateway opens sockets for partner and staff tokens with stock:read); a persisted one by id.
 * - GraphiQL's own introspection (the docs and completion): the gateway's schema endpoint, which
 *   answers as introspection would, whatever the trusted-documents mode.
 */
export function createFetcher(options: FetcherOptions): Fetcher {
  const sockets = new Map<string, Client>()
  const socketFor = (authorization: string | undefined): Client => {
    const key = authorization ?? ''
    let client = sockets.get(key)
    if (!client) {
      client = createClient({
        url: options.wsUrl,
        lazy: true,
        retryAttempts: 0,
        connectionParams: authorization ? { authorization } : {},
      })
      sockets.set(key, client)
    }
    return client
  }

  return (params, opts) => {
    const headers = headersOf(opts?.headers)
    if (params.operationName === 'IntrospectionQuery' && params.query.includes('__schema')) return getJson(options.schemaUrl, headers)
    const persisted = options.persisted(params.query)
    const variables = (params.variables ?? undefined) as Record<string, unknown> | undefined
    // a manifest body names one operation: its own name, whatever GraphiQL last parsed
    const operationName = persisted?.name ?? params.operationName ?? undefined
    const body: Result = persisted
      ? { documentId: `sha256:${persisted.id}`, operationName, ...(variables ? { variables } : {}) }
      : { query: params.query, ...(operationName ? { operationName } : {}), ...(variables ? { variables } : {}) }
    const type = persisted?.type ?? operationTypeOf(opts?.documentAST, operationName)
    if (type === 'subscription') {
      const authorization = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1]
      // graphql-ws requires a `query` string: a document named by id sends an empty one
      const payload = (persisted ? { query: '', ...body } : body) as unknown as SubscribePayload
      return subscription(socketFor(authorization), payload)
    }
    return postJson(options.url, body, headers)
  }
}

function headersOf(given: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(given ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
}

function operationTypeOf(document: DocumentNode | undefined, operationName: string | undefined): OperationTypeNode | undefined {
  return document ? getOperationAST(document, operationName)?.operation : undefined
}

async function postJson(url: string, body: Result, headers: Record<string, string>): Promise<Result> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/graphql-response+json, application/json;q=0.9', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return readJson(response)
}

async function getJson(url: string, headers: Record<string, string>): Promise<Result> {
  return readJson(await fetch(url, { headers: { accept: 'application/json', ...headers } }))
}

/** GraphQL answers carry their errors in the body whatever the status: show the body. */
async function readJson(response: Response): Promise<Result> {
  const text = await response.text()
  try {
    return JSON.parse(text) as Result
  } catch {
    throw new Error(`${response.status} ${response.statusText}: ${text.slice(0, 500)}`)
  }
}

/** GraphiQL's Observable: it subscribes with an observer object, the one form implemented here. */
type Observable = Extract<Awaited<ReturnType<Fetcher>>, { subscribe: unknown }>

/** A graphql-ws subscription as the Observable GraphiQL reads. */
function subscription(client: Client, payload: SubscribePayload): Observable {
  const observable = {
    subscribe(observer: { next: (value: Result) => void; error: (error: unknown) => void; complete: () => void }) {
      const unsubscribe = client.subscribe(payload, {
        next: (value) => observer.next(value as Result),
        error: (error) => observer.error(describeSocketError(error)),
        complete: () => observer.complete(),
      })
      return { unsubscribe }
    },
  }
  return observable as Observable
}

/** A socket closed by the gateway (4403 for a token that does not verify, ...) says why. */
function describeSocketError(error: unknown): unknown {
  if (typeof CloseEvent !== 'undefined' && error instanceof CloseEvent) {
    return new Error(`The socket closed: ${error.code}${error.reason ? ` ${error.reason}` : ''}${error.code === 4403 ? ' (the token in the Authorization header was refused: expired, or not signed for this gateway)' : ''}`)
  }
  if (Array.isArray(error)) return { errors: error }
  return error
}
