import type { InventoryAdjustPayloadResolvers, InventoryReservePayloadResolvers } from '../generated/resolvers.ts'
import type { ReservationModel } from '../models.ts'

/** Payloads carry ids (what idempotent replays store); these load the current state. */
export const InventoryAdjustPayload: InventoryAdjustPayloadResolvers = {
  adjustmentGroup: (payload, _args, ctx) => (payload.adjustmentGroupId ? ctx.loaders.adjustmentGroup.load(payload.adjustmentGroupId) : null),
}

export const InventoryReservePayload: InventoryReservePayloadResolvers = {
  reservations: async (payload, _args, ctx) => {
    if (!payload.reservationIds) return null
    const reservations = await ctx.loaders.reservation.loadMany(payload.reservationIds)
    return reservations.filter((r): r is ReservationModel => r !== null && !(r instanceof Error))
  },
}
