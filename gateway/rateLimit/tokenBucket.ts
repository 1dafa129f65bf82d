// The token bucket arithmetic, kept pure so both stores agree: memoryBucketStore.ts calls it, and
// the Lua script in redisBucketStore.ts mirrors refillTokens/takeTokens line for line (Redis cannot
// run JS), then hands its raw result to describeTake so the rounding lives in one place.
import type { BucketPolicy, TakeResult } from './bucketStore.ts'

/**
 * Float slack, in tokens. Continuous refill computes fractions (a refill of 3/s gives 0.999… after
 * 333.33 ms), so a client that waited exactly retryAfterMs must not be refused for a rounding error.
 * A millionth of a cost unit is far below anything an operation costs. The Lua script uses the same value.
 */
export const TOKEN_EPSILON = 1e-6

/** A stored bucket: fractional tokens as of `updatedAt` (ms). */
export interface BucketState {
  readonly tokens: number
  readonly updatedAt: number
}

/** Policies and costs come from the integrator's code, not from clients: a bad one is a bug, so it throws. */
export function assertTakeArguments(cost: number, policy: BucketPolicy): void {
  if (!(policy.capacity > 0) || !Number.isFinite(policy.capacity)) throw new RangeError(`bucket capacity must be a positive finite number, got ${policy.capacity}`)
  if (!(policy.refillPerSecond > 0) || !Number.isFinite(policy.refillPerSecond)) throw new RangeError(`bucket refillPerSecond must be a positive finite number, got ${policy.refillPerSecond}`)
  // a negative cost would add tokens, NaN would compare false everywhere and slip through, and
  // Infinity does not survive the trip to Redis's Lua as a number
  if (!(cost >= 0) || !Number.isFinite(cost)) throw new RangeError(`cost must be a non-negative finite number, got ${cost}`)
}

/** Tokens at `now`: a missing bucket is full; a clock that went backwards refills nothing (and drains nothing). */
export function refillTokens(state: BucketState | undefined, policy: BucketPolicy, now: number): number {
  if (!state) return policy.capacity
  const elapsedMs = Math.max(0, now - state.updatedAt)
  return Math.min(policy.capacity, state.tokens + (elapsedMs * policy.refillPerSecond) / 1000)
}

/** All or nothing: a refused take leaves the tokens as they were. */
export function takeTokens(tokens: number, cost: number, policy: BucketPolicy): { allowed: boolean; tokens: number } {
  if (cost > policy.capacity || cost > tokens + TOKEN_EPSILON) return { allowed: false, tokens }
  return { allowed: true, tokens: Math.max(0, tokens - cost) }
}

/** Ms until the bucket holds `target` tokens, rounded up so waiting that long is always enough. */
export function msUntil(tokens: number, target: number, policy: BucketPolicy): number {
  const missing = target - tokens
  if (missing <= TOKEN_EPSILON) return 0
  return Math.ceil((missing * 1000) / policy.refillPerSecond)
}

/** Ms until a bucket holding `tokens` is full: how long its state is worth keeping. */
export function msUntilFull(tokens: number, policy: BucketPolicy): number {
  return msUntil(tokens, policy.capacity, policy)
}

/** Whole tokens, as clients and staff see them: floored, never negative. */
export function wholeTokens(tokens: number): number {
  return Math.max(0, Math.floor(tokens + TOKEN_EPSILON))
}

export function describeTake(allowed: boolean, tokensAfter: number, cost: number, policy: BucketPolicy): TakeResult {
  const resetMs = msUntilFull(tokensAfter, policy)
  return {
    allowed,
    remaining: wholeTokens(tokensAfter),
    // a cost above the capacity never fits: the most useful wait to report is until the bucket is full
    retryAfterMs: allowed ? 0 : cost > policy.capacity ? resetMs : msUntil(tokensAfter, cost, policy),
    resetMs,
  }
}
