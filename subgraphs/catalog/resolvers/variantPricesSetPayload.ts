import type { VariantPricesSetPayloadResolvers } from '../generated/resolvers.ts'

/** The stored result holds the id; the variant is loaded as it is now (also on replay). */
export const VariantPricesSetPayload: VariantPricesSetPayloadResolvers = {
  variant: (payload, _, { loaders }) => (payload.variantId === null ? null : loaders.variantById.load(payload.variantId)),
}
