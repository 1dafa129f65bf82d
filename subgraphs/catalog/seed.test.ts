import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { countingDatabase } from '../../platform/countingDatabase.ts'
import { testDatabaseFor } from '../../platform/testHooks.ts'
import { openTestDatabase } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { catalog } from './subgraph.ts'
import { seedCatalog } from './seed.ts'
import { productsBy } from './store/productStore.ts'
import { variantsBy } from './store/variantStore.ts'

const world = buildWorld()

describe('catalog seed and constraints', () => {
  const db = testDatabaseFor(() => openTestDatabase([catalog]))

  const counts = async () =>
    (
      await db.query<Record<string, string>>(
        `select (select count(*) from catalog.categories) as categories, (select count(*) from catalog.products) as products,
                (select count(*) from catalog.product_categories) as links, (select count(*) from catalog.variants) as variants,
                (select count(*) from catalog.prices) as prices`,
      )
    ).rows[0]
  const worldCounts = {
    categories: String(world.categories.length),
    products: String(world.products.length),
    links: String(world.products.reduce((n, p) => n + p.categoryIds.length, 0)),
    variants: String(world.variants.length),
    prices: String(world.prices.length),
  }

  it("writes the world's categories, products, variants and prices", async () => {
    assert.deepEqual({ ...(await counts()) }, worldCounts)
    const [product] = await productsBy(db, 'id', ['prod_0042'])
    const expected = world.products.find((p) => p.id === 'prod_0042')!
    assert.deepEqual(
      { ...product },
      {
        id: expected.id, handle: expected.handle, title: expected.title, description: expected.description, status: expected.status,
        options: expected.options, createdAt: expected.createdAt, updatedAt: expected.updatedAt,
      },
    )
  })

  it('does nothing without reset when the catalog has products', async () => {
    await db.query(`update catalog.products set title = 'Renamed' where id = 'prod_0001'`)
    await seedCatalog(db, { reset: false })
    assert.equal((await productsBy(db, 'id', ['prod_0001']))[0]?.title, 'Renamed')
    assert.deepEqual({ ...(await counts()) }, worldCounts)
  })

  it('rewrites the world with reset, in a statement per table', async () => {
    await db.query(`delete from catalog.prices where id like 'price_var_0001_%'`)
    const counting = countingDatabase(db)
    await seedCatalog(counting, { reset: true })
    // truncate, then categories, products, product_categories, variants, prices: never a row at a time
    assert.equal(counting.counter.queries, 6)
    assert.deepEqual({ ...(await counts()) }, worldCounts)
    assert.equal((await productsBy(db, 'id', ['prod_0001']))[0]?.title, world.products[0]!.title)
  })

  describe('constraints', () => {
    it('refuses to change a SKU', async () => {
      await assert.rejects(db.query(`update catalog.variants set sku = 'APP-0001-XS' where id = 'var_0001_1'`), /sku is immutable/)
      assert.equal((await variantsBy(db, 'sku', ['APP-0001-S']))[0]?.id, 'var_0001_1')
    })

    it('refuses a negative price, a compare-at amount below it, and an empty window', async () => {
      const insert = (amount: number, compareAt: number | null, from: string | null, until: string | null) =>
        db.query(
          `insert into catalog.prices (id, variant_id, currency, amount, compare_at_amount, tax_included, valid_from, valid_until)
           values ('bad', 'var_0001_1', 'USD', $1, $2, false, $3, $4)`,
          [amount, compareAt, from, until],
        )
      await assert.rejects(insert(-1, null, null, null), /check constraint/)
      await assert.rejects(insert(100, 99, null, null), /check constraint/)
      await assert.rejects(insert(100, null, '2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z'), /check constraint/)
    })

    it('refuses an unknown product status', async () => {
      await assert.rejects(db.query(`update catalog.products set status = 'HIDDEN' where id = 'prod_0001'`), /check constraint/)
    })
  })
})
