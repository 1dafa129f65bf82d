import DataLoader from 'dataloader'
import { childrenLoader, oneEach, perArguments, rowLoader, sharedLoader, type EntityCache } from '../../platform/loaders.ts'
import type { Database } from '../../platform/db.ts'
import { ANONYMOUS, isStaff, type Viewer } from '../../platform/viewer.ts'
import type { CategoryModel, PriceRangeModel, ProductModel, ProductStatus } from './models.ts'
import { categoriesByIds, categoriesOfProducts, childrenOfCategories } from './store/categoryStore.ts'
import { effectivePrices, pricesByIds, priceRanges, type PriceSelector } from './store/priceStore.ts'
import { productsBy, productsOfCategories } from './store/productStore.ts'
import { variantsBy, variantsOfProducts, type VariantKey } from './store/variantStore.ts'
import { canSeeProduct, listedStatuses } from './access.ts'
import { CURRENT_PRICES, references } from './cache.ts'

export type Loaders = ReturnType<typeof createLoaders>

/**
 * A price lookup: `at` null is "now" (the request's), cached until the next scheduled price change
 * (see cache.ts); an explicit `at` is a lookup in time, cached as such.
 */
export interface PriceLookup {
  readonly currency: string
  readonly channelId: string | null
  readonly at: Date | null
}

/**
 * Created once per request: DataLoader caches live as long as the request, and see what its viewer
 * may see. Everyone but staff sees the public catalog, so their loaders read through the shared
 * cache (`cache`); staff, who also see drafts, always read the database.
 */
export function createLoaders(db: Database, viewer: Viewer = ANONYMOUS, cache: EntityCache | null = null) {
  const shared = isStaff(viewer) ? null : cache
  const now = new Date()
  const selectorOf = ({ currency, channelId, at }: PriceLookup): PriceSelector => ({ currency, channelId, at: at ?? now })
  // what the viewer may not see loads as missing
  const visible = <T extends { readonly productStatus: ProductStatus }>(rows: T[]) => rows.filter((row) => canSeeProduct(viewer, row.productStatus))
  const visibleProducts = (rows: ProductModel[]): ProductModel[] => rows.filter((row) => canSeeProduct(viewer, row.status))

  const productById = sharedLoader(
    shared,
    { entity: 'product', references: (id) => [references.product(id)] },
    rowLoader(async (ids) => visibleProducts(await productsBy(db, 'id', ids)), (p) => p.id),
  )
  const categoryById = sharedLoader(shared, { entity: 'category', references: () => [references.categories] }, rowLoader((ids) => categoriesByIds(db, ids), (c) => c.id))
  // categories come in small trees: what one lookup returns, a parent lookup often needs next
  const primeCategory = (row: CategoryModel) => categoryById.prime(row.id, row)

  return {
    productById,
    productByHandle: sharedLoader(
      shared,
      { entity: 'productByHandle', references: (_handle, p) => [p ? references.product(p.id) : references.products] },
      rowLoader(async (handles) => visibleProducts(await productsBy(db, 'handle', handles)), (p) => p.handle, (p) => productById.prime(p.id, p)),
    ),
    variantById: sharedLoader(
      shared,
      { entity: 'variant', references: (id, v) => [references.variant(id), ...(v ? [references.product(v.productId)] : [])] },
      rowLoader(async (ids) => visible(await variantsBy(db, 'id', ids)), (v) => v.id),
    ),
    variantBySku: sharedLoader(
      shared,
      { entity: 'variantBySku', references: (_sku, v) => (v ? [references.variant(v.id), references.product(v.productId)] : [references.products]) },
      rowLoader(async (skus) => visible(await variantsBy(db, 'sku', skus)), (v) => v.sku),
    ),
    priceById: sharedLoader(
      shared,
      { entity: 'price', references: (_id, p) => (p ? [references.variant(p.variantId)] : [references.products]) },
      rowLoader(async (ids) => visible(await pricesByIds(db, ids)), (p) => p.id),
    ),
    categoryById,
    categoryChildren: sharedLoader(
      shared,
      { entity: 'categoryChildren', references: () => [references.categories] },
      childrenLoader((ids) => childrenOfCategories(db, ids), (c) => c.parentId ?? '', primeCategory),
    ),
    productCategories: sharedLoader(
      shared,
      { entity: 'productCategories', references: (id) => [references.product(id), references.categories] },
      childrenLoader((ids) => categoriesOfProducts(db, ids), (c) => c.productId, primeCategory),
    ),

    /** Product.variants: one loader per distinct page, each batching across products. */
    productVariants: perArguments((page: { readonly limit: number; readonly after: VariantKey | null }) =>
      sharedLoader(
        shared,
        { entity: 'productVariants', scope: JSON.stringify(page), references: (id, variants) => [references.product(id), ...variants.map((v) => references.variant(v.id))] },
        childrenLoader((ids) => variantsOfProducts(db, ids, page.after, page.limit), (v) => v.productId),
      ),
    ),
    /** Category.products, as listed to this viewer. */
    categoryProducts: perArguments((page: { readonly limit: number; readonly afterId: string | null }) =>
      sharedLoader(
        shared,
        { entity: 'categoryProducts', scope: JSON.stringify(page), references: (_id, products) => [references.categories, references.products, ...products.map((p) => references.product(p.id))] },
        childrenLoader((ids) => productsOfCategories(db, ids, listedStatuses(viewer, null), page.afterId, page.limit), (p) => p.categoryId, (row) =>
          productById.prime(row.id, row),
        ),
      ),
    ),
    variantPrice: perArguments(
      (lookup: PriceLookup) =>
        sharedLoader(
          shared,
          { entity: 'variantPrice', scope: lookupKey(lookup), references: (id) => [references.variant(id), ...(lookup.at ? [] : [CURRENT_PRICES])] },
          rowLoader((ids) => effectivePrices(db, ids, selectorOf(lookup)), (p) => p.variantId),
        ),
      lookupKey,
    ),
    productPriceRange: perArguments(
      (lookup: PriceLookup) =>
        sharedLoader(
          shared,
          { entity: 'productPriceRange', scope: lookupKey(lookup), references: (id) => [references.product(id), ...(lookup.at ? [] : [CURRENT_PRICES])] },
          new DataLoader<string, PriceRangeModel | null>(async (ids) => {
            const ranges = oneEach(ids, await priceRanges(db, ids, selectorOf(lookup)), (r) => r.productId)
            return ranges.map((r) => (r ? { currency: lookup.currency, min: r.min, max: r.max } : null))
          }),
        ),
      lookupKey,
    ),
  }
}

const lookupKey = ({ currency, channelId, at }: PriceLookup) => JSON.stringify([currency, channelId, at?.toISOString() ?? 'now'])
