import type { Queryable } from '../../../platform/db.ts'

export async function catalogIsEmpty(db: Queryable): Promise<boolean> {
  const { rows } = await db.query(`select 1 from catalog.products limit 1`)
  return rows.length === 0
}

/** Empties every catalog table (idempotency keys stay: they belong to requests, not to the store). */
export async function clearCatalog(db: Queryable): Promise<void> {
  await db.query(`truncate catalog.prices, catalog.variants, catalog.product_categories, catalog.products, catalog.categories`)
}
