import DataLoader from 'dataloader'
import { allEach, childrenLoader, oneEach, perArguments, rowLoader } from '../../platform/loaders.ts'
import type { Database } from '../../platform/db.ts'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import type { CategoryModel, PriceModel, PriceRangeModel, ProductModel, VariantModel } from './models.ts'
import { categoriesByIds, categoriesOfProducts, childrenOfCategories } from './store/categoryStore.ts'
import { effectivePrices, pricesByIds, priceRanges, type PriceSelector } from './store/priceStore.ts'
import { productsByHandles, productsByIds, productsOfCategories } from './store/productStore.ts'
import { variantsByIds, variantsBySkus, variantsOfProducts, type VariantKey } from './store/variantStore.ts'
import { canSeeProduct, listedStatuses } from './access.ts'

export interface Loaders {
  /** The request's "now": every default-dated price lookup of one request agrees on it. */
  readonly now: Date
  readonly productById: DataLoader<string, ProductModel | null>
  readonly productByHandle: DataLoader<string, ProductModel | null>
  readonly variantById: DataLoader<string, VariantModel | null>
  readonly variantBySku: DataLoader<string, VariantModel | null>
  readonly priceById: DataLoader<string, PriceModel | null>
  readonly categoryById: DataLoader<string, CategoryModel | null>
  readonly categoryChildren: DataLoader<string, CategoryModel[]>
  readonly productCategories: DataLoader<string, CategoryModel[]>
  /** Product.variants: one loader per distinct page, each batching across products. */
  productVariants(page: { readonly limit: number; readonly after: VariantKey | null }): DataLoader<string, VariantModel[]>
  /** Category.products, as listed to this viewer. */
  categoryProducts(page: { readonly limit: number; readonly afterId: string | null }): DataLoader<string, ProductModel[]>
  variantPrice(selector: PriceSelector): DataLoader<string, PriceModel | null>
  productPriceRange(selector: PriceSelector): DataLoader<string, PriceRangeModel | null>
}

/** Created once per request: caches live as long as the request, and see what its viewer may see. */
export function createLoaders(db: Database, viewer: Viewer = ANONYMOUS): Loaders {
  const visible = <T extends { readonly productStatus: ProductModel['status'] }>(row: T | null): T | null =>
    row && canSeeProduct(viewer, row.productStatus) ? row : null
  const visibleProduct = (row: ProductModel | null): ProductModel | null => (row && canSeeProduct(viewer, row.status) ? row : null)

  const productById = new DataLoader<string, ProductModel | null>(async (ids) =>
    oneEach(ids, await productsByIds(db, ids), (p) => p.id).map(visibleProduct),
  )
  const categoryById = new DataLoader<string, CategoryModel | null>(async (ids) => oneEach(ids, await categoriesByIds(db, ids), (c) => c.id))
  // categories come in small trees: what one lookup returns, a parent lookup often needs next
  const primeCategories = <T extends CategoryModel>(rows: T[]): T[] => {
    for (const row of rows) categoryById.prime(row.id, row)
    return rows
  }

  return {
    now: new Date(),
    productById,
    productByHandle: new DataLoader(async (handles) => {
      const products = oneEach(handles, await productsByHandles(db, handles), (p) => p.handle).map(visibleProduct)
      for (const product of products) if (product) productById.prime(product.id, product)
      return products
    }),
    variantById: new DataLoader(async (ids) => oneEach(ids, await variantsByIds(db, ids), (v) => v.id).map(visible)),
    variantBySku: new DataLoader(async (skus) => oneEach(skus, await variantsBySkus(db, skus), (v) => v.sku).map(visible)),
    priceById: new DataLoader(async (ids) => oneEach(ids, await pricesByIds(db, ids), (p) => p.id).map(visible)),
    categoryById,
    categoryChildren: new DataLoader(async (ids) =>
      allEach(ids, primeCategories(await childrenOfCategories(db, ids)), (c) => c.parentId ?? ''),
    ),
    productCategories: new DataLoader(async (ids) =>
      allEach(ids, primeCategories(await categoriesOfProducts(db, ids)), (c) => c.productId),
    ),

    productVariants: perArguments(({ limit, after }) =>
      childrenLoader((ids) => variantsOfProducts(db, ids, after, limit), (v) => v.productId),
    ),
    categoryProducts: perArguments(({ limit, afterId }) =>
      childrenLoader((ids) => productsOfCategories(db, ids, listedStatuses(viewer, null), afterId, limit), (p) => p.categoryId, (row) =>
        productById.prime(row.id, row),
      ),
    ),
    variantPrice: perArguments(
      (selector: PriceSelector) => rowLoader((ids) => effectivePrices(db, ids, selector), (p) => p.variantId),
      selectorKey,
    ),
    productPriceRange: perArguments(
      (selector: PriceSelector) =>
        new DataLoader(async (ids: readonly string[]) => {
          const ranges = oneEach(ids, await priceRanges(db, ids, selector), (r) => r.productId)
          return ranges.map((r) => (r ? { currency: selector.currency, min: r.min, max: r.max } : null))
        }),
      selectorKey,
    ),
  }
}

const selectorKey = ({ currency, channelId, at }: PriceSelector) => JSON.stringify([currency, channelId, at.toISOString()])
