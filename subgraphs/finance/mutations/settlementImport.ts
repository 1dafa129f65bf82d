import type { MutationContext } from '../../../platform/mutations.ts'
import type { SettlementImportInput } from '../generated/resolvers.ts'
import { newId } from '../ids.ts'
import { kit } from '../kit.ts'
import { settlementFeeLines } from '../ledger.ts'
import type { FinanceUserErrorModel, SettlementImportPayloadModel, SettlementRow } from '../models.ts'
import type { SettlementSource } from '../provider/settlementFile.ts'
import { reconcile } from '../reconcile.ts'
import { postJournalEntries } from '../store/journalStore.ts'
import { insertReconciliationItems, insertSettlementFile, providerTransactions } from '../store/reconciliationStore.ts'
import { insertSettlements } from '../store/settlementStore.ts'

const failed = (userErrors: readonly FinanceUserErrorModel[]): SettlementImportPayloadModel => ({ fileId: null, imported: false, userErrors })

export type SettlementImportContext = MutationContext & { readonly settlementSource: SettlementSource }

/**
 * Imports the provider's settlement file for a day, once: its payouts become settlements, each
 * payout's fees are posted (DR 6100 Payment fees / CR 1000 Cash: the provider kept them out of
 * the cash recorded at capture), and every line that disagrees with finance's transactions, like
 * every transaction of the day the file leaves out, becomes an OPEN reconciliation item. The file
 * id is the idempotency of the import itself: another key for the same day answers the first
 * import and writes nothing.
 */
export function settlementImport(ctx: SettlementImportContext, input: SettlementImportInput): Promise<SettlementImportPayloadModel> {
  const { idempotencyKey, ...request } = input
  const source = ctx.settlementSource
  return kit.runMutation(ctx, { operation: 'settlementImport', idempotencyKey, input: request, failed }, async (tx) => {
    const { date } = input
    // what the provider processed that day, as its records (the references it issued) hold it
    const ofDay = (await providerTransactions(tx, source.referencePattern, date, [])).filter((t) => t.onDate)
    const file = source.fileOf(date, ofDay.map(({ pspReference, kind, amount, currency }) => ({ pspReference, kind, amount, currency })))
    // a concurrent import of the same file waits on the unique key here, then finds it taken
    if (!(await insertSettlementFile(tx, file))) return { fileId: file.fileId, imported: false, userErrors: [] }
    const recorded = await providerTransactions(tx, source.referencePattern, date, file.lines.map((line) => line.pspReference))
    const { payouts, settled, items } = reconcile(file, recorded)
    const payoutDate = new Date(`${date}T00:00:00.000Z`)
    await insertSettlements(
      tx,
      payouts.map((p): SettlementRow => ({
        id: p.id, gateway: file.gateway, payoutDate, currency: p.currency, gross: p.gross.toString(), fees: p.fees.toString(), net: p.net.toString(), status: p.status,
      })),
      settled,
    )
    await postJournalEntries(tx, payouts.filter((p) => p.fees > 0n).map((p) => ({
      id: newId('je'), postedAt: null, sourceDocumentUri: `gid://finance/Settlement/${p.id}`, reversesEntryId: null, lines: settlementFeeLines(p.fees, p.currency),
    })))
    await insertReconciliationItems(tx, file.fileId, date, items)
    return { fileId: file.fileId, imported: true, userErrors: [] }
  })
}
