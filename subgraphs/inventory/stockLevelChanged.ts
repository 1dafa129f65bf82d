import type { InventoryQuantityName } from './generated/resolvers.ts'
import { ALL_QUANTITY_NAMES, ON_HAND_PARTS, type Quantities } from './models.ts'
import type { StockLevelChanged } from './events.ts'

/** A level's quantities before and after one adjustment group. */
export interface LevelTransitionInput {
  readonly sku: string
  readonly locationId: string
  readonly before: Quantities
  readonly after: Quantities
  readonly version: string
}

export interface LevelChangeContext {
  readonly reason: string
  readonly referenceDocumentUri: string | null
  readonly adjustmentGroupId: string
}

const onHand = (q: Quantities): number => ON_HAND_PARTS.reduce((sum, name) => sum + q[name], 0)

const valueOf = (q: Quantities, name: InventoryQuantityName): number => (name === 'ON_HAND' ? onHand(q) : q[name])

/** Saleor's availability transitions: only AVAILABLE crossing zero counts. */
export function availabilityTransition(before: number, after: number): StockLevelChanged['transition'] {
  if (before === 0 && after > 0) return 'BACK_IN_STOCK'
  if (before > 0 && after === 0) return 'OUT_OF_STOCK'
  return 'NONE'
}

/**
 * The `StockLevelChanged` payload of one level: every quantity whose value moved, ON_HAND (derived)
 * included, in schema order. A level whose deltas cancel out has no changes: callers skip it.
 */
export function stockLevelChangedOf(level: LevelTransitionInput, context: LevelChangeContext): StockLevelChanged {
  const changes = ALL_QUANTITY_NAMES.flatMap((name) => {
    const before = valueOf(level.before, name)
    const after = valueOf(level.after, name)
    return before === after ? [] : [{ name, before, after }]
  })
  return {
    sku: level.sku,
    locationId: level.locationId,
    version: level.version,
    changes,
    transition: availabilityTransition(level.before.AVAILABLE, level.after.AVAILABLE),
    reason: context.reason,
    referenceDocumentUri: context.referenceDocumentUri,
    adjustmentGroupId: context.adjustmentGroupId,
  }
}
