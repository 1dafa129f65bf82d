import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { VariantModel } from '../models.ts'

const VARIANT_COLUMNS = `v.id, v.sku, v.product_id as "productId", p.status as "productStatus", v.title, v.position, v.barcode,
  v.selected_options as "selectedOptions"`
const VARIANTS = `catalog.variants v join catalog.products p on p.id = v.product_id`

export async function variantsByIds(db: Queryable, ids: readonly string[]): Promise<VariantModel[]> {
  const { rows } = await db.query<VariantModel>(`select ${VARIANT_COLUMNS} from ${VARIANTS} where v.id = any($1::text[])`, [ids])
  return rows
}

export async function variantsBySkus(db: Queryable, skus: readonly string[]): Promise<VariantModel[]> {
  const { rows } = await db.query<VariantModel>(`select ${VARIANT_COLUMNS} from ${VARIANTS} where v.sku = any($1::text[])`, [skus])
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

/** A variant as written: the product's status is read with it, never stored on it. */
export type NewVariant = Omit<VariantModel, 'productStatus'>

export async function insertVariants(db: Queryable, variants: readonly NewVariant[]): Promise<void> {
  await insertRows(db, 'catalog.variants', variants, {
    id: ['text', (v) => v.id],
    sku: ['text', (v) => v.sku],
    product_id: ['text', (v) => v.productId],
    title: ['text', (v) => v.title],
    position: ['int', (v) => v.position],
    barcode: ['text', (v) => v.barcode],
    selected_options: ['jsonb', (v) => v.selectedOptions],
  })
}
