import type { Registry } from 'prom-client'
import type { BreakerState } from '../../../platform/circuitBreaker.ts'
import { countedElsewhere, gaugeOf } from '../../../platform/metrics.ts'
import type { ResilientSupplier } from './resilientSupplier.ts'

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half_open', 'open']

/** The supplier's breaker and attempts on inventory's Prometheus registry, read at scrape time (as finance's payment provider). */
export function supplierMetrics(registry: Registry, supplier: ResilientSupplier): void {
  gaugeOf(registry, { name: 'supplier_circuit_state', help: "The supplier's circuit breaker: 1 for the state it is in (closed, half_open, open), 0 for the others", labelNames: ['state'] }, () => {
    const now = supplier.state()
    return BREAKER_STATES.map((state) => [{ state }, state === now ? 1 : 0] as const)
  })
  countedElsewhere(
    registry,
    {
      name: 'supplier_calls_total',
      help: 'Attempts to place a purchase order with the supplier (retries included) by outcome: accepted, rejected, timeout, error, short_circuited (refused at once: the breaker was open)',
      labelNames: ['outcome'],
    },
    () => [...supplier.attempts()].map(([outcome, n]) => [{ outcome }, n] as const),
  )
}
