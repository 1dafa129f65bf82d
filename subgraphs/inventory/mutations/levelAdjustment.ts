import type { Queryable } from '../../../platform/db.ts'
import type { InventoryAdjustInput, InventoryQuantityName } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { AdjustPayloadModel, InventoryUserErrorModel, StoredQuantityName } from '../models.ts'
import { applyLevelChanges } from '../store/levelChangeStore.ts'
import { checkChanges, type RequestedChange } from './checkChanges.ts'

export const failedAdjustment = (userErrors: InventoryUserErrorModel[]): AdjustPayloadModel => ({ adjustmentGroupId: null, userErrors })

/**
 * The states units are put in or taken out of by hand (adjust, move): ON_HAND is a sum, not a
 * place; RESERVED and COMMITTED move only with reservations and orders.
 */
export function handState(name: InventoryQuantityName): StoredQuantityName | null {
  return name === 'ON_HAND' || name === 'RESERVED' || name === 'COMMITTED' ? null : name
}

/** What adjust and move ask of `applyRequestedChanges`: their list, and what each entry of it asks for. */
export interface RequestedAdjustment<Entry> {
  /** The input list (`changes`, `moves`) and what to say when it is empty. */
  readonly list: { readonly name: string; readonly entries: readonly Entry[]; readonly emptyMessage: string }
  /** The level changes one entry asks for, or why it cannot; `at` is the entry's path in the arguments. */
  readonly changesOf: (entry: Entry, at: readonly (string | number)[]) => readonly RequestedChange[] | readonly InventoryUserErrorModel[]
}

/**
 * The hand-made changes of adjust and move: every entry's changes are checked against their
 * locked levels and applied as one ledger group, or none is and every problem is reported.
 */
export async function applyRequestedChanges<Entry>(
  tx: Queryable,
  input: Pick<InventoryAdjustInput, 'reason' | 'referenceDocumentUri'>,
  actor: string | null,
  request: RequestedAdjustment<Entry>,
): Promise<AdjustPayloadModel> {
  const { list } = request
  if (list.entries.length === 0) return failedAdjustment([kit.userError('NO_CHANGES', ['input', list.name], list.emptyMessage)])
  const errors: InventoryUserErrorModel[] = []
  const requested: RequestedChange[] = []
  list.entries.forEach((entry, i) => {
    for (const outcome of request.changesOf(entry, ['input', list.name, i])) {
      if ('code' in outcome) errors.push(outcome)
      else requested.push(outcome)
    }
  })
  errors.push(...(await checkChanges(tx, requested)))
  if (errors.length > 0) return failedAdjustment(uniqueErrors(errors))

  const { reason, referenceDocumentUri = null } = input
  const applied = await applyLevelChanges(tx, { reason, referenceDocumentUri, actor, changes: requested })
  // the levels are locked and checked above: a refusal here is a bug, and the check constraints agree
  if (applied.kind === 'rejected') throw new Error(`checked inventory ${list.name} were refused`)
  return { adjustmentGroupId: applied.groupId, userErrors: [] }
}

/** The same error reached twice (both sides of a move on one unknown sku, ...) is reported once. */
function uniqueErrors(errors: readonly InventoryUserErrorModel[]): InventoryUserErrorModel[] {
  const seen = new Set<string>()
  return errors.filter((error) => {
    const key = `${error.code}\u0000${(error.field ?? []).join('\u0000')}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
