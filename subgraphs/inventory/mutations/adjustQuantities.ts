import type { Queryable } from '../../../platform/db.ts'
import type { InventoryAdjustInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { AdjustPayloadModel } from '../models.ts'
import { applyRequestedChanges, handState } from './levelAdjustment.ts'

/**
 * A delta on one state per change; all changes or none, as one ledger group. ON_HAND means
 * AVAILABLE (Shopify's rule: new units on hand are available).
 */
export function adjustQuantities(tx: Queryable, input: InventoryAdjustInput, actor: string | null): Promise<AdjustPayloadModel> {
  return applyRequestedChanges(tx, input, actor, {
    list: { name: 'changes', entries: input.changes, emptyMessage: 'Give at least one change' },
    changesOf: (change, at) => {
      const state = change.name === 'ON_HAND' ? 'AVAILABLE' : handState(change.name)
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
