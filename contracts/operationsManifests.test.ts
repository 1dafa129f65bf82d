import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { apiSchemaOf, buildManifest, clientsIn, readOperationSources, serializeManifest } from './buildManifest.ts'
import { parseManifest, sha256Hex } from './manifest.ts'

const schema = apiSchemaOf(readFileSync('supergraph.graphql', 'utf8'))

describe('the client operations', () => {
  it('are there for the storefront and partner clients', () => {
    assert.deepEqual(clientsIn('operations'), ['partner', 'storefront'])
  })

  for (const client of clientsIn('operations')) {
    it(`${client}: every operation validates against the API schema and manifest.json is what npm run operations writes`, () => {
      const result = buildManifest(readOperationSources(join('operations', client)), schema)
      assert.ok(result.ok, result.ok ? '' : result.problems.join('\n'))
      const file = join('operations', client, 'manifest.json')
      assert.equal(readFileSync(file, 'utf8'), serializeManifest(result.manifest), `${file} is stale: run npm run operations`)
      // and the gateway's own loader accepts it
      assert.equal(parseManifest(file, readFileSync(file, 'utf8')).operations.length, result.manifest.operations.length)
    })
  }

  it('storefront covers categories, listing with stock badges, product page, search, cart, checkout and my orders; partner stock and order status', () => {
    const names = (client: string) => (JSON.parse(readFileSync(join('operations', client, 'manifest.json'), 'utf8')) as { operations: { name: string; type: string }[] }).operations.map((o) => `${o.type} ${o.name}`)
    assert.deepEqual(names('storefront'), [
      'mutation CartLinesAdd',
      'query CartView',
      'query Categories',
      'query CategoryListing',
      'mutation CheckoutComplete',
      'query MyOrders',
      'query OrderOutcome',
      'query ProductListing',
      'query ProductPage',
      'query SearchProducts',
      'subscription StockBadges',
    ])
    assert.deepEqual(names('partner'), ['query OrderStatus', 'subscription StockChanges', 'query StockLevels'])
  })
})

describe('buildManifest', () => {
  const build = (...texts: string[]) => buildManifest(texts.map((text, i) => ({ file: `op${i}.graphql`, text })), schema)

  it('gives each operation its body as Apollo Client sends it and the sha256 of it, sorted by name', () => {
    const result = build('query B { products(first: 1) { nodes { id } } }', '# a comment\nquery A($h: String) { product(handle: $h) { ...T } }\nfragment T on Product { title }')
    assert.ok(result.ok)
    assert.deepEqual(result.manifest.operations.map((o) => o.name), ['A', 'B'])
    // __typename in every selection set but the root, fragments included
    assert.equal(result.manifest.operations[0]!.body, 'query A($h: String) {\n  product(handle: $h) {\n    ...T\n    __typename\n  }\n}\n\nfragment T on Product {\n  title\n  __typename\n}')
    assert.equal(result.manifest.operations[0]!.id, sha256Hex(result.manifest.operations[0]!.body))
  })

  it('prints the operation first, then its fragments by name, wherever they were written', () => {
    const result = build('fragment Z on Product { title }\nfragment Y on Product { handle }\nquery A { product(handle: "x") { ...Z ...Y } }')
    assert.ok(result.ok)
    assert.deepEqual([...result.manifest.operations[0]!.body.matchAll(/^(query|fragment) (\w+)/gm)].map((m) => m[2]), ['A', 'Y', 'Z'])
  })

  it('names the file and line of an operation that does not validate', () => {
    const result = build('query Broken {\n  product(handle: "x") { noSuchField }\n}')
    assert.deepEqual(result.ok ? [] : result.problems, ['op0.graphql:2:26: Cannot query field "noSuchField" on type "Product".'])
  })

  it('refuses unnamed operations, several operations in a file, a name used twice and syntax errors', () => {
    const result = build('{ products(first: 1) { nodes { id } } }', 'query A { __typename } query B { __typename }', 'query C { __typename }', 'query C { __typename }', 'query {')
    assert.deepEqual(result.ok ? [] : result.problems, [
      'op0.graphql: the operation must be named',
      'op1.graphql: must hold exactly one operation, found 2',
      'op3.graphql: operation name C is already used by op2.graphql',
      'op4.graphql: Syntax Error: Expected Name, found <EOF>.',
    ])
  })
})
