import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { execute, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { catalog } from './subgraph.ts'

const world = buildWorld()

const PAGE = `query ($first: Int!) {
  products(first: $first) {
    nodes {
      id title
      categories { id name parent { id } }
      priceRange(currency: "USD") { min { minorUnits } max { minorUnits } }
      eurRange: priceRange(currency: "EUR") { min { minorUnits } }
      variants(first: 10) {
        nodes {
          sku
          product { id }
          price(currency: "USD") { amount { minorUnits } }
          scheduled: price(currency: "USD", at: "2027-12-01T00:00:00Z") { amount { minorUnits } }
          eur: price(currency: "EUR") { amount { minorUnits } }
        }
      }
    }
  }
}`

/*
 * One statement each: the page, the categories (their parents come from the same rows), the USD
 * and EUR ranges, the variants (whose product is the page's, already loaded), and the prices of
 * each distinct (currency, instant): USD now, USD later, EUR now.
 */
const EXPECTED_STATEMENTS = 8

describe('loaders', () => {
  let t: SubgraphTestApp
  before(async () => {
    t = await openSubgraphTestApp(catalog)
  })
  after(() => t.close())

  const statementsFor = async (first: number) => {
    const before = t.db.counter.queries
    const { data, errors } = await execute(t.app, PAGE, { first }, staff())
    assert.equal(errors, undefined, JSON.stringify(errors))
    assert.equal(data?.['products'].nodes.length, first)
    return { statements: t.db.counter.queries - before, data }
  }

  it('serves a page of 50 products with variants, prices and price ranges in a constant number of statements', async () => {
    const { statements, data } = await statementsFor(50)
    // every product brought all its variants (at most the page of 10 asked for)
    const nodes: { id: string; variants: { nodes: unknown[] } }[] = data?.['products'].nodes ?? []
    assert.deepEqual(
      nodes.map((p) => p.variants.nodes.length),
      nodes.map((p) => Math.min(10, world.variants.filter((v) => v.productId === p.id).length)),
    )
    assert.equal(statements, EXPECTED_STATEMENTS)
  })

  it('costs the same for 5 products as for 50', async () => {
    assert.equal((await statementsFor(5)).statements, EXPECTED_STATEMENTS)
  })

  it('resolves entity references of each key in one statement', async () => {
    const variants = world.variants.slice(0, 40) // of the first products, which are referenced too
    const representations = [
      ...variants.slice(0, 20).map((v) => ({ __typename: 'ProductVariant', id: v.id })),
      ...variants.slice(20).map((v) => ({ __typename: 'ProductVariant', sku: v.sku })),
      ...world.products.slice(0, 15).map((p) => ({ __typename: 'Product', id: p.id })),
      ...world.products.slice(15, 30).map((p) => ({ __typename: 'Product', handle: p.handle })),
      ...world.prices.slice(0, 20).map((p) => ({ __typename: 'Price', id: p.id })),
      ...world.categories.map((c) => ({ __typename: 'Category', id: c.id })),
    ]
    const before = t.db.counter.queries
    const { data, errors } = await execute(
      t.app,
      `query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Product { id } ... on ProductVariant { id product { id } } ... on Price { id } ... on Category { id }
        }
      }`,
      { representations },
      staff(),
    )
    assert.equal(errors, undefined)
    // one per key: variant id, variant sku, product id, product handle, price id, category id
    assert.equal(t.db.counter.queries - before, 6)
    const resolved = data?.['_entities'] as { id: string }[]
    assert.deepEqual(
      resolved.map((e) => e.id),
      [
        ...variants.map((v) => v.id),
        ...world.products.slice(0, 30).map((p) => p.id),
        ...world.prices.slice(0, 20).map((p) => p.id),
        ...world.categories.map((c) => c.id),
      ],
    )
  })
})
