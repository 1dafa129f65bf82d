/**
 * Tax on an order's lines from finance's own rates: one tax line per order line, on the line
 * total, added on top or contained in it as the country's rate says. Per line and rounded per
 * line (half away from zero), the way orders computes it, so the totals agree to the unit.
 */
import { taxAmountOf } from '../../platform/money.ts'
import type { StoredTaxLine, TaxRateRow } from './models.ts'

export function taxLineOf(lineTotal: bigint, rate: TaxRateRow): StoredTaxLine {
  return { title: rate.title, rate: rate.rate, amount: taxAmountOf(lineTotal, rate.rate, rate.pricesIncludeTax).toString() }
}

export function taxTotalOf(taxLines: readonly StoredTaxLine[]): bigint {
  return taxLines.reduce((sum, line) => sum + BigInt(line.amount), 0n)
}
