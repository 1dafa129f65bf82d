import type { Queryable } from '../../../platform/db.ts'
import type { SelectedOptionModel, VariantModel } from '../models.ts'

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

export interface NewVariant {
  readonly id: string
  readonly sku: string
  readonly productId: string
  readonly title: string
  readonly position: number
  readonly barcode: string | null
  readonly selectedOptions: SelectedOptionModel[]
}

export async function insertVariants(db: Queryable, variants: readonly NewVariant[]): Promise<void> {
  await db.query(
    `insert into catalog.variants (id, sku, product_id, title, position, barcode, selected_options)
     select id, sku, product_id, title, position, barcode, selected_options::jsonb
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[])
       as u (id, sku, product_id, title, position, barcode, selected_options)`,
    [
      variants.map((v) => v.id),
      variants.map((v) => v.sku),
      variants.map((v) => v.productId),
      variants.map((v) => v.title),
      variants.map((v) => v.position),
      variants.map((v) => v.barcode),
      variants.map((v) => JSON.stringify(v.selectedOptions)),
    ],
  )
}
