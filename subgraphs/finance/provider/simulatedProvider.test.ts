import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ProviderTimeoutError } from './paymentProvider.ts'
import { createSimulatedProvider, TEST_TOKENS } from './simulatedProvider.ts'

const authorize = (token: string, idempotencyKey = 'authorize:ord_x') => ({ idempotencyKey, amount: 2706n, currency: 'USD', paymentMethodToken: token })

describe('the simulated payment provider', () => {
  it('authorizes tok_ok with a reference that the same key always gets again', async () => {
    const provider = createSimulatedProvider()
    const first = await provider.authorize(authorize(TEST_TOKENS.OK))
    assert.equal(first.outcome, 'success')
    assert.match(first.outcome === 'success' ? first.pspReference : '', /^psp_auth_[0-9a-f]{24}$/)
    assert.deepEqual(await provider.authorize(authorize(TEST_TOKENS.OK)), first)
    assert.notDeepEqual(await provider.authorize(authorize(TEST_TOKENS.OK, 'authorize:ord_y')), first)
  })

  it('declines tok_declined as card_declined and any other token as unknown_token', async () => {
    const provider = createSimulatedProvider()
    const declined = await provider.authorize(authorize(TEST_TOKENS.DECLINED))
    assert.deepEqual([declined.outcome, declined.outcome === 'declined' && declined.code], ['declined', 'card_declined'])
    assert.deepEqual(await provider.authorize(authorize('tok_nope')), {
      outcome: 'declined', code: 'unknown_token', message: 'The payment method token is not known to the provider', pspReference: null,
    })
  })

  it('times out on the first attempt of a tok_timeout key and authorizes its retry', async () => {
    const provider = createSimulatedProvider()
    await assert.rejects(provider.authorize(authorize(TEST_TOKENS.TIMEOUT)), (error) => error instanceof ProviderTimeoutError && error.idempotencyKey === 'authorize:ord_x')
    assert.equal((await provider.authorize(authorize(TEST_TOKENS.TIMEOUT))).outcome, 'success')
    // another key starts over, and another provider instance keeps its own count
    await assert.rejects(provider.authorize(authorize(TEST_TOKENS.TIMEOUT, 'authorize:ord_z')), ProviderTimeoutError)
    await assert.rejects(createSimulatedProvider().authorize(authorize(TEST_TOKENS.TIMEOUT)), ProviderTimeoutError)
  })

  it('stalls calls until recovered, then answers them; a stalled call whose signal aborts gives up', async () => {
    const provider = createSimulatedProvider()
    provider.faults.stall()
    let answered = false
    const stalled = provider.authorize(authorize(TEST_TOKENS.OK)).then((result) => ((answered = true), result))
    const abandon = new AbortController()
    const abandoned = provider.capture({ idempotencyKey: 'c', amount: 1n, currency: 'USD', authorizationReference: 'psp_auth_1', signal: abandon.signal })
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(answered, false)
    abandon.abort(new Error('gave up'))
    await assert.rejects(abandoned, /gave up/)
    provider.faults.recover()
    assert.equal((await stalled).outcome, 'success')
    assert.equal(provider.faults.calls, 2)
  })

  it('fails calls with a refused connection, for a number of calls or for a while', async () => {
    const provider = createSimulatedProvider()
    provider.faults.fail({ calls: 2 })
    for (let i = 0; i < 2; i++) await assert.rejects(provider.authorize(authorize(TEST_TOKENS.OK)), (error) => (error as { code?: string }).code === 'ECONNREFUSED')
    assert.equal((await provider.authorize(authorize(TEST_TOKENS.OK))).outcome, 'success')
    provider.faults.fail({ forMs: 30 })
    await assert.rejects(provider.void({ idempotencyKey: 'v', amount: 1n, currency: 'USD', authorizationReference: 'psp_auth_1' }), /ECONNREFUSED/)
    await new Promise((resolve) => setTimeout(resolve, 40))
    assert.equal((await provider.void({ idempotencyKey: 'v', amount: 1n, currency: 'USD', authorizationReference: 'psp_auth_1' })).outcome, 'success')
    assert.equal(provider.faults.calls, 5)
  })

  it('captures, refunds and voids its own authorizations and declines anyone else\'s', async () => {
    const provider = createSimulatedProvider()
    const own = { idempotencyKey: 'k', amount: 100n, currency: 'USD', authorizationReference: 'psp_auth_0001' }
    for (const call of [provider.capture, provider.refund, provider.void]) {
      assert.equal((await call(own)).outcome, 'success')
      const foreign = await call({ ...own, authorizationReference: 'ch_3Nx' })
      assert.deepEqual([foreign.outcome, foreign.outcome === 'declined' && foreign.code], ['declined', 'unknown_payment'])
    }
  })
})
