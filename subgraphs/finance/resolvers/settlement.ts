import { money } from '../../../platform/money.ts'
import { visibleToStaff } from '../../../platform/viewer.ts'
import type { SettlementResolvers } from '../generated/resolvers.ts'

export const Settlement: SettlementResolvers = {
  __resolveReference: async (reference, { viewer, loaders }) => visibleToStaff(viewer, await loaders.settlement.load(reference.id)),
  gross: (settlement) => money(settlement.gross, settlement.currency),
  fees: (settlement) => money(settlement.fees, settlement.currency),
  net: (settlement) => money(settlement.net, settlement.currency),
  unmatchedTransactions: (settlement, _args, { loaders }) => loaders.unmatchedTransactionsOfSettlement.load(settlement.id),
}
