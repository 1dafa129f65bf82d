/**
 * Test support: the smallest supergraph with a federated subscription, composed in memory. `stock`
 * owns `stockChanged` (resumable: `after` + `cursor`); `catalog` owns the variant's title, so each
 * event needs one entity fetch. Catalog runs in-process (LocalGraphQLDataSource); stock's
 * subscription reaches the hub through whatever transport a test gives it.
 */
import { composeServices } from '@apollo/composition'
import { LocalGraphQLDataSource } from '@apollo/gateway'
import { buildSubgraphSchema } from '@apollo/subgraph'
import { executeSync, parse, type ExecutionResult, type GraphQLSchema } from 'graphql'
import type { GatewayContext } from '../context.ts'
import { buildSupergraphRuntime, type SupergraphRuntime } from './runtime.ts'

export const STOCK_URL = 'http://stock.test/graphql'

const STOCK_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { stockHealthy: Boolean }
  type Subscription { stockChanged(sku: String!, after: String): StockEvent }
  type StockEvent { cursor: String! sku: String! available: Int! variant: Variant! }
  type Variant @key(fields: "sku", resolvable: false) { sku: String! }
`
const CATALOG_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { variant(sku: String!): Variant }
  type Variant @key(fields: "sku") { sku: String! title: String! }
`

/** The stock events the in-memory feed knows, in order (a subscription with `after` starts past it). */
export const FEED: readonly StockEvent[] = [
  { cursor: 'c1', sku: 'A', available: 10 },
  { cursor: 'c2', sku: 'A', available: 9 },
  { cursor: 'c3', sku: 'A', available: 8 },
]

export interface StockEvent {
  readonly cursor: string
  readonly sku: string
  readonly available: number
}

export const titleOf = (sku: string): string => `Title of ${sku}`

export interface TinySupergraph {
  readonly supergraphSdl: string
  readonly stockSchema: GraphQLSchema
  /** A runtime over the supergraph whose catalog fetches run in-process. */
  readonly runtime: SupergraphRuntime
  /** Variants catalog has resolved (one per representation), to count entity fetches. */
  readonly catalogLookups: string[]
}

export function tinySupergraph(): TinySupergraph {
  const catalogLookups: string[] = []
  const stockSchema = buildSubgraphSchema({
    typeDefs: parse(STOCK_SDL),
    resolvers: {
      Subscription: {
        stockChanged: {
          subscribe: async function* (_: unknown, { sku, after }: { sku: string; after?: string | null }) {
            const from = after ? FEED.findIndex((event) => event.cursor === after) + 1 : 0
            for (const event of FEED.slice(from)) if (event.sku === sku) yield { stockChanged: { ...event, variant: { sku } } }
          },
        },
      },
    } as never,
  })
  const catalogSchema = buildSubgraphSchema({
    typeDefs: parse(CATALOG_SDL),
    resolvers: {
      Variant: {
        __resolveReference: ({ sku }: { sku: string }) => {
          catalogLookups.push(sku)
          return { sku, title: titleOf(sku) }
        },
      },
    } as never,
  })
  const supergraphSdl = composed()
  const sources = { catalog: new LocalGraphQLDataSource<GatewayContext>(catalogSchema), stock: new LocalGraphQLDataSource<GatewayContext>(stockSchema) }
  const runtime = buildSupergraphRuntime(supergraphSdl, (_name, url) => url, (name) => sources[name as keyof typeof sources])
  return { supergraphSdl, stockSchema, runtime, catalogLookups }
}

let composedSdl: string | undefined

/** Composition is the slow part: once per test file. */
function composed(): string {
  if (composedSdl !== undefined) return composedSdl
  const result = composeServices([
    { name: 'stock', url: STOCK_URL, typeDefs: parse(STOCK_SDL) },
    { name: 'catalog', url: 'http://catalog.test/graphql', typeDefs: parse(CATALOG_SDL) },
  ])
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'))
  composedSdl = result.supergraphSdl
  return composedSdl
}

/**
 * What the stock subgraph sends for `event` on the subscription `query`: its selection executed
 * against stock's real schema, so the event has exactly the shape of the upstream operation
 * (aliases, `__typename`, the gateway's cursor field).
 */
export function stockEventFor(stockSchema: GraphQLSchema, query: string, variables: Readonly<Record<string, unknown>>, event: StockEvent): ExecutionResult {
  return executeSync({ schema: stockSchema, document: parse(query), variableValues: variables, rootValue: { stockChanged: { ...event, variant: { sku: event.sku } } } })
}
