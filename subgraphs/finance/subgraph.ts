import { defineSubgraph, type RequestBase, type SubgraphDeps } from '../../platform/subgraph.ts'
import { orderEventsHandler } from './consumers/orderEvents.ts'
import { kit } from './kit.ts'
import { createLoaders, type Loaders } from './loaders.ts'
import type { PaymentProvider } from './provider/paymentProvider.ts'
import { createSimulatedProvider } from './provider/simulatedProvider.ts'
import { resolvers } from './resolvers.ts'
import { seedFinance } from './seed.ts'

export interface Context extends RequestBase {
  readonly loaders: Loaders
  /** The PSP that captures and refunds (the same one the order-events consumer authorizes with). */
  readonly provider: PaymentProvider
}

export interface FinanceDeps extends SubgraphDeps {
  /** The payment provider adapter; default: the built-in deterministic one (test tokens). */
  readonly provider?: PaymentProvider
}

interface Services {
  readonly provider: PaymentProvider
}

/** Payments, invoices, refunds and the ledger; consumes orders' events, publishes the Payment events. */
export const finance = defineSubgraph<Context, Services, FinanceDeps>({
  name: kit.name,
  folder: new URL('./', import.meta.url),
  resolvers,
  seed: seedFinance,
  services: (deps) => ({ provider: deps.provider ?? createSimulatedProvider() }),
  context: (request, { provider }) => ({ ...request, loaders: createLoaders(request.db, request.viewer), provider }),
  consumers: (deps, { provider }) => [orderEventsHandler(deps.db, provider)],
})
