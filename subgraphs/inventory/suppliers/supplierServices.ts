import type { FastifyBaseLogger } from 'fastify'
import type { BreakerState } from '../../../platform/circuitBreaker.ts'
import type { Config } from '../../../platform/config.ts'
import type { Database } from '../../../platform/db.ts'
import { createIncidentRecorder, type IncidentRecorder } from '../../../platform/incidents.ts'
import { incidentWebhook } from '../../../platform/incidentWebhook.ts'
import { kit } from '../kit.ts'
import { resilientSupplier, type ResilientSupplier } from './resilientSupplier.ts'
import type { SupplierAdapter } from './supplier.ts'

/** How incidents name the supplier AUTO purchase orders are placed with. */
export const SUPPLIER_INTEGRATION = 'supplier'

/** What its incidents tell staff (and the webhook) the outage does. */
export const SUPPLIER_INCIDENT_SUMMARY =
  'The supplier is failing: inventory stopped calling it for a while. AUTO purchase orders wait SUBMITTED and are placed once it ' +
  'answers again; cancelling an order it accepted answers SUPPLIER_UNAVAILABLE.'

export interface SupplierServices {
  /** The supplier behind its timeout, retries and breaker: the one the placement worker and every request use. */
  readonly supplier: ResilientSupplier
  /** The supplier's incidents, driven by its breaker. */
  readonly incidents: IncidentRecorder
}

export interface SupplierServicesDeps {
  readonly db: Database
  readonly config: Readonly<Config>
  readonly logger: FastifyBaseLogger
}

/**
 * The supplier adapter (`inner`) made resilient, with its breaker raising and resolving incidents
 * (as finance's paymentServices does for its payment provider). Made once per app, so every
 * placement and cancellation shares one breaker; the breaker's hook only queues the incident's
 * work (platform/incidents.ts), so a placement never waits for the database or the webhook.
 */
export function supplierServices(inner: SupplierAdapter, deps: SupplierServicesDeps): SupplierServices {
  const { config, logger } = deps
  const incidents = createIncidentRecorder({
    db: deps.db,
    schema: kit.name,
    integration: SUPPLIER_INTEGRATION,
    logger,
    webhook: config.incidentWebhookUrl ? incidentWebhook({ url: config.incidentWebhookUrl }) : null,
  })
  const raise = incidents.onBreakerChange(SUPPLIER_INCIDENT_SUMMARY)
  const onBreakerChange = (state: BreakerState, previous: BreakerState, lastError: string | null) => {
    const details = { state, previous, lastError }
    if (state === 'open') logger.warn(details, 'supplier circuit opened: purchase orders wait SUBMITTED until it answers')
    else logger.info(details, `supplier circuit ${state === 'closed' ? 'closed' : 'half-open: probing'}`)
    raise(state, previous, lastError)
  }
  const supplier = resilientSupplier(inner, {
    timeoutMs: config.supplierTimeoutMs,
    retries: config.supplierRetries,
    breaker: { openMs: config.circuitOpenMs },
    onBreakerChange,
  })
  return { supplier, incidents }
}
