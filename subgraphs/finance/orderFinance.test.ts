import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PaymentRow } from './models.ts'
import { balanceDueOf, financialStatusOf } from './orderFinance.ts'

const payment = (authorized: number, captured: number, refunded = 0, voided = false): PaymentRow => ({
  id: 'pay', orderId: 'ord', customerId: 'c', gateway: 'stripe', currency: 'USD',
  authorized: String(authorized), captured: String(captured), refunded: String(refunded), voided,
})

describe('financialStatusOf', () => {
  it('follows the payments from PENDING to REFUNDED', () => {
    const cases: [PaymentRow[], string][] = [
      [[], 'PENDING'],
      [[payment(1000, 0)], 'AUTHORIZED'],
      [[payment(1000, 0, 0, true)], 'VOIDED'],
      [[payment(1000, 400)], 'PARTIALLY_PAID'],
      [[payment(1000, 1000)], 'PAID'],
      [[payment(600, 600), payment(400, 400)], 'PAID'],
      [[payment(1000, 1000, 10)], 'PARTIALLY_REFUNDED'],
      [[payment(1000, 1000, 1000)], 'REFUNDED'],
      [[payment(1000, 0, 0, true), payment(1000, 0)], 'AUTHORIZED'],
    ]
    for (const [payments, status] of cases) assert.equal(financialStatusOf(1000n, payments), status, JSON.stringify(payments))
  })
})

describe('balanceDueOf', () => {
  it('is what remains to capture, never negative, zero when voided or cancelled, and not reopened by refunds', () => {
    assert.equal(balanceDueOf(1000n, [], false), 1000n)
    assert.equal(balanceDueOf(1000n, [payment(1000, 0)], false), 1000n)
    assert.equal(balanceDueOf(1000n, [payment(1000, 300)], false), 700n)
    assert.equal(balanceDueOf(1000n, [payment(1200, 1200)], false), 0n)
    assert.equal(balanceDueOf(1000n, [payment(1000, 1000, 400)], false), 0n)
    assert.equal(balanceDueOf(1000n, [payment(1000, 0, 0, true)], false), 0n)
    assert.equal(balanceDueOf(1000n, [], true), 0n)
  })
})
