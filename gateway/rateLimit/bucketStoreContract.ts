/**
 * Test support: what every BucketStore must do, as assertions both stores' tests run on a bucket
 * of capacity 10 that refills nothing noticeable while they run. Each store's own file adds what
 * depends on its clock (exact waits in memory, the server's clock in Redis).
 */
import assert from 'node:assert/strict'
import type { BucketPolicy, BucketStore, TakeResult } from './bucketStore.ts'

/** A new bucket is full: it holds 10, and a take of 3 leaves 7. The take's result, for its resetMs. */
export async function assertStartsFull(store: BucketStore, key: string, policy: BucketPolicy): Promise<TakeResult> {
  assert.deepEqual(await store.peek(key, policy), { tokens: 10 })
  const result = await store.take(key, 3, policy)
  assert.deepEqual({ ...result, resetMs: undefined }, { allowed: true, remaining: 7, retryAfterMs: 0, resetMs: undefined })
  return result
}

/** Ten takes of 1 are allowed, each leaving one fewer, down to 0. */
export async function assertDrains(store: BucketStore, key: string, policy: BucketPolicy): Promise<void> {
  for (let left = 9; left >= 0; left--) {
    const { allowed, remaining, retryAfterMs } = await store.take(key, 1, policy)
    assert.deepEqual({ allowed, remaining, retryAfterMs }, { allowed: true, remaining: left, retryAfterMs: 0 })
  }
}

/** A refused take takes nothing: after 8 of 10, 5 is refused, 2 remain and can be taken. */
export async function assertRefusalTakesNothing(store: BucketStore, key: string, policy: BucketPolicy): Promise<void> {
  await store.take(key, 8, policy)
  assert.equal((await store.take(key, 5, policy)).allowed, false)
  assert.deepEqual(await store.peek(key, policy), { tokens: 2 })
  assert.equal((await store.take(key, 2, policy)).allowed, true)
}
