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

/** Replaces everything orders holds for a sku with these prices (one per currency). */
export async function replaceCatalogPrices(tx: Queryable, sku: string, prices: readonly Omit<CatalogPriceModel, 'sku'>[]): Promise<void> {
  await tx.query(`delete from orders.catalog_prices where sku = $1`, [sku])
  await tx.query(
    `insert into orders.catalog_prices (sku, currency, variant_title, product_title, amount, tax_included)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::boolean[])`,
    [
      sku,
      prices.map((p) => p.currency),
      prices.map((p) => p.variantTitle),
      prices.map((p) => p.productTitle),
      prices.map((p) => p.amount),
      prices.map((p) => p.taxIncluded),
    ],
  )
}
