import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CircuitBreaker, type BreakerState } from './circuitBreaker.ts'
import { jitteredBackoff, RetryBudget } from './retryBudget.ts'

function clocked(options: ConstructorParameters<typeof CircuitBreaker>[0] = {}) {
  let now = 1_000_000
  const changes: BreakerState[] = []
  const breaker = new CircuitBreaker({ ...options, now: () => now, onStateChange: (state) => changes.push(state) })
  return { breaker, changes, advance: (ms: number) => void (now += ms) }
}

describe('circuit breaker', () => {
  it('opens on the failure rate over its window, once enough calls were made', () => {
    const { breaker } = clocked({ minimumCalls: 10, failureRate: 0.5, consecutiveFailures: 100 })
    for (let i = 0; i < 5; i++) {
      breaker.succeeded()
      breaker.failed()
    }
    assert.equal(breaker.state(), 'open')
    assert.equal(breaker.tryAcquire(), false)
  })

  it('stays closed below the rate, and forgets failures older than its window', () => {
    const { breaker, advance } = clocked({ minimumCalls: 10, failureRate: 0.5, consecutiveFailures: 100, windowMs: 10_000 })
    for (let i = 0; i < 4; i++) breaker.failed()
    advance(11_000)
    for (let i = 0; i < 6; i++) breaker.succeeded()
    breaker.failed()
    assert.equal(breaker.state(), 'closed', '1 failure in 7 calls of the window')
  })

  it('opens after failures in a row however few the calls', () => {
    const { breaker } = clocked({ consecutiveFailures: 3 })
    breaker.failed()
    breaker.failed()
    assert.equal(breaker.state(), 'closed')
    breaker.failed()
    assert.equal(breaker.state(), 'open')
  })

  it('lets one probe through after openMs: success closes it, failure opens it again', () => {
    const { breaker, advance, changes } = clocked({ consecutiveFailures: 1, openMs: 5000 })
    breaker.failed()
    advance(4999)
    assert.equal(breaker.tryAcquire(), false)
    assert.equal(breaker.retryAfterMs(), 1)
    advance(1)
    assert.equal(breaker.tryAcquire(), true, 'the probe')
    assert.equal(breaker.tryAcquire(), false, 'one probe at a time')
    breaker.failed()
    assert.equal(breaker.state(), 'open')
    advance(5000)
    assert.equal(breaker.tryAcquire(), true)
    breaker.released()
    assert.equal(breaker.tryAcquire(), true, 'a probe never made frees the slot')
    breaker.succeeded()
    assert.equal(breaker.state(), 'closed')
    assert.equal(breaker.tryAcquire(), true)
    assert.deepEqual(changes, ['open', 'half_open', 'open', 'half_open', 'closed'])
  })
})

describe('retry budget', () => {
  it('allows retries up to its savings, then about ratio of the first attempts', () => {
    const budget = new RetryBudget(0.2, 2)
    assert.equal(budget.withdraw(), true)
    assert.equal(budget.withdraw(), true)
    assert.equal(budget.withdraw(), false)
    for (let i = 0; i < 10; i++) budget.deposit()
    assert.equal(budget.withdraw(), true)
    assert.equal(budget.withdraw(), true)
    assert.equal(budget.withdraw(), false, 'saved at most maxTokens')
  })

  it('backs off with full jitter under a cap', () => {
    assert.equal(jitteredBackoff(1, 25, 1000, () => 1), 25)
    assert.equal(jitteredBackoff(3, 25, 1000, () => 1), 100)
    assert.equal(jitteredBackoff(10, 25, 1000, () => 1), 1000)
    assert.equal(jitteredBackoff(3, 25, 1000, () => 0), 0)
  })
})
