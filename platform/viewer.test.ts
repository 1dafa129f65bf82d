import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  bodyDigest,
  canReadCustomerData,
  CONNECTION_INIT_BODY,
  signViewer,
  verifyViewer,
  VIEWER_HEADER_CLOCK_SKEW_MS,
  VIEWER_HEADER_MAX_AGE_MS,
  type Viewer,
} from './viewer.ts'

const secret = 's'.repeat(32)
const previous = 'p'.repeat(32)
const body = JSON.stringify({ query: '{ me { id } }', variables: {} })
const customer: Viewer = { sub: 'c_1', roles: ['customer'], scopes: [], locationIds: null }
const verify = (header: string | undefined, options: { secrets?: readonly (string | null)[]; body?: string | Uint8Array; now?: number } = {}) =>
  verifyViewer(header, { secrets: options.secrets ?? [secret], body: options.body ?? body, ...(options.now !== undefined ? { now: options.now } : {}) })

/** A header signed correctly over any payload: what a holder of the secret could make. */
const signRaw = (claims: unknown, key = secret): string => {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`
}

describe('the signed viewer header', () => {
  it('round-trips a viewer with the body it was signed for', () => {
    assert.deepEqual(verify(signViewer(customer, secret, body)), customer)
  })

  it('verifies a body given as the bytes received', () => {
    assert.deepEqual(verify(signViewer(customer, secret, body), { body: Buffer.from(body) }), customer)
  })

  it('refuses the header replayed with another body', () => {
    const header = signViewer(customer, secret, body)
    assert.equal(verify(header, { body: body.replace('me', 'orders') }), null)
    assert.equal(verify(header, { body: '' }), null)
    assert.equal(verify(header, { body: CONNECTION_INIT_BODY }), null)
  })

  it('verifies a graphql-ws connection against the connection_init marker only', () => {
    const header = signViewer(customer, secret, CONNECTION_INIT_BODY)
    assert.deepEqual(verify(header, { body: CONNECTION_INIT_BODY }), customer)
    assert.equal(verify(header, { body }), null)
  })

  it('accepts a header up to its expiry and refuses it after', () => {
    const signedAt = Date.now()
    const header = signViewer(customer, secret, body, signedAt)
    assert.deepEqual(verify(header, { now: signedAt + VIEWER_HEADER_MAX_AGE_MS }), customer)
    assert.equal(verify(header, { now: signedAt + VIEWER_HEADER_MAX_AGE_MS + 1 }), null)
  })

  it('refuses a stale header', () => {
    assert.equal(verify(signViewer(customer, secret, body, Date.now() - VIEWER_HEADER_MAX_AGE_MS - 1000)), null)
  })

  it('accepts an iat slightly in the future and refuses one beyond the clock skew allowance', () => {
    const now = Date.now()
    assert.deepEqual(verify(signViewer(customer, secret, body, now + VIEWER_HEADER_CLOCK_SKEW_MS), { now }), customer)
    assert.equal(verify(signViewer(customer, secret, body, now + VIEWER_HEADER_CLOCK_SKEW_MS + 1), { now }), null)
  })

  it('refuses a validity longer than the maximum age, even when signed', () => {
    const now = Date.now()
    const header = signRaw({ v: customer, iat: now, exp: now + 10 * VIEWER_HEADER_MAX_AGE_MS, bd: bodyDigest(body) })
    assert.equal(verify(header, { now }), null)
  })

  it('accepts a header signed with the previous secret during a rotation', () => {
    assert.deepEqual(verify(signViewer(customer, previous, body), { secrets: [secret, previous] }), customer)
    assert.deepEqual(verify(signViewer(customer, secret, body), { secrets: [secret, previous] }), customer)
  })

  it('refuses a header signed with a secret it does not know', () => {
    assert.equal(verify(signViewer(customer, 't'.repeat(32), body), { secrets: [secret, previous] }), null)
    assert.equal(verify(signViewer(customer, previous, body), { secrets: [secret, null] }), null)
    assert.equal(verify(signViewer(customer, secret, body), { secrets: [] }), null)
  })

  it('refuses a tampered payload', () => {
    const [, signature] = signViewer(customer, secret, body).split('.')
    const now = Date.now()
    const forged = Buffer.from(JSON.stringify({ v: { ...customer, roles: ['staff'] }, iat: now, exp: now + 1000, bd: bodyDigest(body) })).toString('base64url')
    assert.equal(verify(`${forged}.${signature}`), null)
  })

  it('refuses missing and malformed headers of every shape without throwing', () => {
    const now = Date.now()
    const valid = signViewer(customer, secret, body, now)
    const [payload, signature] = valid.split('.') as [string, string]
    const headers = [
      undefined,
      '',
      '.',
      'abc',
      '.sig',
      'payload.',
      'a.b.c',
      `${valid}.`,
      `${payload}.${signature}.${signature}`,
      `${payload}.${signature.slice(1)}`,
      `${payload}.${signature}AA`,
      `${payload}.!!!`,
      `${payload.slice(1)}.${signature}`,
      '\u0000.\u0000',
      'é.ü',
      'x'.repeat(100_000),
      // correctly signed, wrong insides
      signRaw('not an object'),
      signRaw(null),
      signRaw([1, 2]),
      signRaw({ v: customer }),
      signRaw({ v: customer, iat: now, exp: now + 1000 }),
      signRaw({ v: customer, iat: String(now), exp: now + 1000, bd: bodyDigest(body) }),
      signRaw({ v: customer, iat: now, exp: now + 1000, bd: 42 }),
      signRaw({ v: customer, iat: now, exp: now + 1000, bd: 'short' }),
      signRaw({ v: null, iat: now, exp: now + 1000, bd: bodyDigest(body) }),
      signRaw({ v: 'staff', iat: now, exp: now + 1000, bd: bodyDigest(body) }),
    ]
    const notJson = Buffer.from('{not json').toString('base64url')
    headers.push(`${notJson}.${createHmac('sha256', secret).update(notJson).digest('base64url')}`)
    for (const header of headers) assert.equal(verify(header, { now }), null, JSON.stringify(header?.slice(0, 60)))
  })

  it('drops roles of a viewer without a subject', () => {
    const header = signViewer({ sub: null, roles: ['staff'], scopes: [], locationIds: null }, secret, body)
    assert.deepEqual(verify(header)?.roles, [])
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
