import { fractionDigits, isEnabledCurrency } from '../../platform/money.ts'

/** "106.06 USD", for messages people read; amounts stay integer minor units everywhere else. */
export function formatMoney(minorUnits: bigint | string, currency: string): string {
  const digits = isEnabledCurrency(currency) ? fractionDigits(currency) : 2
  const value = BigInt(minorUnits)
  const sign = value < 0n ? '-' : ''
  const abs = (value < 0n ? -value : value).toString().padStart(digits + 1, '0')
  const whole = abs.slice(0, abs.length - digits)
  return `${sign}${whole}${digits > 0 ? `.${abs.slice(abs.length - digits)}` : ''} ${currency}`
}
