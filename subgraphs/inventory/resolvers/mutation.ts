import type { Queryable } from '../../../platform/db.ts'
import type { MutationPayload } from '../../../platform/userErrors.ts'
import { requireStaff } from '../../../platform/viewer.ts'
import type { MutationResolvers } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { InventoryUserErrorModel, ReplenishmentPayloadModel } from '../models.ts'
import { adjustQuantities } from '../mutations/adjustQuantities.ts'
import { failedAdjustment } from '../mutations/levelAdjustment.ts'
import { requireBoundedList } from '../mutations/limits.ts'
import { moveQuantities } from '../mutations/moveQuantities.ts'
import { releaseReservation } from '../mutations/releaseReservation.ts'
import { failedReservation, reserve } from '../mutations/reserve.ts'
import { failedReplenishment, purchaseOrderApprove } from '../mutations/purchaseOrderApprove.ts'
import { purchaseOrderCancel, tellSupplier, type SupplierNotice } from '../mutations/purchaseOrderCancel.ts'
import { purchaseOrderReceive } from '../mutations/purchaseOrderReceive.ts'
import { purchaseOrderRetryPlacement } from '../mutations/purchaseOrderRetryPlacement.ts'
import { failedPolicy, setReplenishmentPolicy } from '../mutations/setReplenishmentPolicy.ts'
import { failedMappingApproval, partnerFeedMappingApprove } from '../mutations/partnerFeedMappingApprove.ts'
import type { Context } from '../subgraph.ts'

/** Every inventory mutation is staff-only, idempotent per key, all-or-nothing in one transaction. */
export const Mutation: MutationResolvers = {
  inventoryAdjustQuantities: (_parent, { input }, ctx) =>
    inputMutation(ctx, 'inventoryAdjustQuantities', input, 'changes', failedAdjustment, (tx) => adjustQuantities(tx, input, ctx.viewer.sub)),

  inventoryMoveQuantities: (_parent, { input }, ctx) =>
    inputMutation(ctx, 'inventoryMoveQuantities', input, 'moves', failedAdjustment, (tx) => moveQuantities(tx, input, ctx.viewer.sub)),

  inventoryReserve: (_parent, { input }, ctx) =>
    inputMutation(ctx, 'inventoryReserve', input, 'lines', failedReservation, (tx) =>
      reserve(tx, input, { actor: ctx.viewer.sub, defaultTtlSeconds: ctx.config.reservationTtlSeconds }),
    ),

  inventoryReleaseReservation: (_parent, { id, idempotencyKey }, ctx) => {
    requireStaff(ctx.viewer)
    return kit.runMutation(
      ctx,
      { operation: 'inventoryReleaseReservation', idempotencyKey, keyField: ['idempotencyKey'], input: { id }, failed: failedReservation },
      (tx) => releaseReservation(tx, id, ctx.viewer.sub),
    )
  },

  replenishmentPolicySet: (_parent, { input }, ctx) => {
    requireStaff(ctx.viewer)
    const { idempotencyKey, ...rest } = input
    return kit.runMutation(ctx, { operation: 'replenishmentPolicySet', idempotencyKey, input: rest, failed: failedPolicy }, (tx) =>
      setReplenishmentPolicy(tx, rest, ctx.config.supplierUrl !== null),
    )
  },

  purchaseOrderApprove: (_parent, { id, idempotencyKey }, ctx) => {
    requireStaff(ctx.viewer)
    return kit.runMutation(
      ctx,
      { operation: 'purchaseOrderApprove', idempotencyKey, keyField: ['idempotencyKey'], input: { id }, failed: failedReplenishment },
      (tx) => purchaseOrderApprove(tx, id, ctx.viewer.sub),
    )
  },

  // the supplier is told first, outside the transaction; nothing changes here unless it cancelled
  purchaseOrderCancel: (_parent, { id, idempotencyKey }, ctx) => {
    requireStaff(ctx.viewer)
    return kit.runMutationSteps<ReplenishmentPayloadModel, SupplierNotice>(
      ctx,
      { operation: 'purchaseOrderCancel', idempotencyKey, keyField: ['idempotencyKey'], input: { id }, failed: failedReplenishment },
      {
        outside: () => tellSupplier(ctx.db, ctx.supplier, id),
        inside: (tx, notice) => purchaseOrderCancel(tx, id, ctx.viewer.sub, notice),
      },
    )
  },

  purchaseOrderRetryPlacement: (_parent, { id, idempotencyKey }, ctx) => {
    requireStaff(ctx.viewer)
    return kit.runMutation(
      ctx,
      { operation: 'purchaseOrderRetryPlacement', idempotencyKey, keyField: ['idempotencyKey'], input: { id }, failed: failedReplenishment },
      (tx) => purchaseOrderRetryPlacement(tx, id, ctx.config.supplierUrl !== null),
    )
  },

  partnerFeedMappingApprove: (_parent, { input }, ctx) => {
    requireStaff(ctx.viewer)
    const { idempotencyKey, ...rest } = input
    return kit.runMutation(ctx, { operation: 'partnerFeedMappingApprove', idempotencyKey, input: rest, failed: failedMappingApproval }, (tx) =>
      partnerFeedMappingApprove(tx, rest, ctx.viewer.sub),
    )
  },

  purchaseOrderReceive: (_parent, { input }, ctx) =>
    inputMutation(ctx, 'purchaseOrderReceive', input, 'lines', failedReplenishment, (tx) => {
      const { idempotencyKey: _key, ...rest } = input
      return purchaseOrderReceive(tx, rest, ctx.viewer.sub)
    }),
}

/**
 * A mutation whose `input` carries the key and one list: the list is bounded before any SQL runs,
 * and the request hash sees the input without the key.
 */
function inputMutation<
  I extends { readonly idempotencyKey: string } & { readonly [name in L]: readonly unknown[] },
  L extends string,
  P extends MutationPayload,
>(
  ctx: Context,
  operation: string,
  input: I,
  list: L,
  failed: (errors: InventoryUserErrorModel[]) => P,
  body: (tx: Queryable) => Promise<P>,
): Promise<P> {
  requireStaff(ctx.viewer)
  requireBoundedList(input[list], `input.${list}`)
  const { idempotencyKey, ...rest } = input
  return kit.runMutation(ctx, { operation, idempotencyKey, input: rest, failed }, body)
}
