import type { Queryable } from '../../../platform/db.ts'
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
