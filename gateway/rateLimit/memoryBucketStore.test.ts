import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assertDrains, assertRefusalTakesNothing, assertStartsFull } from './bucketStoreContract.ts'
import { createMemoryBucketStore } from './memoryBucketStore.ts'

/** A clock the test moves by hand, so refill is exact. */
function fakeClock(start = 1_700_000_000_000) {
  let ms = start
  return { now: () => ms, advance: (by: number) => void (ms += by) }
}

const policy = { capacity: 10, refillPerSecond: 2 }

describe('memory bucket store', () => {
  it('starts every bucket full', async () => {
    const store = createMemoryBucketStore({ now: fakeClock().now })
    assert.equal((await assertStartsFull(store, 'alice', policy)).resetMs, 1500)
  })

  it('takes until empty, then refuses with the wait until the cost is available', async () => {
    const store = createMemoryBucketStore({ now: fakeClock().now })
    await assertDrains(store, 'alice', policy)
    assert.deepEqual(await store.take('alice', 1, policy), { allowed: false, remaining: 0, retryAfterMs: 500, resetMs: 5000 })
    assert.deepEqual(await store.take('alice', 3, policy), { allowed: false, remaining: 0, retryAfterMs: 1500, resetMs: 5000 })
  })

  it('takes nothing when it refuses', async () => {
    await assertRefusalTakesNothing(createMemoryBucketStore({ now: fakeClock().now }), 'alice', policy)
  })

  it('refills continuously, keeping fractions of a token between takes', async () => {
    const clock = fakeClock()
    const store = createMemoryBucketStore({ now: clock.now })
    await store.take('alice', 10, policy)
    clock.advance(250)
    assert.deepEqual(await store.peek('alice', policy), { tokens: 0 })
    assert.equal((await store.take('alice', 1, policy)).retryAfterMs, 250)
    clock.advance(250)
    assert.deepEqual(await store.peek('alice', policy), { tokens: 1 })
    clock.advance(60_000)
    assert.deepEqual(await store.peek('alice', policy), { tokens: 10 }, 'never above the capacity')
  })

  it('allows a client that waited exactly retryAfterMs, even when the rate does not divide a second evenly', async () => {
    const clock = fakeClock()
    const store = createMemoryBucketStore({ now: clock.now })
    const thirds = { capacity: 5, refillPerSecond: 3 }
    await store.take('alice', 5, thirds)
    for (let i = 0; i < 20; i++) {
      const refused = await store.take('alice', 1, thirds)
      assert.equal(refused.allowed, false)
      clock.advance(refused.retryAfterMs)
      assert.equal((await store.take('alice', 1, thirds)).allowed, true, `wait ${i}`)
    }
  })

  it('reports in resetMs when the bucket will be full again', async () => {
    const clock = fakeClock()
    const store = createMemoryBucketStore({ now: clock.now })
    assert.equal((await store.take('alice', 0, policy)).resetMs, 0)
    assert.equal((await store.take('alice', 4, policy)).resetMs, 2000)
    clock.advance(500)
    assert.equal((await store.take('alice', 1, policy)).resetMs, 2000)
  })

  it('refuses a cost above the capacity, with the wait until the bucket is full', async () => {
    const store = createMemoryBucketStore({ now: fakeClock().now })
    assert.deepEqual(await store.take('alice', 11, policy), { allowed: false, remaining: 10, retryAfterMs: 0, resetMs: 0 })
    await store.take('alice', 4, policy)
    assert.deepEqual(await store.take('alice', 11, policy), { allowed: false, remaining: 6, retryAfterMs: 2000, resetMs: 2000 })
    assert.deepEqual(await store.peek('alice', policy), { tokens: 6 })
  })

  it('keeps buckets apart by key', async () => {
    const store = createMemoryBucketStore({ now: fakeClock().now })
    await store.take('alice', 10, policy)
    assert.deepEqual(await store.peek('bob', policy), { tokens: 10 })
  })

  it('neither refills nor drains when the clock goes backwards', async () => {
    const clock = fakeClock()
    const store = createMemoryBucketStore({ now: clock.now })
    await store.take('alice', 6, policy)
    clock.advance(-10_000)
    assert.deepEqual(await store.peek('alice', policy), { tokens: 4 })
  })

  it('never lets many takes in one tick go below zero', async () => {
    const store = createMemoryBucketStore({ now: fakeClock().now })
    const capacity100 = { capacity: 100, refillPerSecond: 1 }
    const results = await Promise.all(Array.from({ length: 1000 }, () => store.take('alice', 1, capacity100)))
    assert.equal(results.filter((r) => r.allowed).length, 100)
    assert.ok(results.every((r) => r.remaining >= 0))
    assert.deepEqual(await store.peek('alice', capacity100), { tokens: 0 })
  })

  it('bounds the number of buckets under a flood of 200k distinct keys', async () => {
    const store = createMemoryBucketStore({ maxKeys: 1000, now: fakeClock().now })
    let most = 0
    for (let i = 0; i < 200_000; i++) {
      await store.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 1, policy)
      most = Math.max(most, store.size)
    }
    assert.ok(most <= 1000, `held ${most} buckets`)
  })

  it('keeps the bucket of a client that stays active during a flood', async () => {
    const store = createMemoryBucketStore({ maxKeys: 1000, now: fakeClock().now })
    await store.take('abuser', 10, policy)
    for (let i = 0; i < 20_000; i++) {
      await store.take(`spoofed-${i}`, 1, policy)
      // refused takes count as activity: evicting a refused client would hand it a full bucket
      if (i % 100 === 0) assert.equal((await store.take('abuser', 1, policy)).allowed, false)
    }
    assert.deepEqual(await store.peek('abuser', policy), { tokens: 0 })
  })

  it('forgets buckets that have refilled before any that still hold a debt', async () => {
    const clock = fakeClock()
    const store = createMemoryBucketStore({ maxKeys: 10, now: clock.now })
    for (let i = 0; i < 5; i++) await store.take(`light-${i}`, 1, policy)
    for (let i = 0; i < 5; i++) await store.take(`heavy-${i}`, 10, policy)
    clock.advance(1000) // the light buckets are full again; the heavy ones hold 2 tokens
    await store.take('newcomer', 1, policy)
    assert.equal(store.size, 6)
    for (let i = 0; i < 5; i++) assert.deepEqual(await store.peek(`heavy-${i}`, policy), { tokens: 2 })
  })

  it('keeps no entry for a bucket that is full', async () => {
    const store = createMemoryBucketStore({ now: fakeClock().now })
    await store.take('alice', 0, policy)
    await store.take('bob', 11, policy)
    assert.equal(store.size, 0)
  })

  it('rejects a negative, NaN or infinite cost and a policy that cannot refill', async () => {
    const store = createMemoryBucketStore({ now: fakeClock().now })
    await assert.rejects(store.take('alice', -1, policy), RangeError)
    await assert.rejects(store.take('alice', Number.NaN, policy), RangeError)
    await assert.rejects(store.take('alice', Number.POSITIVE_INFINITY, policy), RangeError)
    await assert.rejects(store.take('alice', 1, { capacity: 10, refillPerSecond: 0 }), RangeError)
    await assert.rejects(store.peek('alice', { capacity: 0, refillPerSecond: 1 }), RangeError)
  })
})
