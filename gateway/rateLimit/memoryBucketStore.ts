// Buckets in this process's memory: the store for a single gateway, and the fallback of the Redis
// store while Redis is unreachable. Memory is bounded because keys come from clients: a flood of
// spoofed IPs must not grow the map without end.
import type { BucketPolicy, BucketStore, TakeResult } from './bucketStore.ts'
import { assertTakeArguments, describeTake, msUntilFull, refillTokens, takeTokens, wholeTokens } from './tokenBucket.ts'

export interface MemoryBucketStoreOptions {
  /** most buckets kept; past it, full buckets go first, then the least recently used */
  readonly maxKeys?: number
  /** ms clock, injectable for tests */
  readonly now?: () => number
}

export interface MemoryBucketStore extends BucketStore {
  /** buckets held now (a full bucket needs no entry) */
  readonly size: number
}

interface Entry {
  readonly tokens: number
  readonly updatedAt: number
  /** when the bucket will be full again: from then on, forgetting it loses nothing */
  readonly fullAt: number
}

/** Evicting down to 90% makes each sweep pay for many inserts. */
const EVICT_TO = 0.9

export function createMemoryBucketStore(options: MemoryBucketStoreOptions = {}): MemoryBucketStore {
  const { maxKeys = 100_000, now = Date.now } = options
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer, got ${maxKeys}`)
  // a Map iterates in insertion order: re-inserting on every take keeps it least recently used first
  const buckets = new Map<string, Entry>()

  function evict(at: number): void {
    // A sweep rather than one eviction per insert: deleting the oldest entry one at a time leaves
    // holes at the front of V8's hash table that every later `keys().next()` walks over, which made
    // a flood quadratic (300k inserts at 100k keys: 8.5 s; swept like this: 0.3 s).
    for (const [key, entry] of buckets) if (entry.fullAt <= at) buckets.delete(key)
    const target = Math.floor(maxKeys * EVICT_TO)
    // forgetting a bucket that is not full hands its client a full one: only when memory demands it
    for (const key of buckets.keys()) {
      if (buckets.size <= target) break
      buckets.delete(key)
    }
  }

  function take(key: string, cost: number, policy: BucketPolicy): TakeResult {
    assertTakeArguments(cost, policy)
    const at = now()
    const entry = buckets.get(key)
    const result = takeTokens(refillTokens(entry, policy, at), cost, policy)
    // touched even when refused: a client being refused is active, and evicting it would refill it
    buckets.delete(key)
    const fullIn = msUntilFull(result.tokens, policy)
    if (fullIn > 0) {
      buckets.set(key, { tokens: result.tokens, updatedAt: at, fullAt: at + fullIn })
      if (buckets.size > maxKeys) evict(at)
    }
    return describeTake(result.allowed, result.tokens, cost, policy)
  }

  return {
    get size() {
      return buckets.size
    },
    // synchronous underneath, so concurrent takes cannot interleave between read and write
    take: async (key, cost, policy) => take(key, cost, policy),
    peek: async (key, policy) => {
      assertTakeArguments(0, policy)
      return { tokens: wholeTokens(refillTokens(buckets.get(key), policy, now())) }
    },
    close: async () => {
      buckets.clear()
    },
  }
}
