import { money } from '../../../platform/money.ts'
import type { PaymentTransactionResolvers } from '../generated/resolvers.ts'

export const PaymentTransaction: PaymentTransactionResolvers = {
  amount: (transaction) => money(transaction.amount, transaction.currency),
}
