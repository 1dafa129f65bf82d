import { requireStaff } from '../../../platform/viewer.ts'
import type { MutationResolvers } from '../generated/resolvers.ts'
import { adjustQuantities, failedAdjustment } from '../mutations/adjustQuantities.ts'
import { requireBoundedList, runInventoryMutation } from '../mutations/idempotentMutation.ts'
import { moveQuantities } from '../mutations/moveQuantities.ts'
import { releaseReservation } from '../mutations/releaseReservation.ts'
import { failedReservation, reserve } from '../mutations/reserve.ts'

/** Every inventory mutation is staff-only, idempotent per key, all-or-nothing in one transaction. */
export const Mutation: MutationResolvers = {
  inventoryAdjustQuantities: (_parent, { input }, ctx) => {
    requireStaff(ctx.viewer)
    requireBoundedList(input.changes, 'input.changes')
    const { idempotencyKey, ...rest } = input
    return runInventoryMutation(
      ctx,
      { operation: 'inventoryAdjustQuantities', idempotencyKey, keyField: ['input', 'idempotencyKey'], input: rest, failed: failedAdjustment },
      (tx) => adjustQuantities(tx, input, ctx.viewer.sub),
    )
  },

  inventoryMoveQuantities: (_parent, { input }, ctx) => {
    requireStaff(ctx.viewer)
    requireBoundedList(input.moves, 'input.moves')
    const { idempotencyKey, ...rest } = input
    return runInventoryMutation(
      ctx,
      { operation: 'inventoryMoveQuantities', idempotencyKey, keyField: ['input', 'idempotencyKey'], input: rest, failed: failedAdjustment },
      (tx) => moveQuantities(tx, input, ctx.viewer.sub),
    )
  },

  inventoryReserve: (_parent, { input }, ctx) => {
    requireStaff(ctx.viewer)
    requireBoundedList(input.lines, 'input.lines')
    const { idempotencyKey, ...rest } = input
    return runInventoryMutation(
      ctx,
      { operation: 'inventoryReserve', idempotencyKey, keyField: ['input', 'idempotencyKey'], input: rest, failed: failedReservation },
      (tx) => reserve(tx, input, { actor: ctx.viewer.sub, defaultTtlSeconds: ctx.config.reservationTtlSeconds }),
    )
  },

  inventoryReleaseReservation: (_parent, { id, idempotencyKey }, ctx) => {
    requireStaff(ctx.viewer)
    return runInventoryMutation(
      ctx,
      { operation: 'inventoryReleaseReservation', idempotencyKey, keyField: ['idempotencyKey'], input: { id }, failed: failedReservation },
      (tx) => releaseReservation(tx, id, ctx.viewer.sub),
    )
  },
}
