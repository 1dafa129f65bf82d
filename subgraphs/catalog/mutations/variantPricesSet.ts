import { randomUUID } from 'node:crypto'
import { requireStaff } from '../../../platform/viewer.ts'
import type { VariantPricesSetInput } from '../generated/resolvers.ts'
import type { Context } from '../subgraph.ts'
import { kit } from '../kit.ts'
import type { CatalogUserErrorModel, PriceModel, VariantPricesSetModel, Written } from '../models.ts'
import { priceInputErrors } from './priceInputErrors.ts'
import { variantPricesChangedPayload } from '../store/priceEventStore.ts'
import { deletePricesOf, insertPrices } from '../store/priceStore.ts'
import { touchProduct } from '../store/productStore.ts'
import { lockVariantBySku } from '../store/variantStore.ts'

/**
 * Replaces a variant's prices (staff only): every price is checked first, all problems reported at
 * once; the variant's rows are replaced in one transaction and VariantPricesChanged carries the
 * complete new list, so orders' copy of sellable prices follows.
 */
export async function variantPricesSet(input: VariantPricesSetInput, ctx: Context): Promise<VariantPricesSetModel> {
  requireStaff(ctx.viewer)
  const failed = (userErrors: CatalogUserErrorModel[]): VariantPricesSetModel => ({ variantId: null, userErrors })
  return kit.runMutation(ctx, { operation: 'variantPricesSet', idempotencyKey: input.idempotencyKey, input: variantPricesSetRequest(input), failed }, async (tx) => {
    const errors = priceInputErrors(input.prices)
    const variant = await lockVariantBySku(tx, input.sku)
    if (!variant) errors.unshift(kit.userError('NOT_FOUND', ['input', 'sku'], `No variant has SKU ${input.sku}`))
    if (!variant || errors.length > 0) return failed(errors)

    const prices: Written<PriceModel>[] = input.prices.map((price) => ({
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
    await kit.publish(tx, { type: 'VariantPricesChanged', aggregateId: input.sku, payload: await variantPricesChangedPayload(tx, variant.id) })
    return { variantId: variant.id, userErrors: [] }
  })
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
