import type { Queryable } from '../../../platform/db.ts'
import type { InventoryAdjustInput, InventoryQuantityName } from '../generated/resolvers.ts'
import type { AdjustPayloadModel, InventoryUserErrorModel, StoredQuantityName } from '../models.ts'
import { applyLevelChanges } from '../store/levelChangeStore.ts'
import { checkChanges, type RequestedChange } from './checkChanges.ts'
import { uniqueErrors, userError } from './userError.ts'

/**
 * The states a hand adjustment may change. ON_HAND means AVAILABLE (Shopify's rule: new units on
 * hand are available). RESERVED and COMMITTED move only with reservations and orders.
 */
export function adjustableState(name: InventoryQuantityName): StoredQuantityName | null {
  switch (name) {
    case 'AVAILABLE':
    case 'ON_HAND':
      return 'AVAILABLE'
    case 'DAMAGED':
    case 'SAFETY_STOCK':
    case 'QUALITY_CONTROL':
    case 'INCOMING':
      return name
    case 'RESERVED':
    case 'COMMITTED':
      return null
  }
}

export const failedAdjustment = (userErrors: InventoryUserErrorModel[]): AdjustPayloadModel => ({ adjustmentGroupId: null, userErrors })

/** A delta on one state per change; all changes or none, as one ledger group. */
export async function adjustQuantities(tx: Queryable, input: InventoryAdjustInput, actor: string | null): Promise<AdjustPayloadModel> {
  if (input.changes.length === 0) return failedAdjustment([userError('NO_CHANGES', ['input', 'changes'], 'Give at least one change')])
  const errors: InventoryUserErrorModel[] = []
  const requested: RequestedChange[] = []
  input.changes.forEach((change, i) => {
    const at = ['input', 'changes', i] as const
    const state = adjustableState(change.name)
    if (state === null) {
      errors.push(userError('INVALID_QUANTITY_NAME', [...at, 'name'], `${change.name} changes only through reservations and orders`))
      return
    }
    if (change.delta === 0) {
      errors.push(userError('INVALID_QUANTITY', [...at, 'delta'], 'delta must not be 0'))
      return
    }
    requested.push({
      sku: change.sku,
      locationId: change.locationId,
      name: state,
      delta: change.delta,
      // absent and null differ: absent is refused, null opts out of the compare-and-set
      changeFromQuantity: 'changeFromQuantity' in change ? (change.changeFromQuantity ?? null) : undefined,
      fields: { sku: [...at, 'sku'], locationId: [...at, 'locationId'], changeFromQuantity: [...at, 'changeFromQuantity'], delta: [...at, 'delta'] },
    })
  })
  errors.push(...(await checkChanges(tx, requested)))
  if (errors.length > 0) return failedAdjustment(uniqueErrors(errors))

  const applied = await applyLevelChanges(tx, {
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    actor,
    changes: requested,
  })
  // the levels are locked and checked above: a refusal here is a bug, and the check constraints agree
  if (applied.kind === 'rejected') throw new Error('checked inventory changes were refused')
  return { adjustmentGroupId: applied.groupId, userErrors: [] }
}
