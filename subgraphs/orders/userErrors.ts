import { idempotencyConflict, type IdempotencyOutcome } from '../../platform/idempotency.ts'
import { fractionDigits, isEnabledCurrency } from '../../platform/money.ts'
import type { OrderErrorCode, OrderUserErrorModel } from './models.ts'

export const userError = (code: OrderErrorCode, field: readonly (string | number)[], message: string): OrderUserErrorModel => ({
  code,
  field: field.map(String),
  message,
})

/**
 * The payload of an idempotent mutation: its result (first run or replay), or the userError for
 * a key that was used with other input or is held by a request still running.
 */
export function payloadOf<P>(outcome: IdempotencyOutcome<P>, failed: (errors: OrderUserErrorModel[]) => P): P {
  switch (outcome.kind) {
    case 'executed':
    case 'replayed':
      return outcome.result
    case 'reused':
    case 'inFlight':
      return failed([idempotencyConflict(outcome.kind)])
  }
}

/** "106.06 USD", for messages people read; amounts stay integer minor units everywhere else. */
export function formatMoney(minorUnits: bigint | string, currency: string): string {
  const digits = isEnabledCurrency(currency) ? fractionDigits(currency) : 2
  const value = BigInt(minorUnits)
  const sign = value < 0n ? '-' : ''
  const abs = (value < 0n ? -value : value).toString().padStart(digits + 1, '0')
  const whole = abs.slice(0, abs.length - digits)
  return `${sign}${whole}${digits > 0 ? `.${abs.slice(abs.length - digits)}` : ''} ${currency}`
}
