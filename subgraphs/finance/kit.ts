import { subgraphKit } from '../../platform/subgraphKit.ts'
import { FINANCE_AGGREGATES, type FinanceEvents } from './events.ts'
import type { FinanceErrorCode } from './generated/resolvers.ts'

/** Finance's mutation runner, event publisher and userError factory, bound to its schema. */
export const kit = subgraphKit<FinanceEvents, FinanceErrorCode>('finance', FINANCE_AGGREGATES)
