import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { captureLines, invoiceLines, refundLines, refundTaxShare, settlementFeeLines, type JournalLineDraft } from './ledger.ts'

const net = (lines: readonly JournalLineDraft[]) => lines.reduce((sum, l) => sum + (l.direction === 'DEBIT' ? l.amount : -l.amount), 0n)

describe('posting rules', () => {
  it('posts an invoice as receivable against revenue and tax payable', () => {
    assert.deepEqual(invoiceLines(10825n, 825n, 'USD'), [
      { accountCode: '1100', direction: 'DEBIT', amount: 10825n, currency: 'USD' },
      { accountCode: '4000', direction: 'CREDIT', amount: 10000n, currency: 'USD' },
      { accountCode: '2200', direction: 'CREDIT', amount: 825n, currency: 'USD' },
    ])
  })

  it('leaves out zero lines, so a tax-free invoice has two', () => {
    assert.deepEqual(invoiceLines(500n, 0n, 'EUR').map((l) => l.accountCode), ['1100', '4000'])
  })

  it('balances every rule', () => {
    for (const lines of [invoiceLines(10825n, 825n, 'USD'), captureLines(77n, 'EUR'), refundLines(1000n, 76n, 'USD'), settlementFeeLines(330n, 'USD')]) {
      assert.equal(net(lines), 0n)
    }
  })

  it('splits refunds so that partial refunds adding up to the total reverse exactly the tax', () => {
    const total = 10001n
    const tax = 1597n
    const parts = [3333n, 3333n, 3335n]
    let refunded = 0n
    let reversed = 0n
    for (const part of parts) {
      reversed += refundTaxShare(refunded, part, total, tax)
      refunded += part
    }
    assert.equal(reversed, tax)
    assert.equal(refundTaxShare(0n, 5000n, 10000n, 1900n), 950n)
    assert.equal(refundTaxShare(0n, 1n, 3n, 1n), 0n)
    assert.equal(refundTaxShare(0n, 100n, 0n, 0n), 0n)
  })
})
