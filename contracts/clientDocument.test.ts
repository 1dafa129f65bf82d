import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client'
import { addTypenameToDocument } from '@apollo/client/utilities'
import { sortTopLevelDefinitions as apolloSort } from '@apollo/persisted-query-lists'
import { parse, print, type DocumentNode, type OperationDefinitionNode } from 'graphql'
import { of } from 'rxjs'
import * as partner from '../operations/partner/generated/graphql.ts'
import * as storefront from '../operations/storefront/generated/graphql.ts'
import { addTypenameToSelectionSets, manifestBodyOf, sortTopLevelDefinitions } from './clientDocument.ts'
import type { PersistedQueryManifest } from './manifest.ts'

const shapes = {
  plain: 'query A { product(handle: "x") { id variants(first: 1) { nodes { sku } } } }',
  fragments: 'query A { product(handle: "x") { ...Z ...Y } }\nfragment Z on Product { title categories { id } }\nfragment Y on Product { handle }',
  fragmentsFirst: 'fragment F on Product { title }\nquery A { product(handle: "x") { ...F } }',
  inlineFragment: 'query A { node(id: "1") { ... on Product { title } ... on Order { number } } }',
  typenameWritten: 'query A { product(handle: "x") { __typename id } }',
  introspection: 'query A { __schema { types { name } } __type(name: "Product") { fields { name } } }',
  exported: 'query A { viewer @client { id @export(as: "id") settings @export(as: "s") { a } } }',
  rootTypename: 'query A { __typename }',
  subscription: 'subscription S($f: F!) { changed(filter: $f) { sku location { id } } }',
  mutation: 'mutation M { add { cart { id } userErrors { code } } }',
} as const

describe('documents as Apollo Client sends them', () => {
  for (const [shape, text] of Object.entries(shapes)) {
    it(`adds __typename where Apollo Client's addTypenameToDocument does, and sorts as @apollo/persisted-query-lists does (${shape})`, () => {
      const document = parse(text)
      assert.equal(print(addTypenameToSelectionSets(document)), print(addTypenameToDocument(document)))
      assert.equal(print(sortTopLevelDefinitions(document)), print(apolloSort(document)))
      assert.equal(manifestBodyOf(document), print(apolloSort(addTypenameToDocument(document))))
    })
  }

  it('leaves the root of an operation without __typename (a subscription keeps its single root field)', () => {
    assert.equal(manifestBodyOf(parse(shapes.subscription)), 'subscription S($f: F!) {\n  changed(filter: $f) {\n    sku\n    location {\n      id\n      __typename\n    }\n    __typename\n  }\n}')
  })
})

const manifestOf = (client: string) => JSON.parse(readFileSync(`operations/${client}/manifest.json`, 'utf8')) as PersistedQueryManifest
const typedDocuments: Record<string, Record<string, unknown>> = { storefront, partner }

/** What reaches the links of a real Apollo Client with the default InMemoryCache, the way Apollo's manifest generator captures it. */
async function sentByApolloClient(document: DocumentNode): Promise<ApolloLink.Operation> {
  let sent: ApolloLink.Operation | undefined
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    link: new ApolloLink((operation) => {
      sent = operation
      return of({ data: null })
    }),
  })
  const type = (document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode).operation
  if (type === 'query') await client.query({ query: document, fetchPolicy: 'no-cache' }).catch(() => undefined)
  else if (type === 'mutation') await client.mutate({ mutation: document }).catch(() => undefined)
  else await new Promise<void>((resolve) => client.subscribe({ query: document }).subscribe({ next: () => resolve(), error: () => resolve(), complete: resolve }))
  client.stop()
  assert.ok(sent, 'the operation reached the link')
  return sent
}

describe('the manifests and the typed documents', () => {
  for (const client of ['storefront', 'partner']) {
    for (const operation of manifestOf(client).operations) {
      it(`${client} ${operation.name}: the typed document printed is the manifest body, and Apollo Client sends and verifies that body`, async () => {
        const document = typedDocuments[client]![`${operation.name}Document`] as DocumentNode
        assert.ok(document, `operations/${client}/generated exports ${operation.name}Document`)
        // a raw client (graphql-ws, fetch) sending print(document) sends the manifest body
        assert.equal(print(document), operation.body)
        const sent = await sentByApolloClient(document)
        // HttpLink and GraphQLWsLink send print(operation.query); the verification link compares the sorted print
        assert.equal(print(sent.query), operation.body)
        assert.equal(print(apolloSort(sent.query)), operation.body)
      })
    }
  }
})
