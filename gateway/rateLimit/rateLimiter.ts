import { HeaderMap } from '@apollo/server'
import type { Config, CostRole } from '../../platform/config.ts'
import type { Viewer } from '../../platform/viewer.ts'
import type { BucketPolicy, BucketStore } from './bucketStore.ts'
import { createMemoryBucketStore } from './memoryBucketStore.ts'
import { createRedisBucketStore, type RateLimitLogger } from './redisBucketStore.ts'
import { graphqlError } from '../../platform/errors.ts'

/**
 * Rate limits in cost units: each operation (and each graphql-ws message) is charged its
 * estimated cost — at least RATE_LIMIT_MIN_COST — against a token bucket per client: its JWT
 * subject, or its IP address when anonymous. A bucket holds RATE_LIMIT_BURST_SECONDS of its
 * role's refill rate, so a quiet client may spend a burst at once and then its rate. A client the
 * anomaly detector throttles keeps only a share of both. Buckets live in Redis when REDIS_URL is
 * set (replicas share one budget per client), else in this process.
 */
export interface RateLimiter {
  /** Charges `cost`; resolves with the `RateLimit-*` headers, or throws RATE_LIMITED (429, `Retry-After`). */
  charge(clientKey: string, role: CostRole, cost: number): Promise<Record<string, string>>
  /** The bucket of a client now (staff inspection). */
  peek(clientKey: string, role: CostRole): Promise<{ readonly tokens: number; readonly capacity: number; readonly refillPerSecond: number }>
  close(): Promise<void>
}

export interface RateLimiterOptions {
  readonly config: Pick<Config, 'rateLimit' | 'redisUrl'>
  readonly logger?: RateLimitLogger
  /** The share of its budget a client keeps now (1, or less while the anomaly detector throttles it). */
  readonly factor?: (clientKey: string) => number
  /** Default: Redis at REDIS_URL, else memory. */
  readonly store?: BucketStore
  /** The memory store's clock (Redis keeps time on its server); tests drive time with it. */
  readonly now?: () => number
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { rateLimit } = options.config
  const store =
    options.store ??
    (options.config.redisUrl
      ? createRedisBucketStore({ url: options.config.redisUrl, ...(options.logger ? { logger: options.logger } : {}) })
      : createMemoryBucketStore(options.now ? { now: options.now } : {}))
  const policyOf = (clientKey: string, role: CostRole): BucketPolicy => {
    const factor = options.factor?.(clientKey) ?? 1
    const refillPerSecond = rateLimit.perSecond[role] * factor
    return { refillPerSecond, capacity: refillPerSecond * rateLimit.burstSeconds }
  }
  return {
    async charge(clientKey, role, cost) {
      const policy = policyOf(clientKey, role)
      const charged = Math.max(rateLimit.minCost, Math.ceil(Number.isFinite(cost) ? cost : policy.capacity + 1))
      const taken = await store.take(clientKey, charged, policy)
      const headers = {
        'ratelimit-limit': String(Math.floor(policy.capacity)),
        'ratelimit-remaining': String(taken.remaining),
        'ratelimit-reset': String(Math.ceil(taken.resetMs / 1000)),
      }
      if (taken.allowed) return headers
      const retryAfter = Math.max(1, Math.ceil(taken.retryAfterMs / 1000))
      throw graphqlError(
        'RATE_LIMITED',
        `Rate limit exceeded: this operation costs ${charged} and ${taken.remaining} of ${Math.floor(policy.capacity)} remain; retry after ${retryAfter} s`,
        { retryAfter, http: { status: 429, headers: new HeaderMap([...Object.entries(headers), ['retry-after', String(retryAfter)]]) } },
      )
    },
    async peek(clientKey, role) {
      const policy = policyOf(clientKey, role)
      return { tokens: (await store.peek(clientKey, policy)).tokens, ...policy }
    },
    close: () => store.close(),
  }
}

/**
 * Whose bucket a request spends: the subject when signed in, else the address. IPv6 clients are
 * grouped by /64, the block one subscriber usually holds (so rotating addresses within it does
 * not buy a fresh budget).
 */
export function clientKeyOf(viewer: Viewer, ip: string | undefined): string {
  if (viewer.sub !== null) return `sub:${viewer.sub}`
  return `ip:${ipGroup(ip ?? 'unknown')}`
}

function ipGroup(ip: string): string {
  const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip
  if (!address.includes(':')) return address
  const [head = '', tail = ''] = address.split('::')
  const groups = [...head.split(':').filter(Boolean)]
  const rest = tail.split(':').filter(Boolean)
  while (groups.length + rest.length < 8) groups.push('0')
  return `${[...groups, ...rest].slice(0, 4).join(':')}::/64`
}
