import { money } from '../../../platform/money.ts'
import type { JournalLineResolvers } from '../generated/resolvers.ts'

export const JournalLine: JournalLineResolvers = {
  amount: (line) => money(line.amount, line.currency),
}
