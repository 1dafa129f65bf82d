import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateSettlementFile, INJECTED_ERRORS, occasionalErrors, type InjectedError, type ProviderRecord } from './provider/settlementFile.ts'
import { reconcile, type RecordedTransaction } from './reconcile.ts'
import { pspFeeOf } from './seedData.ts'

const DATE = '2026-11-20'
const ref = (kind: 'capt' | 'refu', n: number) => `psp_${kind}_${n.toString(16).padStart(24, '0')}`
const records: ProviderRecord[] = [
  { pspReference: ref('capt', 1), kind: 'CAPTURE', amount: 10_000n, currency: 'USD' },
  { pspReference: ref('capt', 2), kind: 'CAPTURE', amount: 2_500n, currency: 'USD' },
  { pspReference: ref('capt', 3), kind: 'CAPTURE', amount: 7_999n, currency: 'USD' },
  { pspReference: ref('capt', 4), kind: 'CAPTURE', amount: 1_250n, currency: 'USD' },
  { pspReference: ref('capt', 5), kind: 'CAPTURE', amount: 4_200n, currency: 'EUR' },
  { pspReference: ref('refu', 6), kind: 'REFUND', amount: 500n, currency: 'USD' },
]
const recorded: RecordedTransaction[] = records.map((r, i) => ({ ...r, id: `txn_${i + 1}`, onDate: true }))
const fileWith = (errors: readonly InjectedError[], seed = 'test') => generateSettlementFile({ gateway: 'simulated', date: DATE, seed, records, errors })

describe('settlement files and their reconciliation', () => {
  it('settles every capture and refund with its fee, and pays out gross - fees per currency', () => {
    const file = fileWith([])
    assert.equal(file.fileId, 'sf_simulated_2026-11-20')
    assert.equal(file.lines.length, records.length)
    const usdFees = [10_000n, 2_500n, 7_999n, 1_250n].reduce((sum, amount) => sum + pspFeeOf(amount), 0n)
    assert.deepEqual(file.payouts, [
      { currency: 'EUR', gross: '4200', fees: String(pspFeeOf(4_200n)), net: String(4_200n - pspFeeOf(4_200n)) },
      { currency: 'USD', gross: String(10_000 + 2_500 + 7_999 + 1_250 - 500), fees: String(usdFees), net: String(21_249n - usdFees) },
    ])
    assert.equal(file.lines.find((l) => l.type === 'REFUND')?.fee, '0')
  })

  it('is the same file for the same records, date and seed, whatever order the records come in', () => {
    const errors = [...INJECTED_ERRORS]
    assert.deepEqual(fileWith(errors), generateSettlementFile({ gateway: 'simulated', date: DATE, seed: 'test', records: [...records].reverse(), errors }))
  })

  it('reconciles a clean file with no item, every payout MATCHED and every transaction matched', () => {
    const result = reconcile(fileWith([]), recorded)
    assert.deepEqual(result.items, [])
    assert.deepEqual(result.payouts.map((p) => [p.id, p.status]), [['stl_simulated_2026-11-20_EUR', 'MATCHED'], ['stl_simulated_2026-11-20_USD', 'MATCHED']])
    assert.equal(result.settled.length, records.length)
    assert.ok(result.settled.every((s) => s.matched))
  })

  const expected: Record<InjectedError, string> = {
    DROP_CAPTURE: 'MISSING_IN_SETTLEMENT',
    WRONG_AMOUNT: 'AMOUNT_MISMATCH',
    DUPLICATE_LINE: 'DUPLICATE_LINE',
    WRONG_CURRENCY: 'CURRENCY_MISMATCH',
    UNKNOWN_LINE: 'MISSING_IN_LEDGER',
  }
  for (const error of INJECTED_ERRORS) {
    it(`turns an injected ${error} into exactly one ${expected[error]} item, whatever the seed`, () => {
      for (const seed of ['a', 'b', 'c', 'd', 'e', 'f']) {
        const result = reconcile(fileWith([error], seed), recorded)
        assert.deepEqual(result.items.map((i) => i.kind), [expected[error]], `seed ${seed}`)
        const [item] = result.items
        assert.ok(item?.reason.includes(item.pspReference), item?.reason)
        if (error !== 'UNKNOWN_LINE') assert.ok(records.some((r) => r.pspReference === item?.pspReference))
        // the payout the item belongs to is a DISCREPANCY; a dropped line may leave its currency with no payout at all
        if (item?.settlementId) assert.equal(result.payouts.find((p) => p.id === item.settlementId)?.status, 'DISCREPANCY')
        else assert.ok(!result.payouts.some((p) => p.currency === item?.currency))
      }
    })
  }

  it('turns all five errors in one file into one item of each reason', () => {
    const kinds = reconcile(fileWith(INJECTED_ERRORS), recorded).items.map((i) => i.kind).sort()
    assert.deepEqual(kinds, ['AMOUNT_MISMATCH', 'CURRENCY_MISMATCH', 'DUPLICATE_LINE', 'MISSING_IN_LEDGER', 'MISSING_IN_SETTLEMENT'])
  })

  it('records the settled amount of a mismatched line and keeps it unmatched', () => {
    const result = reconcile(fileWith(['WRONG_AMOUNT']), recorded)
    const [item] = result.items
    assert.equal(item?.settledAmount, (item?.recordedAmount ?? 0n) - 100n)
    assert.deepEqual(result.settled.filter((s) => !s.matched).map((s) => s.transactionId), [item?.transactionId])
  })

  it('does not count a transaction of another day as missing, and matches it when the file settles it', () => {
    const lateOnes = recorded.map((t, i) => (i === 0 ? { ...t, onDate: false } : t))
    assert.deepEqual(reconcile(fileWith([]), lateOnes).items, [])
    const others = [...recorded, { id: 'txn_other', pspReference: ref('capt', 99), kind: 'CAPTURE' as const, amount: 1n, currency: 'USD', onDate: false }]
    assert.deepEqual(reconcile(fileWith([]), others).items, [])
  })

  it('injects an error on about one day in four, the same days for the same seed', () => {
    const days = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10))
    const withErrors = days.filter((day) => occasionalErrors('simulated', day).length > 0)
    assert.ok(withErrors.length > 60 && withErrors.length < 140, `${withErrors.length} of 400`)
    assert.deepEqual(days.filter((day) => occasionalErrors('simulated', day).length > 0), withErrors)
  })
})
