import type { Database } from '../../platform/db.ts'
import { buildWorld } from '../../seed/world.ts'
import { insertCategories } from './store/categoryStore.ts'
import { insertPrices } from './store/priceStore.ts'
import { insertProducts } from './store/productStore.ts'
import { insertVariants } from './store/variantStore.ts'
import { catalogIsEmpty, clearCatalog } from './store/seedStore.ts'

/** Writes the catalog's part of the demo store (categories, products, variants, prices). */
export async function seedCatalog(db: Database, { reset }: { reset: boolean }): Promise<void> {
  const world = buildWorld()
  const variantIdOfSku = new Map(world.variants.map((v) => [v.sku, v.id]))
  await db.transaction(async (tx) => {
    if (reset) await clearCatalog(tx)
    else if (!(await catalogIsEmpty(tx))) return
    await insertCategories(tx, world.categories)
    await insertProducts(tx, world.products)
    await insertVariants(tx, world.variants)
    await insertPrices(
      tx,
      world.prices.map((p) => ({
        id: p.id,
        variantId: variantIdOfSku.get(p.sku) as string,
        currency: p.currency,
        amount: p.amount.toString(),
        compareAtAmount: p.compareAtAmount?.toString() ?? null,
        channelId: p.channelId,
        taxIncluded: p.taxIncluded,
        validFrom: p.validFrom,
        validUntil: p.validUntil,
      })),
    )
  })
}
