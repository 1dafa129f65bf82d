import type {
  InventoryAdjustPayloadResolvers, InventoryReservePayloadResolvers, ReplenishmentPayloadResolvers, ReplenishmentPolicySetPayloadResolvers,
} from '../generated/resolvers.ts'
import { levelLoaderKey } from '../loaders.ts'
import type { ReservationModel } from '../models.ts'

/** Payloads carry ids (what idempotent replays store); these load the current state. */
export const InventoryAdjustPayload: InventoryAdjustPayloadResolvers = {
  adjustmentGroup: (payload, _args, ctx) => (payload.adjustmentGroupId ? ctx.loaders.adjustmentGroup.load(payload.adjustmentGroupId) : null),
}

export const InventoryReservePayload: InventoryReservePayloadResolvers = {
  reservations: async (payload, _args, ctx) => {
    if (!payload.reservationIds) return null
    const reservations = await ctx.loaders.reservation.loadMany(payload.reservationIds)
    // a reservation that failed to load (a connection cut) fails the field rather than shortening
    // the list: a caller reading the rest as the whole reservation would hold the missing units
    const failed = reservations.find((r): r is Error => r instanceof Error)
    if (failed) throw failed
    return reservations.filter((r): r is ReservationModel => r !== null)
  },
}

export const ReplenishmentPolicySetPayload: ReplenishmentPolicySetPayloadResolvers = {
  policy: (payload, _args, ctx) => (payload.level ? ctx.loaders.policy.load(levelLoaderKey(payload.level.sku, payload.level.locationId)) : null),
}

export const ReplenishmentPayload: ReplenishmentPayloadResolvers = {
  replenishment: (payload, _args, ctx) => (payload.replenishmentId ? ctx.loaders.replenishment.load(payload.replenishmentId) : null),
}
