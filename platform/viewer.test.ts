import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { canReadCustomerData, signViewer, verifyViewer, VIEWER_HEADER_MAX_AGE_MS, type Viewer } from './viewer.ts'

const secret = 's'.repeat(32)
const customer: Viewer = { sub: 'c_1', roles: ['customer'], scopes: [], locationIds: null }

describe('the signed viewer header', () => {
  it('round-trips a viewer', () => {
    assert.deepEqual(verifyViewer(signViewer(customer, secret), secret), customer)
  })

  it('rejects a header signed with another secret', () => {
    assert.equal(verifyViewer(signViewer(customer, secret), 't'.repeat(32)), null)
  })

  it('rejects a tampered payload', () => {
    const [, signature] = signViewer(customer, secret).split('.')
    const forged = Buffer.from(JSON.stringify({ v: { ...customer, roles: ['staff'] }, iat: Date.now() })).toString('base64url')
    assert.equal(verifyViewer(`${forged}.${signature}`, secret), null)
  })

  it('rejects a stale header', () => {
    const old = signViewer(customer, secret, Date.now() - VIEWER_HEADER_MAX_AGE_MS - 1000)
    assert.equal(verifyViewer(old, secret), null)
  })

  it('rejects missing and malformed headers', () => {
    for (const header of [undefined, '', 'abc', '.sig', 'a.b.c']) assert.equal(verifyViewer(header, secret), null)
  })

  it('drops roles of a viewer without a subject', () => {
    const header = signViewer({ sub: null, roles: ['staff'], scopes: [], locationIds: null }, secret)
    assert.deepEqual(verifyViewer(header, secret)?.roles, [])
  })
})

describe('canReadCustomerData', () => {
  it('lets the owner and staff read, nobody else', () => {
    assert.equal(canReadCustomerData(customer, 'c_1'), true)
    assert.equal(canReadCustomerData(customer, 'c_2'), false)
    assert.equal(canReadCustomerData({ ...customer, sub: 's', roles: ['staff'] }, 'c_2'), true)
    assert.equal(canReadCustomerData({ sub: null, roles: [], scopes: [], locationIds: null }, 'c_1'), false)
  })
})
