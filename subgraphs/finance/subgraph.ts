import { pinoLogger } from '../../platform/service.ts'
import { defineSubgraph, type RequestBase, type SubgraphDeps } from '../../platform/subgraph.ts'
import { orderEventsHandler } from './consumers/orderEvents.ts'
import { kit } from './kit.ts'
import { createLoaders, type Loaders } from './loaders.ts'
import type { PaymentProvider } from './provider/paymentProvider.ts'
import { paymentMetrics, paymentServices, type PaymentServices } from './provider/paymentServices.ts'
import type { ResilientProvider } from './provider/resilientProvider.ts'
import { simulatedSettlementSource, type SettlementSource } from './provider/settlementFile.ts'
import { createSimulatedProvider } from './provider/simulatedProvider.ts'
import { resolvers } from './resolvers.ts'
import { seedFinance } from './seed.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Finance only: the payment provider as every caller uses it, behind its breaker (tests read its state). */
    paymentProvider?: ResilientProvider
    /** Finance only: the payment provider's incidents (tests wait for them to be recorded and posted). */
    paymentIncidents?: PaymentServices['incidents']
  }
}

export interface Context extends RequestBase {
  readonly loaders: Loaders
  /** The PSP that captures and refunds (the same one the order-events consumer authorizes with). */
  readonly provider: PaymentProvider
  /** Where settlementImport gets a day's settlement file. */
  readonly settlementSource: SettlementSource
}

export interface FinanceDeps extends SubgraphDeps {
  /** The payment provider adapter; default: the built-in deterministic one (test tokens). Wrapped in resilientProvider either way. */
  readonly provider?: PaymentProvider
  /** The provider's daily settlement files; default: the built-in provider's (seed 'simulated', occasional injected errors). */
  readonly settlementSource?: SettlementSource
}

type FinanceServices = PaymentServices & { readonly settlementSource: SettlementSource }

/** Payments, invoices, refunds and the ledger; consumes orders' events, publishes the Payment events. */
export const finance = defineSubgraph<Context, FinanceServices, FinanceDeps>({
  name: kit.name,
  folder: new URL('./', import.meta.url),
  resolvers,
  seed: seedFinance,
  // once per app: requests and the consumer share the PSP's one breaker
  services: (deps) => ({
    ...paymentServices(deps.provider ?? createSimulatedProvider(), { db: deps.db, config: deps.config, logger: deps.logger ?? pinoLogger(deps.config, kit.name) }),
    settlementSource: deps.settlementSource ?? simulatedSettlementSource(),
  }),
  context: (request, { provider, settlementSource }) => ({ ...request, loaders: createLoaders(request.db, request.viewer), provider, settlementSource }),
  consumers: (deps, { provider }) => [orderEventsHandler(deps.db, provider)],
  async start(app, _deps, { provider, incidents }) {
    if (app.metrics) paymentMetrics(app.metrics, provider)
    app.decorate('paymentProvider', provider)
    app.decorate('paymentIncidents', incidents)
    return () => incidents.close()
  },
})
