import type { Registry } from 'prom-client'
import { breakerStateGauge, countedElsewhere } from '../../../platform/metrics.ts'
import type { ResilientSupplier } from './resilientSupplier.ts'

/** The supplier's breaker and attempts on inventory's Prometheus registry, read at scrape time (as finance's payment provider). */
export function supplierMetrics(registry: Registry, supplier: ResilientSupplier): void {
  breakerStateGauge(registry, 'supplier_circuit_state', "The supplier's", () => supplier.state())
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
