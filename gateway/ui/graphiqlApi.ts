/**
 * What the gateway's GraphiQL helpers answer (`/graphiql/api/*`), as the browser bundle
 * (ui/graphiql/) reads it. Types only and no imports: the front-end build takes this file as it is.
 */

/** What GraphiQL lists in its persisted-operations pane (`/graphiql/api/operations`). */
export interface PersistedOperationsAnswer {
  readonly mode: string
  readonly operations: readonly PersistedOperationView[]
}

export interface PersistedOperationView {
  readonly client: string
  readonly name: string
  readonly type: 'query' | 'mutation' | 'subscription'
  /** sha256 hex of `body`: what is sent as `documentId`. */
  readonly id: string
  readonly body: string
}
