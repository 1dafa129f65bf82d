import type { FastifyBaseLogger } from 'fastify'
import type { Registry } from 'prom-client'
import type { BreakerState } from '../../../platform/circuitBreaker.ts'
import type { Config } from '../../../platform/config.ts'
import type { Database } from '../../../platform/db.ts'
import { createIncidentRecorder, type IncidentRecorder } from '../../../platform/incidents.ts'
import { incidentWebhook } from '../../../platform/incidentWebhook.ts'
import { breakerStateGauge, countedElsewhere } from '../../../platform/metrics.ts'
import { kit } from '../kit.ts'
import type { PaymentProvider } from './paymentProvider.ts'
import { resilientProvider, type ResilientProvider } from './resilientProvider.ts'

/** How incidents of the PSP name it. */
export const PAYMENT_PROVIDER_INTEGRATION = 'payment-provider'

export interface PaymentServices {
  /** The PSP behind its timeout, retries and breaker: the one every caller in this process uses. */
  readonly provider: ResilientProvider
  /** The PSP's incidents, driven by its breaker. */
  readonly incidents: IncidentRecorder
}

/**
 * The PSP adapter (`inner`) made resilient, with its breaker raising and resolving incidents.
 * Made once per app, so the consumer and every request share one breaker.
 */
export function paymentServices(
  inner: PaymentProvider,
  deps: { readonly db: Database; readonly config: Readonly<Config>; readonly logger: FastifyBaseLogger },
): PaymentServices {
  const { config, logger } = deps
  const incidents = createIncidentRecorder({
    db: deps.db,
    schema: kit.name,
    integration: PAYMENT_PROVIDER_INTEGRATION,
    logger,
    webhook: config.incidentWebhookUrl ? incidentWebhook({ url: config.incidentWebhookUrl }) : null,
  })
  const summary =
    `The payment provider (${inner.name}) is failing: finance stopped calling it for a while. Captures and refunds answer ` +
    'GATEWAY_UNAVAILABLE; placed and cancelled orders wait and are authorized or voided once it answers again.'
  const raise = incidents.onBreakerChange(summary)
  const onBreakerChange = (state: BreakerState, previous: BreakerState, lastError: string | null) => {
    const details = { provider: inner.name, state, previous, lastError }
    if (state === 'open') logger.warn(details, 'payment provider circuit opened')
    else logger.info(details, `payment provider circuit ${state === 'closed' ? 'closed' : 'half-open: probing'}`)
    raise(state, previous, lastError)
  }
  const provider = resilientProvider(inner, {
    timeoutMs: config.paymentProviderTimeoutMs,
    retries: config.paymentProviderRetries,
    breaker: { openMs: config.circuitOpenMs },
    onBreakerChange,
  })
  return { provider, incidents }
}

/** The PSP's breaker and calls on the subgraph's Prometheus registry, read at scrape time. */
export function paymentMetrics(registry: Registry, provider: ResilientProvider): void {
  breakerStateGauge(registry, 'payment_provider_circuit_state', "The payment provider's", () => provider.state())
  countedElsewhere(
    registry,
    {
      name: 'payment_provider_calls_total',
      help: 'Attempts at the payment provider (retries included) by operation and outcome: success, declined, timeout, error, short_circuited (refused at once: the breaker was open)',
      labelNames: ['operation', 'outcome'],
    },
    () => [...provider.attempts()].map(([key, n]) => {
      const [operation, outcome] = key.split(':') as [string, string]
      return [{ operation, outcome }, n] as const
    }),
  )
}
