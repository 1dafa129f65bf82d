/**
 * The daily settlement file of the built-in provider, like a PSP's settlement details report:
 * one line per capture and refund it processed that day, the fee it kept on each, and one payout
 * per currency (gross - fees = net). A pure function of what the provider processed, the date and
 * a seed, so a test or a demo gets the same file every time; the seed also chooses where the
 * occasional injected errors land, the way real files now and then drop, repeat or misstate a
 * line.
 */
import { createHash } from 'node:crypto'
import { pspFeeOf } from '../seedData.ts'

/** A capture or refund the provider processed, as its own records hold it. */
export interface ProviderRecord {
  readonly pspReference: string
  readonly kind: 'CAPTURE' | 'REFUND'
  readonly amount: bigint
  readonly currency: string
}

export interface SettlementLine {
  readonly lineNo: number
  readonly type: 'CAPTURE' | 'REFUND'
  readonly pspReference: string
  readonly currency: string
  /** minor units, as a decimal string (JSON has no 64-bit integers) */
  readonly amount: string
  readonly fee: string
}

export interface SettlementPayout {
  readonly currency: string
  /** captures minus refunds: negative when the provider debits */
  readonly gross: string
  readonly fees: string
  readonly net: string
}

export interface SettlementFile {
  /** Unique per provider and day: importing it twice changes nothing. */
  readonly fileId: string
  readonly gateway: string
  /** YYYY-MM-DD, UTC */
  readonly date: string
  readonly lines: readonly SettlementLine[]
  readonly payouts: readonly SettlementPayout[]
}

/**
 * What a file may get wrong, and the reconciliation reason each produces: DROP_CAPTURE
 * (MISSING_IN_SETTLEMENT), WRONG_AMOUNT (AMOUNT_MISMATCH), DUPLICATE_LINE, WRONG_CURRENCY
 * (CURRENCY_MISMATCH), UNKNOWN_LINE (MISSING_IN_LEDGER).
 */
export type InjectedError = 'DROP_CAPTURE' | 'WRONG_AMOUNT' | 'DUPLICATE_LINE' | 'WRONG_CURRENCY' | 'UNKNOWN_LINE'

export const INJECTED_ERRORS: readonly InjectedError[] = ['DROP_CAPTURE', 'WRONG_AMOUNT', 'DUPLICATE_LINE', 'WRONG_CURRENCY', 'UNKNOWN_LINE']

const hashOf = (...parts: readonly string[]) => createHash('sha256').update(parts.join('\u0000')).digest()
const pick = (length: number, ...parts: readonly string[]) => hashOf(...parts).readUInt32BE(0) % length

/** The provider's fee: 2.9% (rounded half up) plus 30 minor units on a capture; none on a refund. */
const feeOf = (record: ProviderRecord) => (record.kind === 'CAPTURE' ? pspFeeOf(record.amount) : 0n)

/**
 * About one day in four gets one error, chosen by the seed: "occasional", and the same for the
 * same seed and date.
 */
export function occasionalErrors(seed: string, date: string): InjectedError[] {
  const digest = hashOf('errors', seed, date)
  if (digest.readUInt8(0) % 4 !== 0) return []
  return [INJECTED_ERRORS[digest.readUInt8(1) % INJECTED_ERRORS.length] as InjectedError]
}

export interface SettlementFileInput {
  readonly gateway: string
  readonly date: string
  readonly seed: string
  readonly records: readonly ProviderRecord[]
  readonly errors: readonly InjectedError[]
}

/** Builds the day's file; an error that has no capture left to land on (a day with too few captures) is skipped. */
export function generateSettlementFile(input: SettlementFileInput): SettlementFile {
  const { gateway, date, seed } = input
  // the provider's report is ordered by reference: the order finance recorded them in does not matter
  let lines = [...input.records]
    .sort((a, b) => (a.pspReference < b.pspReference ? -1 : a.pspReference > b.pspReference ? 1 : 0))
    .map((record) => ({ type: record.kind, pspReference: record.pspReference, currency: record.currency, amount: record.amount, fee: feeOf(record) }))
  // each error lands on a capture no other error touched, so each produces exactly its own item
  const touched = new Set<string>()
  const captureIndex = (error: InjectedError): number | null => {
    const captures = lines.flatMap((line, i) => (line.type === 'CAPTURE' && !touched.has(line.pspReference) ? [i] : []))
    if (captures.length === 0) return null
    const at = captures[pick(captures.length, seed, date, error)] as number
    touched.add((lines[at] as (typeof lines)[number]).pspReference)
    return at
  }
  for (const error of input.errors) {
    if (error === 'UNKNOWN_LINE') {
      const amount = 1000n + BigInt(pick(9000, seed, date, 'amount'))
      const reference = `psp_capt_${hashOf('unknown', seed, date).toString('hex').slice(0, 24)}`
      lines.push({ type: 'CAPTURE', pspReference: reference, currency: lines[0]?.currency ?? 'USD', amount, fee: pspFeeOf(amount) })
      continue
    }
    const at = captureIndex(error)
    if (at === null) continue
    const line = lines[at] as (typeof lines)[number]
    switch (error) {
      case 'DROP_CAPTURE':
        lines = lines.filter((_, i) => i !== at)
        break
      case 'WRONG_AMOUNT':
        lines[at] = { ...line, amount: line.amount - 100n }
        break
      case 'DUPLICATE_LINE':
        lines.splice(at + 1, 0, { ...line })
        break
      case 'WRONG_CURRENCY':
        lines[at] = { ...line, currency: line.currency === 'USD' ? 'EUR' : 'USD' }
        break
    }
  }
  const payouts = new Map<string, { gross: bigint; fees: bigint }>()
  for (const line of lines) {
    const payout = payouts.get(line.currency) ?? { gross: 0n, fees: 0n }
    payout.gross += line.type === 'CAPTURE' ? line.amount : -line.amount
    payout.fees += line.fee
    payouts.set(line.currency, payout)
  }
  return {
    fileId: settlementFileId(gateway, date),
    gateway,
    date,
    lines: lines.map((line, i) => ({ lineNo: i + 1, ...line, amount: line.amount.toString(), fee: line.fee.toString() })),
    payouts: [...payouts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, { gross, fees }]) => ({
      currency, gross: gross.toString(), fees: fees.toString(), net: (gross - fees).toString(),
    })),
  }
}

export const settlementFileId = (gateway: string, date: string) => `sf_${gateway}_${date}`

/**
 * Where finance gets a day's settlement file. The built-in provider's records are the
 * transactions finance recorded with the references it issued (`referencePattern`, a PostgreSQL
 * regular expression); a real PSP's source would download its report instead.
 */
export interface SettlementSource {
  readonly gateway: string
  readonly referencePattern: string
  fileOf(date: string, records: readonly ProviderRecord[]): SettlementFile
}

export interface SimulatedSettlementOptions {
  readonly seed?: string
  /** Which errors the day's file carries; default: occasionalErrors(seed, date). */
  readonly errorsOf?: (date: string) => readonly InjectedError[]
}

/** The built-in provider's settlement files; its capture and refund references are psp_capt_/psp_refu_ plus 24 hex digits. */
export function simulatedSettlementSource(options: SimulatedSettlementOptions = {}): SettlementSource {
  const seed = options.seed ?? 'simulated'
  const errorsOf = options.errorsOf ?? ((date: string) => occasionalErrors(seed, date))
  return {
    gateway: 'simulated',
    referencePattern: '^psp_(capt|refu)_[0-9a-f]{24}$',
    fileOf: (date, records) => generateSettlementFile({ gateway: 'simulated', date, seed, records, errors: errorsOf(date) }),
  }
}
