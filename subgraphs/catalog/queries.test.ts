import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { customer, execute, type GraphQLResponse, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { catalog } from './subgraph.ts'

const world = buildWorld()
const variantsOf = (productId: string) => world.variants.filter((v) => v.productId === productId)

describe('catalog queries', () => {
  let t: SubgraphTestApp
  before(async () => {
    t = await openSubgraphTestApp(catalog)
  })
  after(() => t.close())

  describe('product', () => {
    const PRODUCT = `query ($id: ID, $handle: String) {
      product(id: $id, handle: $handle) {
        id handle title description status
        options { name values }
        categories { id name }
      }
    }`

    it('resolves a product by id with its options and categories', async () => {
      const { data, errors } = await execute(t.app, PRODUCT, { id: 'prod_0001' })
      assert.equal(errors, undefined)
      const expected = world.products[0]!
      assert.deepEqual(data?.['product'], {
        id: 'prod_0001',
        handle: expected.handle,
        title: expected.title,
        description: expected.description,
        status: 'ACTIVE',
        options: expected.options,
        categories: [
          { id: 'cat_app', name: 'Apparel' },
          { id: 'cat_app_t_shirts', name: 'T-Shirts' },
        ],
      })
    })

    it('resolves a product by handle', async () => {
      const { data } = await execute(t.app, PRODUCT, { handle: world.products[1]!.handle })
      assert.equal(data?.['product'].id, 'prod_0002')
    })

    it('returns null for an unknown id or handle', async () => {
      assert.equal((await execute(t.app, PRODUCT, { id: 'prod_9999' })).data?.['product'], null)
      assert.equal((await execute(t.app, PRODUCT, { handle: 'no-such-product' })).data?.['product'], null)
    })

    for (const [name, variables] of [
      ['neither', {}],
      ['both', { id: 'prod_0001', handle: 'classic-tee-001' }],
    ] as const) {
      it(`refuses ${name} of id and handle with BAD_USER_INPUT`, async () => {
        const { data, errors } = await execute(t.app, PRODUCT, variables)
        assert.equal(data?.['product'], null)
        assert.equal(errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
        assert.deepEqual(errors?.[0]?.path, ['product'])
      })
    }
  })

  describe('variant', () => {
    const VARIANT = `query ($id: ID, $sku: String) {
      variant(id: $id, sku: $sku) { id sku title barcode selectedOptions { name value } product { id } }
    }`
    const expected = world.variants.find((v) => v.id === 'var_0002_3')!

    it('resolves a variant by id and by sku, with its product', async () => {
      const shape = {
        id: expected.id,
        sku: expected.sku,
        title: expected.title,
        barcode: expected.barcode,
        selectedOptions: expected.selectedOptions,
        product: { id: 'prod_0002' },
      }
      assert.deepEqual((await execute(t.app, VARIANT, { id: expected.id })).data?.['variant'], shape)
      assert.deepEqual((await execute(t.app, VARIANT, { sku: expected.sku })).data?.['variant'], shape)
    })

    it('returns null for an unknown sku', async () => {
      const { data, errors } = await execute(t.app, VARIANT, { sku: 'NOPE-0000-X' })
      assert.equal(errors, undefined)
      assert.equal(data?.['variant'], null)
    })

    it('refuses neither or both of id and sku with BAD_USER_INPUT', async () => {
      for (const variables of [{}, { id: expected.id, sku: expected.sku }]) {
        const { errors } = await execute(t.app, VARIANT, variables)
        assert.equal(errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
      }
    })
  })

  describe('Product.variants', () => {
    const VARIANTS = `query ($id: ID!, $first: Int, $after: String) {
      product(id: $id) { variants(first: $first, after: $after) {
        edges { cursor node { id } } nodes { sku } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      } }
    }`

    it('lists every variant in position order by default', async () => {
      const { data } = await execute(t.app, VARIANTS, { id: 'prod_0001' })
      const connection = data?.['product'].variants
      assert.deepEqual(connection.nodes.map((n: { sku: string }) => n.sku), variantsOf('prod_0001').map((v) => v.sku))
      assert.equal(connection.pageInfo.hasNextPage, false)
      assert.equal(connection.pageInfo.hasPreviousPage, false)
    })

    it('pages forward with first and after', async () => {
      const first = (await execute(t.app, VARIANTS, { id: 'prod_0001', first: 3 })).data?.['product'].variants
      assert.deepEqual(first.edges.map((e: { node: { id: string } }) => e.node.id), ['var_0001_1', 'var_0001_2', 'var_0001_3'])
      assert.equal(first.pageInfo.hasNextPage, true)
      const rest = (await execute(t.app, VARIANTS, { id: 'prod_0001', first: 3, after: first.pageInfo.endCursor })).data?.['product'].variants
      assert.deepEqual(rest.edges.map((e: { node: { id: string } }) => e.node.id), ['var_0001_4'])
      assert.equal(rest.pageInfo.hasNextPage, false)
      assert.equal(rest.pageInfo.hasPreviousPage, true)
    })

    it('refuses a cursor of another connection and a page size over the maximum', async () => {
      const products = await execute(t.app, `{ products(first: 1) { pageInfo { endCursor } } }`)
      const foreign = products.data?.['products'].pageInfo.endCursor
      const malformed = await execute(t.app, VARIANTS, { id: 'prod_0001', after: foreign })
      assert.equal(malformed.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
      assert.equal(malformed.errors?.[0]?.extensions?.['argumentName'], 'after')
      const tooMany = await execute(t.app, VARIANTS, { id: 'prod_0001', first: 101 })
      assert.equal(tooMany.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    })

    it('refuses a forged cursor whose key has the wrong types', async () => {
      const forged = Buffer.from(JSON.stringify(['Product.variants', 'one', 2])).toString('base64url')
      const { errors } = await execute(t.app, VARIANTS, { id: 'prod_0001', after: forged })
      assert.equal(errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    })
  })

  describe('categories', () => {
    const CATEGORIES = `query ($parentId: ID) {
      categories(parentId: $parentId) { id handle name parent { id } children { id } }
    }`

    it('lists the top level in position order, each with its children', async () => {
      const { data } = await execute(t.app, CATEGORIES)
      const tops = world.categories.filter((c) => c.parentId === null)
      assert.deepEqual(
        data?.['categories'],
        tops.map((c) => ({
          id: c.id,
          handle: c.handle,
          name: c.name,
          parent: null,
          children: world.categories.filter((child) => child.parentId === c.id).map((child) => ({ id: child.id })),
        })),
      )
    })

    it('lists the children of a parent with the parent resolved', async () => {
      const { data } = await execute(t.app, CATEGORIES, { parentId: 'cat_ftw' })
      assert.deepEqual(
        data?.['categories'].map((c: { id: string; parent: { id: string } }) => [c.id, c.parent.id]),
        [
          ['cat_ftw_sneakers', 'cat_ftw'],
          ['cat_ftw_boots', 'cat_ftw'],
          ['cat_ftw_sandals', 'cat_ftw'],
        ],
      )
    })

    it('returns an empty list for an unknown parent', async () => {
      assert.deepEqual((await execute(t.app, CATEGORIES, { parentId: 'cat_nope' })).data?.['categories'], [])
    })
  })

  describe('Category.products', () => {
    const CATEGORY_PRODUCTS = `query ($first: Int, $after: String) {
      categories { id products(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }
    }`
    const listedIn = (categoryId: string, statuses: string[]) =>
      world.products.filter((p) => p.categoryIds.includes(categoryId) && statuses.includes(p.status)).map((p) => p.id)

    it('lists the active products of a category and its descendants, a page per category', async () => {
      const { data } = await execute(t.app, CATEGORY_PRODUCTS, { first: 5 })
      for (const category of data?.['categories'] as { id: string; products: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } } }[]) {
        assert.deepEqual(category.products.nodes.map((n) => n.id), listedIn(category.id, ['ACTIVE']).slice(0, 5))
        assert.equal(category.products.pageInfo.hasNextPage, true)
      }
    })

    it('pages on with after, and shows drafts to staff', async () => {
      const CHILD = `query ($first: Int, $after: String) {
        categories(parentId: "cat_app") { id products(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }
      }`
      const hoodies = (response: GraphQLResponse) =>
        response.data?.['categories'].find((c: { id: string }) => c.id === 'cat_app_hoodies').products
      const expected = listedIn('cat_app_hoodies', ['ACTIVE', 'DRAFT', 'ARCHIVED'])
      const page1 = hoodies(await execute(t.app, CHILD, { first: 10 }, staff()))
      const page2 = hoodies(await execute(t.app, CHILD, { first: 10, after: page1.pageInfo.endCursor }, staff()))
      assert.deepEqual([...page1.nodes, ...page2.nodes].map((n: { id: string }) => n.id), expected)
      assert.equal(page2.pageInfo.hasNextPage, false)
      assert.ok(expected.includes('prod_0017'), 'the hoodies hold a draft')
      const asCustomer = hoodies(await execute(t.app, CHILD, { first: 20 }, customer('c_1001')))
      assert.deepEqual(asCustomer.nodes.map((n: { id: string }) => n.id), listedIn('cat_app_hoodies', ['ACTIVE']))
    })
  })
})
