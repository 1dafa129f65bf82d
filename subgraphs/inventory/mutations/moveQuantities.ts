import type { Queryable } from '../../../platform/db.ts'
import type { InventoryMoveInput, InventoryQuantityName } from '../generated/resolvers.ts'
import type { AdjustPayloadModel, InventoryUserErrorModel, StoredQuantityName } from '../models.ts'
import { applyLevelChanges } from '../store/levelChangeStore.ts'
import { failedAdjustment } from './adjustQuantities.ts'
import { checkChanges, type RequestedChange } from './checkChanges.ts'
import { uniqueErrors, userError } from './userError.ts'

/** States units may move between. ON_HAND is a sum, not a place; RESERVED/COMMITTED follow orders. */
function movableState(name: InventoryQuantityName): StoredQuantityName | null {
  switch (name) {
    case 'AVAILABLE':
    case 'DAMAGED':
    case 'SAFETY_STOCK':
    case 'QUALITY_CONTROL':
    case 'INCOMING':
      return name
    case 'ON_HAND':
    case 'RESERVED':
    case 'COMMITTED':
      return null
  }
}

/**
 * Moves units from one (location, state) to another: state to state at one location (AVAILABLE
 * to DAMAGED), or location to location. Each side has its own compare-and-set.
 */
export async function moveQuantities(tx: Queryable, input: InventoryMoveInput, actor: string | null): Promise<AdjustPayloadModel> {
  if (input.moves.length === 0) return failedAdjustment([userError('NO_CHANGES', ['input', 'moves'], 'Give at least one move')])
  const errors: InventoryUserErrorModel[] = []
  const requested: RequestedChange[] = []
  input.moves.forEach((move, i) => {
    const at = ['input', 'moves', i] as const
    const from = movableState(move.from.name)
    const to = movableState(move.to.name)
    if (from === null) errors.push(userError('INVALID_QUANTITY_NAME', [...at, 'from', 'name'], `Units cannot move out of ${move.from.name}`))
    if (to === null) errors.push(userError('INVALID_QUANTITY_NAME', [...at, 'to', 'name'], `Units cannot move into ${move.to.name}`))
    if (move.quantity <= 0) errors.push(userError('INVALID_QUANTITY', [...at, 'quantity'], 'quantity must be positive'))
    if (from === null || to === null || move.quantity <= 0) return
    if (move.from.locationId === move.to.locationId && from === to) {
      errors.push(userError('INVALID_MOVE', [...at, 'to'], 'A move needs another location or another state'))
      return
    }
    for (const [side, state, delta] of [['from', from, -move.quantity], ['to', to, move.quantity]] as const) {
      const terminal = move[side]
      requested.push({
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
      })
    }
  })
  errors.push(...(await checkChanges(tx, requested)))
  if (errors.length > 0) return failedAdjustment(uniqueErrors(errors))

  const applied = await applyLevelChanges(tx, { reason: input.reason, referenceDocumentUri: input.referenceDocumentUri ?? null, actor, changes: requested })
  if (applied.kind === 'rejected') throw new Error('checked inventory moves were refused')
  return { adjustmentGroupId: applied.groupId, userErrors: [] }
}
