import { taxAmountOf } from '../../../platform/money.ts'
import type { CartLineModel, TaxRateModel } from '../models.ts'

export interface CartTotals {
  readonly subtotal: bigint
  readonly taxTotal: bigint
  readonly total: bigint
}

export const lineTotalOf = (line: Pick<CartLineModel, 'unitPrice' | 'quantity'>): bigint => BigInt(line.unitPrice) * BigInt(line.quantity)

/**
 * What checkout will charge for these lines. Tax is computed per line and rounded per line, the
 * way the order's tax lines will record it: added on top of a price that excludes tax, contained
 * in a price that includes it (then the total is the subtotal). No tax rate means no tax.
 */
export function cartTotals(lines: readonly CartLineModel[], taxRate: TaxRateModel | null): CartTotals {
  let subtotal = 0n
  let taxTotal = 0n
  let taxOnTop = 0n
  for (const line of lines) {
    const lineTotal = lineTotalOf(line)
    const tax = taxRate ? taxAmountOf(lineTotal, taxRate.rate, line.taxIncluded) : 0n
    subtotal += lineTotal
    taxTotal += tax
    if (!line.taxIncluded) taxOnTop += tax
  }
  return { subtotal, taxTotal, total: subtotal + taxOnTop }
}
