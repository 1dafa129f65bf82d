import type { Queryable } from '../../../platform/db.ts'
import type { InventoryAdjustInput, InventoryQuantityName } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { AdjustPayloadModel, StoredQuantityName } from '../models.ts'
import { applyRequestedChanges } from './levelAdjustment.ts'

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

/** A delta on one state per change; all changes or none, as one ledger group. */
export function adjustQuantities(tx: Queryable, input: InventoryAdjustInput, actor: string | null): Promise<AdjustPayloadModel> {
  return applyRequestedChanges(tx, {
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    actor,
    list: { name: 'changes', entries: input.changes, emptyMessage: 'Give at least one change' },
    changesOf: (change, at) => {
      const state = adjustableState(change.name)
      if (state === null) return [kit.userError('INVALID_QUANTITY_NAME', [...at, 'name'], `${change.name} changes only through reservations and orders`)]
      if (change.delta === 0) return [kit.userError('INVALID_QUANTITY', [...at, 'delta'], 'delta must not be 0')]
      return [{
        sku: change.sku,
        locationId: change.locationId,
        name: state,
        delta: change.delta,
        // absent and null differ: absent is refused, null opts out of the compare-and-set
        changeFromQuantity: 'changeFromQuantity' in change ? (change.changeFromQuantity ?? null) : undefined,
        fields: { sku: [...at, 'sku'], locationId: [...at, 'locationId'], changeFromQuantity: [...at, 'changeFromQuantity'], delta: [...at, 'delta'] },
      }]
    },
  })
}
