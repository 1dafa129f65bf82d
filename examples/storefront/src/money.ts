/** A Money as the API sends it: integer minor units (a string: they may pass 2^31) and their digits. */
export interface Money {
  readonly minorUnits: string
  readonly currency: string
  readonly fractionDigits: number
}

export const CURRENCIES = ['USD', 'EUR'] as const
export type Currency = (typeof CURRENCIES)[number]

/** "$12.50", "€9.00": exact for any amount (the minor units are split as digits, never as a float). */
export function formatMoney(money: Money): string {
  const negative = money.minorUnits.startsWith('-')
  const digits = (negative ? money.minorUnits.slice(1) : money.minorUnits).padStart(money.fractionDigits + 1, '0')
  const whole = digits.slice(0, digits.length - money.fractionDigits)
  const fraction = digits.slice(digits.length - money.fractionDigits)
  const decimal = `${negative ? '-' : ''}${whole}${money.fractionDigits > 0 ? `.${fraction}` : ''}`
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: money.currency, minimumFractionDigits: money.fractionDigits, maximumFractionDigits: money.fractionDigits })
  // a decimal string keeps every digit (Intl.NumberFormat takes one since ES2023's Intl.NumberFormat v3)
  return format.format(decimal as unknown as number)
}

/** "$10.00 – $14.00", or one price when both ends agree. */
export function formatRange(min: Money, max: Money): string {
  return min.minorUnits === max.minorUnits ? formatMoney(min) : `${formatMoney(min)} – ${formatMoney(max)}`
}
