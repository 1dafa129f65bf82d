import type { MutationContext } from '../../../platform/mutations.ts'
import type { ReconciliationItemResolveInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { FinanceUserErrorModel, ReconciliationItemPayloadModel } from '../models.ts'
import { reconciliationItemsByIds, resolveReconciliationItem } from '../store/reconciliationStore.ts'

const failed = (userErrors: readonly FinanceUserErrorModel[]): ReconciliationItemPayloadModel => ({ itemId: null, userErrors })
const ITEM = ['input', 'itemId']

/**
 * Resolves an open reconciliation item with the note that says what was done about it. The item
 * stays, RESOLVED: the record of what disagreed, and why it was let go, is the point.
 */
export function reconciliationItemResolve(ctx: MutationContext, input: ReconciliationItemResolveInput): Promise<ReconciliationItemPayloadModel> {
  const { idempotencyKey, ...request } = input
  return kit.runMutation(ctx, { operation: 'reconciliationItemResolve', idempotencyKey, input: request, failed }, async (tx) => {
    const note = input.note.trim()
    if (note === '') return failed([kit.userError('NOTE_REQUIRED', ['input', 'note'], 'Say what was done about the item: the note must not be blank')])
    const resolved = await resolveReconciliationItem(tx, input.itemId, ctx.viewer.sub ?? '', note)
    if (resolved) return { itemId: resolved, userErrors: [] }
    const [item] = await reconciliationItemsByIds(tx, [input.itemId])
    if (!item) return failed([kit.userError('NOT_FOUND', ITEM, `No reconciliation item ${input.itemId}`)])
    return failed([kit.userError('ALREADY_RESOLVED', ITEM, `Reconciliation item ${input.itemId} was resolved before`)])
  })
}
