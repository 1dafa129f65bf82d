import { badUserInput } from './errors.ts'

/** Money is integer minor units plus currency, never a float. minorUnits is an Int64 string. */
export interface Money {
  readonly minorUnits: string
  readonly currency: string
  readonly fractionDigits: number
}

/** ISO 4217 minor-unit digits of the currencies this business sells in. */
export const ENABLED_CURRENCIES: Readonly<Record<string, number>> = Object.freeze({ USD: 2, EUR: 2 })

export const isEnabledCurrency = (currency: string): boolean => Object.hasOwn(ENABLED_CURRENCIES, currency)

export function fractionDigits(currency: string): number {
  const digits = ENABLED_CURRENCIES[currency]
  if (digits === undefined) throw badUserInput(`currency ${currency} is not enabled (enabled: ${Object.keys(ENABLED_CURRENCIES).join(', ')})`, 'currency')
  return digits
}

/** Throws BAD_USER_INPUT for a currency this business does not sell in. */
export function requireEnabledCurrency(currency: string, argumentName = 'currency'): string {
  if (!isEnabledCurrency(currency)) {
    throw badUserInput(`currency ${currency} is not enabled (enabled: ${Object.keys(ENABLED_CURRENCIES).join(', ')})`, argumentName)
  }
  return currency
}

export function money(minorUnits: bigint | string | number, currency: string): Money {
  const digits = ENABLED_CURRENCIES[currency] ?? 2
  return { minorUnits: BigInt(minorUnits).toString(), currency, fractionDigits: digits }
}

/** Rounds `minor * rate` half away from zero, in integer arithmetic (rate is a decimal string). */
export function applyRate(minorUnits: bigint, rate: string): bigint {
  const [whole = '0', fraction = ''] = rate.split('.')
  const scale = 10n ** BigInt(fraction.length)
  const numerator = minorUnits * BigInt(whole + fraction)
  const sign = numerator < 0n ? -1n : 1n
  const abs = numerator * sign
  return sign * ((abs + scale / 2n) / scale)
}

/**
 * Tax on an amount at `rate`, in minor units, rounded half away from zero: added on top when
 * prices exclude tax (amount x rate), contained in it when they include tax
 * (amount - amount / (1 + rate)).
 */
export function taxAmountOf(amount: bigint, rate: string, pricesIncludeTax: boolean): bigint {
  if (!pricesIncludeTax) return applyRate(amount, rate)
  const [whole = '0', fraction = ''] = rate.split('.')
  const scale = 10n ** BigInt(fraction.length)
  const denominator = scale + BigInt(whole + fraction)
  const net = (amount * scale * 2n + denominator) / (2n * denominator)
  return amount - net
}
