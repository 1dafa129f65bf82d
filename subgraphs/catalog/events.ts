import type { EventAggregates } from '../../platform/outbox.ts'

/**
 * What catalog publishes (subjects `commerce.catalog.<aggregate>.<type>`). Orders keeps its read
 * model of sellable prices (`orders.catalog_prices`) current from these. Public contract: add
 * fields, never rename.
 */

/**
 * A variant's prices were set. Aggregate `ProductVariant`, id = sku. `prices` is the variant's
 * complete current price list after the change (every currency and channel), so a consumer can
 * replace what it holds for the sku.
 */
export interface VariantPricesChanged {
  readonly sku: string
  readonly variantTitle: string
  readonly productTitle: string
  readonly prices: readonly {
    readonly priceId: string
    readonly currency: string
    readonly amount: string
    readonly compareAtAmount: string | null
    readonly channelId: string | null
    readonly taxIncluded: boolean
    readonly validFrom: string | null
    readonly validUntil: string | null
  }[]
}

/** Catalog's event map: type name → payload. Consumers import it as a type only. */
export interface CatalogEvents {
  VariantPricesChanged: VariantPricesChanged
}

/** The aggregate each event is about. */
export const CATALOG_AGGREGATES: EventAggregates<CatalogEvents> = {
  VariantPricesChanged: 'ProductVariant',
}
