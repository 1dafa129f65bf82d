/**
 * What catalog shares between viewers, and what keeps it true. Everyone but staff sees the same
 * public catalog (drafts are staff-only), so entries are made for non-staff viewers only; staff
 * read the database every time.
 *
 * - A price change (VariantPricesChanged) drops the variant's entries and its product's (the
 *   price range, the variant list).
 * - "Current" prices (no `at` argument) are also dropped at every scheduled price start or end,
 *   by a timer armed at the next one.
 * - Categories and products change only by seeding: the TTL (CACHE_TTL_SECONDS) covers them.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { SharedCache } from '../../platform/cache.ts'
import type { Database } from '../../platform/db.ts'
import { eventOf, subjectOf, type EventEnvelope } from '../../platform/events.ts'
import type { CacheKeeper, CacheSpec } from '../../platform/subgraph.ts'
import { isStaff, type Viewer } from '../../platform/viewer.ts'
import { CATALOG_AGGREGATES, type CatalogEvents } from './events.ts'
import { kit } from './kit.ts'
import type { ProductModel, VariantModel } from './models.ts'
import { nextPriceChange } from './store/priceStore.ts'
import { variantsBy } from './store/variantStore.ts'

/** The references catalog's entries name, and its events drop. */
export const references = {
  product: (id: string) => `product:${id}`,
  variant: (id: string) => `variant:${id}`,
  /** Any listing: what a new or re-statused product would change. */
  products: 'products',
  categories: 'categories',
}

/** Every entry of a price "now": dropped when a scheduled price starts or ends. */
export const CURRENT_PRICES = 'prices:current'

const PRICES_CHANGED = subjectOf({ source: kit.name, aggregateType: CATALOG_AGGREGATES.VariantPricesChanged, type: 'VariantPricesChanged' })

const staffOnly = (_self: unknown, _args: unknown, ctx: { viewer: Viewer }) => isStaff(ctx.viewer)

export const catalogCache: CacheSpec = {
  queryPolicy: {
    Query: {
      products: {
        // a sync by updatedSince changes with every touch of a product (a price set): not shared
        skip: (self: unknown, args: { filter?: { updatedSince?: unknown } | null }, ctx: { viewer: Viewer }) =>
          staffOnly(self, args, ctx) || (args.filter?.updatedSince ?? null) !== null,
        references: (_lookup: unknown, _key: string, result: { nodes: readonly ProductModel[] } | null) => [
          references.products,
          ...(result?.nodes ?? []).map((product) => references.product(product.id)),
        ],
      },
      product: {
        skip: staffOnly,
        references: (_lookup: unknown, _key: string, result: ProductModel | null) => [result ? references.product(result.id) : references.products],
      },
      variant: {
        skip: staffOnly,
        references: (_lookup: unknown, _key: string, result: VariantModel | null) =>
          result ? [references.variant(result.id), references.product(result.productId)] : [references.products],
      },
      categories: { references: () => [references.categories] },
    },
  },
  subjects: [PRICES_CHANGED],
  async invalidates(event: EventEnvelope, db: Database) {
    const { payload } = eventOf<CatalogEvents, 'VariantPricesChanged'>(event)
    const variants = await variantsBy(db, 'sku', [payload.sku])
    return variants.flatMap((variant) => [references.variant(variant.id), references.product(variant.productId)])
  },
  start: startPriceSchedule,
}

/** Longest a timer may wait in Node (about 24.8 days); a later change re-arms on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Drops current-price entries when a scheduled price starts or ends: a timer at the next such
 * instant, re-read after it fires and after every price change.
 */
function startPriceSchedule(cache: SharedCache, db: Database, logger: FastifyBaseLogger): CacheKeeper {
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  // the next scheduled start or end (null: none); not known until first read, nor while it cannot be read
  let next: Date | null = null
  let known = false
  const arm = async () => {
    if (stopped) return
    try {
      next = await nextPriceChange(db, new Date())
      known = true
      if (stopped) return
      if (timer) clearTimeout(timer)
      timer = next === null ? null : setTimeout(() => void fire(), Math.min(MAX_TIMER_MS, Math.max(0, next.getTime() - Date.now())))
      timer?.unref()
    } catch (error) {
      known = false
      logger.warn({ err: error }, 'cannot read the next scheduled price change; current prices live up to the cache TTL')
    }
  }
  const fire = async () => {
    await cache.invalidate([CURRENT_PRICES])
    // again a moment later: a lookup that read the old price just before the instant may store it just after
    setTimeout(() => void cache.invalidate([CURRENT_PRICES]), 1000).unref()
    await arm()
  }
  void arm()
  return {
    eventApplied: () => void arm(),
    // unknown: answers are not to be kept at all; past (the timer is about to fire): neither
    maxAgeSeconds: () => (!known ? 0 : next === null ? null : Math.max(0, (next.getTime() - Date.now()) / 1000)),
    stop: () => {
      stopped = true
      if (timer) clearTimeout(timer)
    },
  }
}
