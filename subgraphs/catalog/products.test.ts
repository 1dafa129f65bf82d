import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import type { Viewer } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { catalog } from './subgraph.ts'

const world = buildWorld()
const idsWith = (statuses: string[]) => world.products.filter((p) => statuses.includes(p.status)).map((p) => p.id)
const ACTIVE = idsWith(['ACTIVE'])
const ALL = idsWith(['ACTIVE', 'DRAFT', 'ARCHIVED'])

const PRODUCTS = `query ($first: Int, $after: String, $last: Int, $before: String, $filter: ProductFilter) {
  products(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { cursor node { id } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`

interface Page {
  edges: { cursor: string; node: { id: string } }[]
  nodes: { id: string }[]
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }
}

describe('Query.products', () => {
  let t: SubgraphTestApp
  before(async () => {
    t = await openSubgraphTestApp(catalog)
  })
  after(() => t.close())

  const page = async (variables: Record<string, unknown>, who?: Viewer): Promise<Page> => {
    const { data, errors } = await execute(t.app, PRODUCTS, variables, who)
    assert.equal(errors, undefined, JSON.stringify(errors))
    return data?.['products'] as Page
  }
  const ids = (p: Page) => p.nodes.map((n) => n.id)
  const errorOf = async (variables: Record<string, unknown>) => (await execute(t.app, PRODUCTS, variables)).errors?.[0]

  describe('pagination', () => {
    it('pages forward through every active product without gaps or repeats', async () => {
      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      for (;;) {
        const p: Page = await page({ first: 50, after: cursor })
        seen.push(...ids(p))
        assert.equal(p.pageInfo.hasPreviousPage, cursor !== null)
        assert.equal(p.edges.at(-1)?.cursor, p.pageInfo.endCursor)
        pages++
        if (!p.pageInfo.hasNextPage) break
        cursor = p.pageInfo.endCursor
      }
      assert.deepEqual(seen, ACTIVE)
      assert.equal(pages, Math.ceil(ACTIVE.length / 50))
    })

    it('pages backward with last and before, in ascending order within a page', async () => {
      const last = await page({ last: 3 })
      assert.deepEqual(ids(last), ACTIVE.slice(-3))
      assert.equal(last.pageInfo.hasPreviousPage, true)
      assert.equal(last.pageInfo.hasNextPage, false)
      const earlier = await page({ last: 3, before: last.pageInfo.startCursor })
      assert.deepEqual(ids(earlier), ACTIVE.slice(-6, -3))
      assert.equal(earlier.pageInfo.hasNextPage, true)
    })

    it('reports no previous page when paging backward reaches the start', async () => {
      const second = await page({ first: 2, after: (await page({ first: 2 })).pageInfo.endCursor })
      const back = await page({ last: 5, before: second.pageInfo.startCursor })
      assert.deepEqual(ids(back), ACTIVE.slice(0, 2))
      assert.equal(back.pageInfo.hasPreviousPage, false)
    })

    it('returns the products between after and before', async () => {
      const first = await page({ first: 6 })
      const between = await page({ first: 10, after: first.edges[1]!.cursor, before: first.edges[5]!.cursor })
      assert.deepEqual(ids(between), ACTIVE.slice(2, 5))
    })

    it('defaults to a first page of 20', async () => {
      assert.deepEqual(ids(await page({})), ACTIVE.slice(0, 20))
    })

    it('refuses a malformed cursor', async () => {
      const error = await errorOf({ first: 5, after: 'not-a-cursor' })
      assert.equal(error?.extensions?.['code'], 'BAD_USER_INPUT')
      assert.equal(error?.extensions?.['argumentName'], 'after')
    })

    it('refuses a cursor of another connection', async () => {
      const variants = await execute(t.app, `{ product(id: "prod_0001") { variants(first: 1) { pageInfo { endCursor } } } }`)
      const error = await errorOf({ first: 5, before: variants.data?.['product'].variants.pageInfo.endCursor })
      assert.equal(error?.extensions?.['code'], 'BAD_USER_INPUT')
      assert.equal(error?.extensions?.['argumentName'], 'before')
    })

    it('refuses a page size over the maximum', async () => {
      const error = await errorOf({ first: 101 })
      assert.equal(error?.extensions?.['code'], 'BAD_USER_INPUT')
      assert.match(error?.message ?? '', /at most 100/)
      assert.equal((await errorOf({ last: 500 }))?.extensions?.['argumentName'], 'last')
    })

    it('refuses first and last together', async () => {
      const error = await errorOf({ first: 5, last: 5 })
      assert.equal(error?.extensions?.['code'], 'BAD_USER_INPUT')
    })
  })

  describe('filter', () => {
    it('matches the title or the handle case-insensitively', async () => {
      const expected = world.products.filter((p) => p.status === 'ACTIVE' && /alpine tee/i.test(p.title)).map((p) => p.id)
      assert.ok(expected.length > 0)
      assert.deepEqual(ids(await page({ first: 100, filter: { query: 'ALPINE tee' } })), expected)
      assert.deepEqual(ids(await page({ first: 100, filter: { query: 'alpine-tee' } })), expected)
    })

    it('treats % and _ in the query as plain characters', async () => {
      assert.deepEqual(ids(await page({ first: 100, filter: { query: '%' } })), [])
      assert.deepEqual(ids(await page({ first: 100, filter: { query: 'classic_tee' } })), [])
    })

    it('includes the category and its descendants', async () => {
      const inTop = world.products.filter((p) => p.status === 'ACTIVE' && p.categoryIds.includes('cat_elc')).map((p) => p.id)
      const inChild = world.products.filter((p) => p.status === 'ACTIVE' && p.categoryIds.includes('cat_elc_audio')).map((p) => p.id)
      assert.deepEqual(ids(await page({ first: 100, filter: { categoryId: 'cat_elc' } })), inTop)
      assert.deepEqual(ids(await page({ first: 100, filter: { categoryId: 'cat_elc_audio' } })), inChild)
      assert.ok(inChild.length > 0 && inChild.length < inTop.length)
      assert.deepEqual(ids(await page({ first: 100, filter: { categoryId: 'cat_nope' } })), [])
    })

    it('keeps products updated since an instant', async () => {
      const since = new Date('2026-02-01T00:00:00Z')
      const expected = world.products.filter((p) => p.status === 'ACTIVE' && p.updatedAt >= since).map((p) => p.id)
      assert.ok(expected.length > 0 && expected.length < ACTIVE.length)
      assert.deepEqual(ids(await page({ first: 100, filter: { updatedSince: since.toISOString() } })), expected)
    })

    it('combines filters', async () => {
      const expected = world.products
        .filter((p) => p.status === 'ARCHIVED' && p.categoryIds.includes('cat_app'))
        .map((p) => p.id)
      assert.deepEqual(ids(await page({ first: 100, filter: { status: 'ARCHIVED', categoryId: 'cat_app' } }, staff())), expected)
    })
  })

  describe('visibility', () => {
    it('lists only active products to customers and anonymous viewers', async () => {
      for (const who of [undefined, customer('c_1001')]) {
        const p = await page({ first: 100, filter: { query: 'hoodie' } }, who)
        // not vacuous: hoodies exist in every status, and only the active ones come back
        const hoodies = world.products.filter((product) => product.title.toLowerCase().includes('hoodie'))
        assert.ok(hoodies.some((product) => product.status !== 'ACTIVE'))
        assert.deepEqual(ids(p).sort(), hoodies.filter((product) => product.status === 'ACTIVE').map((product) => product.id).sort())
        assert.ok(ids(p).length > 0 && ids(p).every((id) => ACTIVE.includes(id)))
        assert.ok(!ids(p).includes('prod_0017'))
      }
    })

    it('lists every status to staff without a status filter', async () => {
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const p: Page = await page({ first: 100, after: cursor }, staff())
        seen.push(...ids(p))
        cursor = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null
      } while (cursor)
      assert.deepEqual(seen, ALL)
    })

    it('lists archived products to anyone who asks for them by status', async () => {
      assert.deepEqual(ids(await page({ first: 100, filter: { status: 'ARCHIVED' } })), idsWith(['ARCHIVED']))
    })

    it('lists drafts to staff only, even when asked for by status', async () => {
      assert.deepEqual(ids(await page({ first: 100, filter: { status: 'DRAFT' } }, customer('c_1001'))), [])
      assert.deepEqual(ids(await page({ first: 100, filter: { status: 'DRAFT' } }, staff())), idsWith(['DRAFT']))
    })

    const LOOKUPS = `query ($id: ID!, $handle: String!, $variantId: ID!, $sku: String!) {
      byId: product(id: $id) { id status }
      byHandle: product(handle: $handle) { id }
      variant(id: $variantId) { id product { id } }
      bySku: variant(sku: $sku) { id }
    }`
    const lookupsOf = (productId: string) => {
      const product = world.products.find((p) => p.id === productId)!
      const variant = world.variants.find((v) => v.productId === productId)!
      return { id: product.id, handle: product.handle, variantId: variant.id, sku: variant.sku }
    }

    it('hides a draft and its variants from everyone but staff', async () => {
      for (const who of [undefined, customer('c_1001')]) {
        const { data, errors } = await execute(t.app, LOOKUPS, lookupsOf('prod_0017'), who)
        assert.equal(errors, undefined)
        assert.deepEqual(data, { byId: null, byHandle: null, variant: null, bySku: null })
      }
      const { data } = await execute(t.app, LOOKUPS, lookupsOf('prod_0017'), staff())
      assert.deepEqual(data, {
        byId: { id: 'prod_0017', status: 'DRAFT' },
        byHandle: { id: 'prod_0017' },
        variant: { id: 'var_0017_1', product: { id: 'prod_0017' } },
        bySku: { id: 'var_0017_1' },
      })
    })

    it('still resolves an archived product and its variants for anyone', async () => {
      const { data } = await execute(t.app, LOOKUPS, lookupsOf('prod_0023'))
      assert.deepEqual(data, {
        byId: { id: 'prod_0023', status: 'ARCHIVED' },
        byHandle: { id: 'prod_0023' },
        variant: { id: 'var_0023_1', product: { id: 'prod_0023' } },
        bySku: { id: 'var_0023_1' },
      })
    })
  })
})
