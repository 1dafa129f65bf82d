import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { ProductModel, ProductStatus } from '../models.ts'

const PRODUCT_COLUMNS = `p.id, p.handle, p.title, p.description, p.status, p.options,
  p.created_at as "createdAt", p.updated_at as "updatedAt"`

/** The products whose id (or handle) is one of `values`. */
export async function productsBy(db: Queryable, key: 'id' | 'handle', values: readonly string[]): Promise<ProductModel[]> {
  const { rows } = await db.query<ProductModel>(`select ${PRODUCT_COLUMNS} from catalog.products p where p.${key} = any($1::text[])`, [values])
  return rows
}

export interface ProductSearch {
  /** Matched case-insensitively as a substring of the title or the handle. */
  readonly query: string | null
  /** The category and every descendant of it. */
  readonly categoryId: string | null
  readonly statuses: readonly ProductStatus[]
  readonly updatedSince: Date | null
}

/** `%`, `_` and `\` in the user's text match themselves, not any character. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

const searchSql = (direction: 'asc' | 'desc') => `
  with recursive tree (id) as (
    select id from catalog.categories where id = $4::text
    union all
    select c.id from catalog.categories c join tree t on c.parent_id = t.id
  )
  select ${PRODUCT_COLUMNS}
  from catalog.products p
  where p.status = any($1::text[])
    and ($2::text is null or p.title ilike $2 or p.handle ilike $2)
    and ($3::timestamptz is null or p.updated_at >= $3)
    and ($4::text is null or p.id in (select pc.product_id from catalog.product_categories pc join tree t on t.id = pc.category_id))
    and ($5::text is null or p.id > $5)
    and ($6::text is null or p.id < $6)
  order by p.id ${direction}
  limit $7`
const SEARCH_FORWARD = searchSql('asc')
const SEARCH_BACKWARD = searchSql('desc')

export interface IdPage {
  readonly forward: boolean
  readonly afterId: string | null
  readonly beforeId: string | null
  readonly limit: number
}

/** Products by id between the bounds, `limit` rows from the start (forward) or the end (backward). */
export async function searchProducts(db: Queryable, search: ProductSearch, page: IdPage): Promise<ProductModel[]> {
  const { rows } = await db.query<ProductModel>(page.forward ? SEARCH_FORWARD : SEARCH_BACKWARD, [
    search.statuses,
    search.query === null ? null : likePattern(search.query),
    search.updatedSince,
    search.categoryId,
    page.afterId,
    page.beforeId,
    page.limit,
  ])
  return rows
}

export interface CategoryProductRow extends ProductModel {
  readonly categoryId: string
}

/**
 * The first `limit` products (by id, after `afterId`) of each category, counting products of
 * its descendants: one statement for any number of categories.
 */
export async function productsOfCategories(
  db: Queryable,
  categoryIds: readonly string[],
  statuses: readonly ProductStatus[],
  afterId: string | null,
  limit: number,
): Promise<CategoryProductRow[]> {
  const { rows } = await db.query<CategoryProductRow>(
    `with recursive tree (root_id, id) as (
       select id, id from catalog.categories where id = any($1::text[])
       union all
       select t.root_id, c.id from catalog.categories c join tree t on c.parent_id = t.id
     ), members as (
       select distinct t.root_id, pc.product_id from tree t join catalog.product_categories pc on pc.category_id = t.id
     ), ranked as (
       select m.root_id as "categoryId", ${PRODUCT_COLUMNS}, row_number() over (partition by m.root_id order by p.id) as rank
       from members m join catalog.products p on p.id = m.product_id
       where p.status = any($2::text[]) and ($3::text is null or p.id > $3)
     )
     select "categoryId", id, handle, title, description, status, options, "createdAt", "updatedAt"
     from ranked where rank <= $4 order by "categoryId", id`,
    [categoryIds, statuses, afterId, limit],
  )
  return rows
}

/** Prices and variants are part of the product: changing them changes its updated_at. */
export async function touchProduct(db: Queryable, productId: string): Promise<void> {
  await db.query(`update catalog.products set updated_at = now() where id = $1`, [productId])
}

/** A product as written, with the categories it is listed in (in order). */
export interface NewProduct extends ProductModel {
  readonly categoryIds: readonly string[]
}

export async function insertProducts(db: Queryable, products: readonly NewProduct[]): Promise<void> {
  await insertRows(db, 'catalog.products', products, {
    id: 'text', handle: 'text', title: 'text', description: 'text', status: 'text', options: 'jsonb',
    createdAt: 'timestamptz', updatedAt: 'timestamptz',
  })
  const links = products.flatMap((p) => p.categoryIds.map((categoryId, position) => ({ productId: p.id, categoryId, position })))
  await insertRows(db, 'catalog.product_categories', links, { productId: 'text', categoryId: 'text', position: 'int' })
}
