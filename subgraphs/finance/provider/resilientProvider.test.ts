import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BreakerState } from '../../../platform/circuitBreaker.ts'
import { ProviderTimeoutError, ProviderUnavailableError, type AuthorizeRequest, type PaymentProvider } from './paymentProvider.ts'
import { resilientProvider, type ResilienceOptions } from './resilientProvider.ts'
import { createSimulatedProvider, TEST_TOKENS, type SimulatedProvider } from './simulatedProvider.ts'

const authorize = (token: string = TEST_TOKENS.OK, idempotencyKey = 'authorize:ord_r'): AuthorizeRequest =>
  ({ idempotencyKey, amount: 2706n, currency: 'USD', paymentMethodToken: token })

/** The simulated provider, recording the key and the signal of every call that reaches it. */
function recorded(): { sim: SimulatedProvider; keys: string[]; signals: AbortSignal[] } {
  const sim = createSimulatedProvider()
  const keys: string[] = []
  const signals: AbortSignal[] = []
  const authorizeRecorded: PaymentProvider['authorize'] = (request) => {
    keys.push(request.idempotencyKey)
    if (request.signal) signals.push(request.signal)
    return sim.authorize(request)
  }
  return { sim: { ...sim, authorize: authorizeRecorded }, keys, signals }
}

/** A clock the breaker reads, moved by hand. */
function manualClock() {
  let now = 1_000_000
  return { now: () => now, advance: (ms: number) => void (now += ms) }
}

const FAST: Pick<ResilienceOptions, 'timeoutMs' | 'backoffMs'> = { timeoutMs: 25, backoffMs: () => 0 }

describe('the resilient payment provider', () => {
  it('abandons an attempt that does not answer in time and retries it with the same key, which succeeds', async () => {
    const { sim, keys, signals } = recorded()
    const provider = resilientProvider(sim, { ...FAST, retries: 2 })
    sim.faults.stall({ calls: 1 })
    const result = await provider.authorize(authorize())
    assert.equal(result.outcome, 'success')
    assert.deepEqual(keys, ['authorize:ord_r', 'authorize:ord_r'])
    // the abandoned attempt was told so; the one that answered was not
    assert.deepEqual(signals.map((s) => s.aborted), [true, false])
    assert.deepEqual(provider.attempts().get('authorize:timeout'), 1)
    assert.deepEqual(provider.attempts().get('authorize:success'), 1)
    assert.equal(provider.state(), 'closed')
  })

  it('retries a timeout the provider reports itself (tok_timeout) within the same call', async () => {
    const { sim, keys } = recorded()
    const provider = resilientProvider(sim, { ...FAST, retries: 1 })
    assert.equal((await provider.authorize(authorize(TEST_TOKENS.TIMEOUT))).outcome, 'success')
    assert.equal(keys.length, 2)
  })

  it('never retries a decline, and declines do not open the breaker', async () => {
    const { sim, keys } = recorded()
    const provider = resilientProvider(sim, { ...FAST, retries: 2, breaker: { consecutiveFailures: 2, minimumCalls: 2 } })
    for (let i = 0; i < 10; i++) assert.equal((await provider.authorize(authorize(TEST_TOKENS.DECLINED, `k${i}`))).outcome, 'declined')
    assert.equal(keys.length, 10)
    assert.equal(provider.state(), 'closed')
    assert.equal(provider.attempts().get('authorize:declined'), 10)
  })

  it('gives up after its retries with a ProviderTimeoutError carrying the connection error', async () => {
    const { sim } = recorded()
    const provider = resilientProvider(sim, { ...FAST, retries: 2, breaker: { consecutiveFailures: 10 } })
    sim.faults.fail()
    await assert.rejects(provider.authorize(authorize()), (error) =>
      error instanceof ProviderTimeoutError && error.idempotencyKey === 'authorize:ord_r' && /ECONNREFUSED/.test(error.message) &&
      (error.cause as { code?: string }).code === 'ECONNREFUSED')
    assert.equal(sim.faults.calls, 3)
    assert.equal(provider.attempts().get('authorize:error'), 3)
  })

  it('opens the breaker after failures in a row, then fails at once with ProviderUnavailableError without calling', async () => {
    const clock = manualClock()
    const { sim } = recorded()
    const provider = resilientProvider(sim, { ...FAST, retries: 2, breaker: { consecutiveFailures: 3, openMs: 5000, now: clock.now } })
    sim.faults.fail()
    // the third failed attempt opens it: the call ends as unavailable, not as a timeout to retry now
    await assert.rejects(provider.authorize(authorize()), (error) => error instanceof ProviderUnavailableError && error.retryAfterMs === 5000)
    assert.equal(provider.state(), 'open')
    const calls = sim.faults.calls
    clock.advance(2000)
    await assert.rejects(provider.capture({ idempotencyKey: 'c', amount: 1n, currency: 'USD', authorizationReference: 'psp_auth_1' }),
      (error) => error instanceof ProviderUnavailableError && error.operation === 'capture' && error.retryAfterMs === 3000)
    assert.equal(sim.faults.calls, calls)
    assert.equal(provider.attempts().get('capture:short_circuited'), 1)
  })

  it('lets one probe through when half-open: a failure opens it again, a success closes it', async () => {
    const clock = manualClock()
    const changes: [BreakerState, BreakerState, string | null][] = []
    const { sim } = recorded()
    const provider = resilientProvider(sim, {
      ...FAST, retries: 0, breaker: { consecutiveFailures: 2, openMs: 1000, now: clock.now },
      onBreakerChange: (state, previous, lastError) => changes.push([state, previous, lastError]),
    })
    sim.faults.stall()
    await assert.rejects(provider.authorize(authorize()), ProviderTimeoutError)
    await assert.rejects(provider.authorize(authorize()), ProviderUnavailableError)
    clock.advance(1000)
    assert.equal(provider.state(), 'half_open')
    // the probe fails: open again, and no second caller got through while it was out
    const probe = provider.authorize(authorize())
    await assert.rejects(provider.authorize(authorize()), (error) => error instanceof ProviderUnavailableError && error.retryAfterMs === 1000)
    await assert.rejects(probe, ProviderUnavailableError)
    assert.equal(provider.state(), 'open')
    sim.faults.recover()
    clock.advance(1000)
    assert.equal((await provider.authorize(authorize())).outcome, 'success')
    assert.equal(provider.state(), 'closed')
    const timedOut = 'The payment provider did not answer authorize (authorize:ord_r) in time'
    assert.deepEqual(changes, [
      ['open', 'closed', timedOut], ['half_open', 'open', timedOut], ['open', 'half_open', timedOut], ['half_open', 'open', timedOut], ['closed', 'half_open', timedOut],
    ])
  })
})
