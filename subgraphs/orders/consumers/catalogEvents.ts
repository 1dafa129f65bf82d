import type { EventHandler } from '../../../platform/consumer.ts'
import type { CatalogEvents, VariantPricesChanged } from '../../catalog/events.ts'
import type { CatalogPriceModel } from '../models.ts'
import { replaceCatalogPrices } from '../store/catalogPriceStore.ts'

type EventPrice = VariantPricesChanged['prices'][number]

const isEffective = (price: EventPrice, now: Date) =>
  (price.validFrom === null || Date.parse(price.validFrom) <= now.getTime()) && (price.validUntil === null || now.getTime() < Date.parse(price.validUntil))

/**
 * What a cart is charged per currency: the default channel's (channelId null) price in effect
 * now; of several, the one that took effect last (an open start counts as earliest).
 */
export function sellingPrices(event: VariantPricesChanged, now: Date): Omit<CatalogPriceModel, 'sku'>[] {
  const byCurrency = new Map<string, EventPrice>()
  for (const price of event.prices) {
    if (price.channelId !== null || !isEffective(price, now)) continue
    const held = byCurrency.get(price.currency)
    const startOf = (p: EventPrice) => (p.validFrom === null ? -Infinity : Date.parse(p.validFrom))
    if (!held || startOf(price) > startOf(held)) byCurrency.set(price.currency, price)
  }
  return [...byCurrency.values()].map((price) => ({
    currency: price.currency,
    variantTitle: event.variantTitle,
    productTitle: event.productTitle,
    amount: price.amount,
    taxIncluded: price.taxIncluded,
  }))
}

/**
 * Keeps orders' read model of sellable prices current. The event carries the variant's complete
 * price list, so the sku's rows are replaced, not patched: a removed price stops being sellable.
 */
export const catalogEvents: EventHandler<CatalogEvents> = {
  name: 'orders.catalog-events',
  subjects: ['commerce.catalog.>'],
  apply: async (tx, event) => {
    // a type catalog adds later is not ours to act on
    if (event.type !== 'VariantPricesChanged') return
    const { payload } = event
    await replaceCatalogPrices(tx, payload.sku, sellingPrices(payload, new Date()))
  },
}
