import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { CatalogPriceModel } from '../models.ts'

/** Every current price of the given skus, in all currencies (orders' read model of catalog). */
export async function catalogPricesBySkus(db: Queryable, skus: readonly string[]): Promise<CatalogPriceModel[]> {
  const { rows } = await db.query<CatalogPriceModel>(
    `select sku, currency, variant_title as "variantTitle", product_title as "productTitle", amount, tax_included as "taxIncluded"
     from orders.catalog_prices where sku = any($1::text[])`,
    [skus],
  )
  return rows
}

/** Replaces everything orders holds for a sku with these prices (one per currency). */
export async function replaceCatalogPrices(tx: Queryable, sku: string, prices: readonly Omit<CatalogPriceModel, 'sku'>[]): Promise<void> {
  await tx.query(`delete from orders.catalog_prices where sku = $1`, [sku])
  await insertCatalogPrices(tx, prices.map((price) => ({ ...price, sku })))
}

export async function insertCatalogPrices(db: Queryable, prices: readonly CatalogPriceModel[]): Promise<void> {
  await insertRows(db, 'orders.catalog_prices', prices, {
    sku: 'text', currency: 'text', variantTitle: 'text', productTitle: 'text', amount: 'bigint', taxIncluded: 'boolean',
  })
}
