// The contract between the gateway's rate limiter and where buckets live. An operation is charged
// its estimated cost (integer "cost units") against the bucket of its client (JWT subject, or IP
// when anonymous). Two stores implement it: memoryBucketStore.ts (one process) and
// redisBucketStore.ts (shared by every gateway replica, falling back to memory when Redis is down).

export interface BucketPolicy {
  /** the most tokens a bucket holds; a new or long-idle bucket is full */
  readonly capacity: number
  /** continuous refill rate; fractions of a token are kept between takes */
  readonly refillPerSecond: number
}

export interface TakeResult {
  readonly allowed: boolean
  /** tokens left after this take (floor), never negative */
  readonly remaining: number
  /** when allowed is false: ms until `cost` tokens will be available (ceil); 0 when allowed */
  readonly retryAfterMs: number
  /** ms until the bucket is full again */
  readonly resetMs: number
}

export interface BucketStore {
  /**
   * Atomically takes `cost` tokens from `key`'s bucket if it holds that many; otherwise takes nothing.
   * A cost above the capacity is never allowed; its retryAfterMs is the time to fill the bucket.
   */
  take(key: string, cost: number, policy: BucketPolicy): Promise<TakeResult>
  /** Current state without taking (for staff inspection); tokens are floored like `remaining`. */
  peek(key: string, policy: BucketPolicy): Promise<{ tokens: number }>
  close(): Promise<void>
}
