import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { VariantModel, Written } from '../models.ts'

const VARIANT_COLUMNS = `v.id, v.sku, v.product_id as "productId", p.status as "productStatus", v.title, v.position, v.barcode,
  v.selected_options as "selectedOptions"`
const VARIANTS = `catalog.variants v join catalog.products p on p.id = v.product_id`

/** The variants whose id (or SKU) is one of `values`. */
export async function variantsBy(db: Queryable, key: 'id' | 'sku', values: readonly string[]): Promise<VariantModel[]> {
  const { rows } = await db.query<VariantModel>(`select ${VARIANT_COLUMNS} from ${VARIANTS} where v.${key} = any($1::text[])`, [values])
  return rows
}

/** The sort key of Product.variants: (position, id). */
export type VariantKey = readonly [position: number, id: string]

/**
 * The first `limit` variants of each product after `after` (by position, then id): one
 * statement for any number of products.
 */
export async function variantsOfProducts(
  db: Queryable,
  productIds: readonly string[],
  after: VariantKey | null,
  limit: number,
): Promise<VariantModel[]> {
  const { rows } = await db.query<VariantModel>(
    `select id, sku, "productId", "productStatus", title, position, barcode, "selectedOptions"
     from (
       select ${VARIANT_COLUMNS}, row_number() over (partition by v.product_id order by v.position, v.id) as rank
       from ${VARIANTS}
       where v.product_id = any($1::text[]) and ($2::int is null or (v.position, v.id) > ($2::int, $3::text))
     ) ranked
     where rank <= $4
     order by "productId", position, id`,
    [productIds, after?.[0] ?? null, after?.[1] ?? null, limit],
  )
  return rows
}

/**
 * Locks the variant row for the rest of the transaction, so that two price updates of the same
 * variant run one after the other instead of interleaving their delete and insert.
 */
export async function lockVariantBySku(db: Queryable, sku: string): Promise<{ id: string; productId: string } | null> {
  const { rows } = await db.query<{ id: string; productId: string }>(
    `select id, product_id as "productId" from catalog.variants where sku = $1 for update`,
    [sku],
  )
  return rows[0] ?? null
}

export async function insertVariants(db: Queryable, variants: readonly Written<VariantModel>[]): Promise<void> {
  await insertRows(db, 'catalog.variants', variants, {
    id: 'text', sku: 'text', productId: 'text', title: 'text', position: 'int', barcode: 'text', selectedOptions: 'jsonb',
  })
}
