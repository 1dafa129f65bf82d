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
      help: 'Attempts at the supplier (retries included) by operation (place, cancel) and outcome: accepted, rejected (place), cancelled, refused (cancel), timeout, error, short_circuited (refused at once: the breaker was open)',
      labelNames: ['operation', 'outcome'],
    },
    () => [...supplier.attempts()].map(([key, n]) => {
      const [operation, outcome] = key.split(':') as [string, string]
      return [{ operation, outcome }, n] as const
    }),
  )
}
