import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import type { Viewer } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { catalog } from './subgraph.ts'

const world = buildWorld()
const product = (id: string) => world.products.find((p) => p.id === id)!
const firstVariant = (productId: string) => world.variants.find((v) => v.productId === productId)!

// Representations travel as a variable, as the gateway sends them.
const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Product { id handle status }
    ... on ProductVariant { id sku product { id } }
    ... on Price { id amount { minorUnits currency } }
    ... on Category { id name parent { id } }
  }
}`

describe('_entities', () => {
  let t: SubgraphTestApp
  before(async () => {
    t = await openSubgraphTestApp(catalog)
  })
  after(() => t.close())

  const entities = async (representations: Record<string, unknown>[], who?: Viewer) => {
    const { data, errors } = await execute(t.app, ENTITIES, { representations }, who)
    assert.equal(errors, undefined, JSON.stringify(errors))
    return data?.['_entities'] as unknown[]
  }

  it('resolves a Product by id and by handle', async () => {
    const p = product('prod_0005')
    const expected = { __typename: 'Product', id: p.id, handle: p.handle, status: 'ACTIVE' }
    assert.deepEqual(await entities([{ __typename: 'Product', id: p.id }, { __typename: 'Product', handle: p.handle }]), [expected, expected])
  })

  it('resolves a ProductVariant by id and by sku', async () => {
    const v = firstVariant('prod_0005')
    const expected = { __typename: 'ProductVariant', id: v.id, sku: v.sku, product: { id: 'prod_0005' } }
    assert.deepEqual(
      await entities([
        { __typename: 'ProductVariant', id: v.id },
        { __typename: 'ProductVariant', sku: v.sku },
      ]),
      [expected, expected],
    )
  })

  it('resolves a Price by id', async () => {
    const price = world.prices.find((p) => p.currency === 'EUR' && p.sku === firstVariant('prod_0005').sku)!
    assert.deepEqual(await entities([{ __typename: 'Price', id: price.id }]), [
      { __typename: 'Price', id: price.id, amount: { minorUnits: price.amount.toString(), currency: 'EUR' } },
    ])
  })

  it('resolves a Category by id', async () => {
    assert.deepEqual(await entities([{ __typename: 'Category', id: 'cat_hom_decor' }]), [
      { __typename: 'Category', id: 'cat_hom_decor', name: 'Decor', parent: { id: 'cat_hom' } },
    ])
  })

  it('resolves unknown keys to null, in place', async () => {
    assert.deepEqual(
      await entities([
        { __typename: 'Product', id: 'prod_9999' },
        { __typename: 'Product', handle: 'nope' },
        { __typename: 'ProductVariant', id: 'var_9999_1' },
        { __typename: 'ProductVariant', sku: 'NOPE' },
        { __typename: 'Price', id: 'price_nope' },
        { __typename: 'Category', id: 'cat_nope' },
        { __typename: 'Category', id: 'cat_app' },
      ]),
      [null, null, null, null, null, null, { __typename: 'Category', id: 'cat_app', name: 'Apparel', parent: null }],
    )
  })

  it('resolves a representation without its key field to null', async () => {
    assert.deepEqual(await entities([{ __typename: 'Product', title: 'x' }, { __typename: 'ProductVariant', id: 42 }]), [null, null])
  })

  describe('visibility', () => {
    const draft = product('prod_0017')
    const draftVariant = firstVariant('prod_0017')
    const draftPrice = world.prices.find((p) => p.sku === draftVariant.sku)!
    const draftReferences = [
      { __typename: 'Product', id: draft.id },
      { __typename: 'Product', handle: draft.handle },
      { __typename: 'ProductVariant', id: draftVariant.id },
      { __typename: 'ProductVariant', sku: draftVariant.sku },
      { __typename: 'Price', id: draftPrice.id },
    ]

    it('hides a draft product, its variants and its prices from anonymous viewers and customers', async () => {
      for (const who of [undefined, customer('c_1001')]) {
        assert.deepEqual(await entities(draftReferences, who), [null, null, null, null, null])
      }
    })

    it('shows a draft to staff by every key', async () => {
      const resolved = (await entities(draftReferences, staff())) as { id: string }[]
      assert.deepEqual(
        resolved.map((e) => e.id),
        [draft.id, draft.id, draftVariant.id, draftVariant.id, draftPrice.id],
      )
    })

    it('still resolves an archived product and its variant for anyone (old orders point at them)', async () => {
      const archived = product('prod_0023')
      const variant = firstVariant('prod_0023')
      const resolved = (await entities(
        [
          { __typename: 'Product', handle: archived.handle },
          { __typename: 'ProductVariant', sku: variant.sku },
        ],
        customer('c_1001'),
      )) as { id: string }[]
      assert.deepEqual(resolved, [
        { __typename: 'Product', id: archived.id, handle: archived.handle, status: 'ARCHIVED' },
        { __typename: 'ProductVariant', id: variant.id, sku: variant.sku, product: { id: archived.id } },
      ])
    })
  })
})
