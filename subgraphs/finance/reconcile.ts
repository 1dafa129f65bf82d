/**
 * Matching a settlement file against finance's transactions: a pure function, so every reason
 * can be tested line by line. A line matches the transaction with its pspReference when currency
 * and amount agree; anything else, and any transaction of the day the file does not report,
 * becomes an item with its reason.
 */
import type { ReconciliationItemKind } from './models.ts'
import type { SettlementFile } from './provider/settlementFile.ts'

/** A successful CAPTURE or REFUND finance recorded with the provider. */
export interface RecordedTransaction {
  readonly id: string
  readonly pspReference: string
  readonly kind: 'CAPTURE' | 'REFUND'
  readonly amount: bigint
  readonly currency: string
  /** recorded on the file's date: the file must report it */
  readonly onDate: boolean
}

export interface ItemDraft {
  readonly kind: ReconciliationItemKind
  readonly pspReference: string
  readonly transactionId: string | null
  readonly currency: string
  readonly recordedAmount: bigint | null
  readonly settledAmount: bigint | null
  readonly settledCurrency: string | null
  readonly settlementId: string | null
  readonly reason: string
}

export interface PayoutDraft {
  readonly id: string
  readonly currency: string
  readonly gross: bigint
  readonly fees: bigint
  readonly net: bigint
  /** MATCHED when every line of the payout agrees and no item concerns it, else DISCREPANCY */
  readonly status: 'MATCHED' | 'DISCREPANCY'
}

export interface Reconciliation {
  readonly payouts: readonly PayoutDraft[]
  /** what each payout reported per transaction, and whether it agrees (one row per transaction) */
  readonly settled: readonly { readonly settlementId: string; readonly transactionId: string; readonly settledAmount: bigint; readonly matched: boolean }[]
  readonly items: readonly ItemDraft[]
}

export const settlementIdOf = (fileId: string, currency: string) => `stl_${fileId.replace(/^sf_/, '')}_${currency}`

export function reconcile(file: SettlementFile, recorded: readonly RecordedTransaction[]): Reconciliation {
  const byReference = new Map(recorded.map((t) => [t.pspReference, t]))
  const seen = new Set<string>()
  const items: ItemDraft[] = []
  const settled = new Map<string, { settlementId: string; transactionId: string; settledAmount: bigint; matched: boolean }>()
  const payoutOf = (currency: string) => settlementIdOf(file.fileId, currency)
  const item = (draft: ItemDraft) => items.push(draft)

  for (const line of file.lines) {
    const amount = BigInt(line.amount)
    const settlementId = payoutOf(line.currency)
    const transaction = byReference.get(line.pspReference)
    const base = { pspReference: line.pspReference, settledAmount: amount, settledCurrency: line.currency, settlementId }
    if (seen.has(line.pspReference)) {
      item({
        ...base, kind: 'DUPLICATE_LINE', transactionId: transaction?.id ?? null, currency: transaction?.currency ?? line.currency,
        recordedAmount: transaction?.amount ?? null, reason: `Line ${line.lineNo} repeats ${line.pspReference}, already settled by an earlier line`,
      })
      continue
    }
    seen.add(line.pspReference)
    if (!transaction || transaction.kind !== line.type) {
      item({
        ...base, kind: 'MISSING_IN_LEDGER', transactionId: null, currency: line.currency, recordedAmount: null,
        reason: `Line ${line.lineNo} settles a ${line.type.toLowerCase()} ${line.pspReference} that finance has no record of`,
      })
      continue
    }
    const recordedBase = { ...base, transactionId: transaction.id, currency: transaction.currency, recordedAmount: transaction.amount }
    if (transaction.currency !== line.currency) {
      item({ ...recordedBase, kind: 'CURRENCY_MISMATCH', reason: `Line ${line.lineNo} settles ${line.pspReference} in ${line.currency}; finance recorded it in ${transaction.currency}` })
      settled.set(transaction.id, { settlementId, transactionId: transaction.id, settledAmount: amount, matched: false })
      continue
    }
    if (transaction.amount !== amount) {
      item({ ...recordedBase, kind: 'AMOUNT_MISMATCH', reason: `Line ${line.lineNo} settles ${line.pspReference} for ${amount}; finance recorded ${transaction.amount}` })
      settled.set(transaction.id, { settlementId, transactionId: transaction.id, settledAmount: amount, matched: false })
      continue
    }
    settled.set(transaction.id, { settlementId, transactionId: transaction.id, settledAmount: amount, matched: true })
  }

  for (const transaction of recorded) {
    if (!transaction.onDate || seen.has(transaction.pspReference)) continue
    const settlementId = file.payouts.some((p) => p.currency === transaction.currency) ? payoutOf(transaction.currency) : null
    item({
      kind: 'MISSING_IN_SETTLEMENT', pspReference: transaction.pspReference, transactionId: transaction.id, currency: transaction.currency,
      recordedAmount: transaction.amount, settledAmount: null, settledCurrency: null, settlementId,
      reason: `The ${transaction.kind.toLowerCase()} ${transaction.pspReference} finance recorded on ${file.date} is not in the settlement file`,
    })
  }

  const troubled = new Set(items.flatMap((i) => (i.settlementId ? [i.settlementId] : [])))
  const payouts = file.payouts.map((p): PayoutDraft => {
    const id = payoutOf(p.currency)
    return { id, currency: p.currency, gross: BigInt(p.gross), fees: BigInt(p.fees), net: BigInt(p.net), status: troubled.has(id) ? 'DISCREPANCY' : 'MATCHED' }
  })
  return { payouts, settled: [...settled.values()], items }
}
