import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { CategoryModel } from '../models.ts'

const CATEGORY_COLUMNS = `c.id, c.handle, c.name, c.parent_id as "parentId", c.position`

export async function categoriesByIds(db: Queryable, ids: readonly string[]): Promise<CategoryModel[]> {
  const { rows } = await db.query<CategoryModel>(`select ${CATEGORY_COLUMNS} from catalog.categories c where c.id = any($1::text[])`, [ids])
  return rows
}

export async function topLevelCategories(db: Queryable): Promise<CategoryModel[]> {
  const { rows } = await db.query<CategoryModel>(
    `select ${CATEGORY_COLUMNS} from catalog.categories c where c.parent_id is null order by c.position, c.id`,
  )
  return rows
}

/** Children of each parent, in position order. */
export async function childrenOfCategories(db: Queryable, parentIds: readonly string[]): Promise<CategoryModel[]> {
  const { rows } = await db.query<CategoryModel>(
    `select ${CATEGORY_COLUMNS} from catalog.categories c where c.parent_id = any($1::text[]) order by c.parent_id, c.position, c.id`,
    [parentIds],
  )
  return rows
}

export interface ProductCategoryRow extends CategoryModel {
  readonly productId: string
}

/** Categories of each product, in the order the product lists them. */
export async function categoriesOfProducts(db: Queryable, productIds: readonly string[]): Promise<ProductCategoryRow[]> {
  const { rows } = await db.query<ProductCategoryRow>(
    `select pc.product_id as "productId", ${CATEGORY_COLUMNS}
     from catalog.product_categories pc join catalog.categories c on c.id = pc.category_id
     where pc.product_id = any($1::text[])
     order by pc.product_id, pc.position, c.id`,
    [productIds],
  )
  return rows
}

export async function insertCategories(db: Queryable, categories: readonly CategoryModel[]): Promise<void> {
  // one statement: the parent foreign key is checked at its end, so row order does not matter
  await insertRows(db, 'catalog.categories', categories, { id: 'text', handle: 'text', name: 'text', parentId: 'text', position: 'int' })
}
