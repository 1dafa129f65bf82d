import { randomUUID } from 'node:crypto'
import { idempotencyConflict, runIdempotent } from '../../../platform/idempotency.ts'
import { requireStaff, viewerScope } from '../../../platform/viewer.ts'
import type { MutationResolvers, VariantPricesSetInput } from '../generated/resolvers.ts'
import type { VariantPricesSetModel } from '../models.ts'
import { publishCatalogEvent } from '../events.ts'
import { priceInputErrors } from '../priceInputErrors.ts'
import { variantPricesChangedPayload } from '../store/priceEventStore.ts'
import { deletePricesOf, insertPrices, type NewPrice } from '../store/priceStore.ts'
import { touchProduct } from '../store/productStore.ts'
import { lockVariantBySku } from '../store/variantStore.ts'


export const Mutation: MutationResolvers = {
  variantPricesSet: async (_, { input }, { db, viewer }): Promise<VariantPricesSetModel> => {
    requireStaff(viewer)
    const outcome = await runIdempotent<VariantPricesSetModel>(
      db,
      { schema: 'catalog', scope: viewerScope(viewer), key: input.idempotencyKey, operation: 'variantPricesSet', input: variantPricesSetRequest(input) },
      async (tx) => {
        const errors = priceInputErrors(input.prices)
        const variant = await lockVariantBySku(tx, input.sku)
        if (!variant) errors.unshift({ code: 'NOT_FOUND', field: ['input', 'sku'], message: `No variant has SKU ${input.sku}` })
        if (!variant || errors.length > 0) return { result: { variantId: null, userErrors: errors }, store: false }

        const prices: NewPrice[] = input.prices.map((price) => ({
          id: `price_${randomUUID()}`,
          variantId: variant.id,
          currency: price.amount.currency,
          amount: price.amount.minorUnits,
          compareAtAmount: price.compareAtAmount?.minorUnits ?? null,
          channelId: price.channelId ?? null,
          taxIncluded: price.taxIncluded,
          validFrom: price.validFrom ?? null,
          validUntil: price.validUntil ?? null,
        }))
        await deletePricesOf(tx, variant.id, prices)
        await insertPrices(tx, prices)
        await touchProduct(tx, variant.productId)
        // orders keeps its read model of sellable prices current from this event
        await publishCatalogEvent(tx, {
          type: 'VariantPricesChanged',
          aggregateId: input.sku,
          payload: await variantPricesChangedPayload(tx, variant.id),
        })
        return { result: { variantId: variant.id, userErrors: [] }, store: true }
      },
    )
    switch (outcome.kind) {
      case 'executed':
      case 'replayed':
        return outcome.result
      case 'reused':
      case 'inFlight':
        return { variantId: null, userErrors: [idempotencyConflict(outcome.kind)] }
    }
  },
}

/**
 * The input as the idempotency hash sees it: without the key, and with instants as RFC 3339
 * strings (canonicalJson would render a Date as `{}`, so two different windows would collide).
 */
export function variantPricesSetRequest({ idempotencyKey: _key, ...input }: VariantPricesSetInput): unknown {
  return {
    ...input,
    prices: input.prices.map((price) => ({
      ...price,
      validFrom: price.validFrom?.toISOString() ?? null,
      validUntil: price.validUntil?.toISOString() ?? null,
    })),
  }
}
