import type { Queryable } from '../../../platform/db.ts'
import type { InventoryMoveInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { AdjustPayloadModel, InventoryUserErrorModel } from '../models.ts'
import type { RequestedChange } from './checkChanges.ts'
import { applyRequestedChanges, handState } from './levelAdjustment.ts'

/**
 * Moves units from one (location, state) to another: state to state at one location (AVAILABLE
 * to DAMAGED), or location to location. Each side has its own compare-and-set.
 */
export function moveQuantities(tx: Queryable, input: InventoryMoveInput, actor: string | null): Promise<AdjustPayloadModel> {
  return applyRequestedChanges(tx, input, actor, {
    list: { name: 'moves', entries: input.moves, emptyMessage: 'Give at least one move' },
    changesOf: (move, at) => {
      const from = handState(move.from.name)
      const to = handState(move.to.name)
      const errors: InventoryUserErrorModel[] = []
      if (from === null) errors.push(kit.userError('INVALID_QUANTITY_NAME', [...at, 'from', 'name'], `Units cannot move out of ${move.from.name}`))
      if (to === null) errors.push(kit.userError('INVALID_QUANTITY_NAME', [...at, 'to', 'name'], `Units cannot move into ${move.to.name}`))
      if (move.quantity <= 0) errors.push(kit.userError('INVALID_QUANTITY', [...at, 'quantity'], 'quantity must be positive'))
      if (from === null || to === null || errors.length > 0) return errors
      if (move.from.locationId === move.to.locationId && from === to) {
        return [kit.userError('INVALID_MOVE', [...at, 'to'], 'A move needs another location or another state')]
      }
      return ([['from', from, -move.quantity], ['to', to, move.quantity]] as const).map(([side, state, delta]): RequestedChange => {
        const terminal = move[side]
        return {
          sku: move.sku,
          locationId: terminal.locationId,
          name: state,
          delta,
          changeFromQuantity: 'changeFromQuantity' in terminal ? (terminal.changeFromQuantity ?? null) : undefined,
          fields: {
            sku: [...at, 'sku'],
            locationId: [...at, side, 'locationId'],
            changeFromQuantity: [...at, side, 'changeFromQuantity'],
            delta: [...at, 'quantity'],
          },
        }
      })
    },
  })
}
