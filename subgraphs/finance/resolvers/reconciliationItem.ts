import { money } from '../../../platform/money.ts'
import type { ReconciliationItemResolvers } from '../generated/resolvers.ts'

export const ReconciliationItem: ReconciliationItemResolvers = {
  transaction: (item, _args, { loaders }) => (item.transactionId ? loaders.transaction.load(item.transactionId) : null),
  settlement: (item, _args, { loaders }) => (item.settlementId ? loaders.settlement.load(item.settlementId) : null),
  recorded: (item) => (item.recordedAmount === null ? null : money(item.recordedAmount, item.currency)),
  settled: (item) => (item.settledAmount === null ? null : money(item.settledAmount, item.settledCurrency ?? item.currency)),
}
