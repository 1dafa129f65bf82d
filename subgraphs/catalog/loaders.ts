import DataLoader from 'dataloader'
import { childrenLoader, oneEach, perArguments, rowLoader } from '../../platform/loaders.ts'
import type { Database } from '../../platform/db.ts'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import type { CategoryModel, PriceRangeModel, ProductModel, ProductStatus } from './models.ts'
import { categoriesByIds, categoriesOfProducts, childrenOfCategories } from './store/categoryStore.ts'
import { effectivePrices, pricesByIds, priceRanges, type PriceSelector } from './store/priceStore.ts'
import { productsBy, productsOfCategories } from './store/productStore.ts'
import { variantsBy, variantsOfProducts, type VariantKey } from './store/variantStore.ts'
import { canSeeProduct, listedStatuses } from './access.ts'

export type Loaders = ReturnType<typeof createLoaders>

/** Created once per request: caches live as long as the request, and see what its viewer may see. */
export function createLoaders(db: Database, viewer: Viewer = ANONYMOUS) {
  // what the viewer may not see loads as missing
  const visible = <T extends { readonly productStatus: ProductStatus }>(rows: T[]) => rows.filter((row) => canSeeProduct(viewer, row.productStatus))
  const visibleProducts = (rows: ProductModel[]): ProductModel[] => rows.filter((row) => canSeeProduct(viewer, row.status))

  const productById = rowLoader(async (ids) => visibleProducts(await productsBy(db, 'id', ids)), (p) => p.id)
  const categoryById = rowLoader((ids) => categoriesByIds(db, ids), (c) => c.id)
  // categories come in small trees: what one lookup returns, a parent lookup often needs next
  const primeCategory = (row: CategoryModel) => categoryById.prime(row.id, row)

  return {
    /** The request's "now": every default-dated price lookup of one request agrees on it. */
    now: new Date(),
    productById,
    productByHandle: rowLoader(async (handles) => visibleProducts(await productsBy(db, 'handle', handles)), (p) => p.handle, (p) =>
      productById.prime(p.id, p),
    ),
    variantById: rowLoader(async (ids) => visible(await variantsBy(db, 'id', ids)), (v) => v.id),
    variantBySku: rowLoader(async (skus) => visible(await variantsBy(db, 'sku', skus)), (v) => v.sku),
    priceById: rowLoader(async (ids) => visible(await pricesByIds(db, ids)), (p) => p.id),
    categoryById,
    categoryChildren: childrenLoader((ids) => childrenOfCategories(db, ids), (c) => c.parentId ?? '', primeCategory),
    productCategories: childrenLoader((ids) => categoriesOfProducts(db, ids), (c) => c.productId, primeCategory),

    /** Product.variants: one loader per distinct page, each batching across products. */
    productVariants: perArguments(({ limit, after }: { readonly limit: number; readonly after: VariantKey | null }) =>
      childrenLoader((ids) => variantsOfProducts(db, ids, after, limit), (v) => v.productId),
    ),
    /** Category.products, as listed to this viewer. */
    categoryProducts: perArguments(({ limit, afterId }: { readonly limit: number; readonly afterId: string | null }) =>
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
        new DataLoader<string, PriceRangeModel | null>(async (ids) => {
          const ranges = oneEach(ids, await priceRanges(db, ids, selector), (r) => r.productId)
          return ranges.map((r) => (r ? { currency: selector.currency, min: r.min, max: r.max } : null))
        }),
      selectorKey,
    ),
  }
}

const selectorKey = ({ currency, channelId, at }: PriceSelector) => JSON.stringify([currency, channelId, at.toISOString()])
