import type { Database } from '../../platform/db.ts'
import { buildWorld } from '../../seed/world.ts'
import { financeSeedOf } from './seedData.ts'
import { insertInvoices } from './store/invoiceStore.ts'
import { postJournalEntries } from './store/journalStore.ts'
import { insertOrderAccountLines, insertOrderAccounts } from './store/orderAccountStore.ts'
import { insertPayments } from './store/paymentStore.ts'
import { hasFinanceData, truncateFinance } from './store/seedStore.ts'
import { insertSettlements } from './store/settlementStore.ts'
import { insertTaxRates } from './store/taxRateStore.ts'
import { insertTransactions } from './store/transactionStore.ts'

/** Writes finance's part of the demo store in one transaction, a statement per table. */
export async function seedFinance(db: Database, { reset }: { reset: boolean }): Promise<void> {
  const world = buildWorld()
  const seed = financeSeedOf(world)
  await db.transaction(async (tx) => {
    if (reset) await truncateFinance(tx)
    // before the early return: the rates are reference data the OrderPlaced consumer needs
    await insertTaxRates(tx, world.taxRates)
    if (!reset && (await hasFinanceData(tx))) return
    await insertOrderAccounts(tx, seed.accounts)
    await insertOrderAccountLines(tx, seed.accountLines)
    await insertPayments(tx, seed.payments)
    await insertTransactions(tx, seed.transactions)
    await insertInvoices(tx, seed.invoices)
    await postJournalEntries(tx, seed.journalEntries)
    await insertSettlements(tx, seed.settlements, seed.settlementTransactions)
  })
}
