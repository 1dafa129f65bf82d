// Buckets in Redis, so every gateway replica charges one budget per client. Redis is a dependency
// the gateway must survive without: when it is unreachable, slow or failing, take() answers from a
// memory store instead (limits then hold per replica rather than not at all) and goes back to Redis
// once it answers again.
import { Redis } from 'ioredis'
import type { BucketPolicy, BucketStore, TakeResult } from './bucketStore.ts'
import { createMemoryBucketStore } from './memoryBucketStore.ts'
import { assertTakeArguments, describeTake, wholeTokens } from './tokenBucket.ts'

/** The shape of pino's and Fastify's loggers that this store uses. */
export interface RateLimitLogger {
  warn(obj: object, msg: string): void
  info(obj: object, msg: string): void
}

export interface RedisBucketStoreOptions {
  readonly url: string
  /** every key this store writes starts with it */
  readonly prefix?: string
  readonly logger?: RateLimitLogger
  /** answers while Redis does not; one is created (and closed with this store) when not given */
  readonly fallback?: BucketStore
}

/** A reply slower than this counts as Redis being down: a rate limit must not delay every request. */
const COMMAND_TIMEOUT_MS = 200
/** After a failure, requests skip Redis this long; then a single request probes it. */
const SKIP_AFTER_FAILURE_MS = 1000
/** One warning per outage and per this long, however many requests fall back. */
const WARN_INTERVAL_MS = 30_000

// The Lua below mirrors refillTokens and takeTokens in tokenBucket.ts (same epsilon); JS then rounds
// the raw tokens with describeTake. Time is the Redis server's (`TIME`), never the caller's, so
// replicas whose clocks are skewed still refill alike. Tokens travel as '%.17g' strings because Redis
// truncates Lua numbers to integers in replies.
// ARGV: capacity, refillPerSecond[, cost]. Hash fields: t = tokens, ts = ms of the server's clock.
const REFILL_LUA = `
local capacity, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local tokens = capacity
local state = redis.call('HMGET', KEYS[1], 't', 'ts')
if state[1] and state[2] then
  tokens = math.min(capacity, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * rate / 1000)
end
`

const TAKE_LUA = `
-- Redis before 5 refuses writes after TIME unless effects are replicated; later versions always do
if redis.replicate_commands then redis.replicate_commands() end
${REFILL_LUA}
local cost, epsilon = tonumber(ARGV[3]), 1e-6
if cost > capacity or cost > tokens + epsilon then
  return {0, string.format('%.17g', tokens)}
end
tokens = math.max(0, tokens - cost)
if capacity - tokens <= epsilon then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'ts', string.format('%.17g', now))
  -- an idle bucket vanishes when it would be full again, which is exactly how a missing one reads;
  -- capped so an absurdly slow policy cannot format the ttl as '1e+18', which PEXPIRE rejects
  -- after the HSET has already been applied
  redis.call('PEXPIRE', KEYS[1], math.min(math.ceil((capacity - tokens) * 1000 / rate), 1e15))
end
return {1, string.format('%.17g', tokens)}
`

const PEEK_LUA = `${REFILL_LUA}
return string.format('%.17g', tokens)
`

type ScriptedRedis = Redis & {
  rateLimitTake(key: string, capacity: number, refillPerSecond: number, cost: number): Promise<[number, string]>
  rateLimitPeek(key: string, capacity: number, refillPerSecond: number): Promise<string>
}

const consoleLogger: RateLimitLogger = {
  warn: (obj, msg) => console.warn(msg, obj),
  info: () => {},
}

export function createRedisBucketStore(options: RedisBucketStoreOptions): BucketStore {
  const { url, prefix = 'commerce:ratelimit:', logger = consoleLogger } = options
  const fallback = options.fallback ?? createMemoryBucketStore()
  const client = new Redis(url, {
    // constructing the store must not open sockets or emit errors: the first take connects
    lazyConnect: true,
    // fail fast instead of queueing while disconnected: the fallback answers meanwhile
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    // a connection that stops answering is dropped and redialled, instead of timing out forever
    socketTimeout: 1000,
    // close() waits this long for a socket Redis no longer answers on (ioredis waits 2 s)
    disconnectTimeout: COMMAND_TIMEOUT_MS,
    // keep redialling a down Redis, at most a second apart, so it is used again soon after it returns
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  }) as ScriptedRedis
  // ioredis sends EVALSHA and falls back to EVAL when the server answers NOSCRIPT
  client.defineCommand('rateLimitTake', { lua: TAKE_LUA, numberOfKeys: 1 })
  client.defineCommand('rateLimitPeek', { lua: PEEK_LUA, numberOfKeys: 1 })

  let closed = false
  let firstConnect: Promise<unknown> | undefined
  let firstConnectDeadline = 0
  let skipUntil = 0
  let redialAt = 0
  let probing = false
  let lastWarnAt = Number.NEGATIVE_INFINITY
  let outageReported = false

  function noteFailure(error: unknown): void {
    skipUntil = Date.now() + SKIP_AFTER_FAILURE_MS
    if (closed || Date.now() - lastWarnAt < WARN_INTERVAL_MS) return
    lastWarnAt = Date.now()
    outageReported = true
    logger.warn({ err: error, prefix }, 'Redis rate limit store unavailable; limiting per gateway replica from memory')
  }

  function noteSuccess(): void {
    skipUntil = 0
    if (!outageReported) return
    outageReported = false
    logger.info({ prefix }, 'Redis rate limit store reachable again')
  }

  // without a listener ioredis prints every failed reconnect to the console
  client.on('error', noteFailure)

  /**
   * Whether this request goes to Redis: 'probe' when it is the one request trying Redis after a
   * failure. Connects on first use, waiting no longer than a command may take.
   */
  async function route(): Promise<'redis' | 'probe' | 'memory'> {
    if (closed) return 'memory'
    if (client.status === 'wait') {
      firstConnectDeadline = Date.now() + COMMAND_TIMEOUT_MS
      firstConnect = client.connect().catch(noteFailure)
    } else if (client.status === 'end' && Date.now() >= redialAt) {
      // ioredis gives up only when the connector itself fails (not on refused or dropped sockets)
      redialAt = Date.now() + SKIP_AFTER_FAILURE_MS
      client.connect().catch(noteFailure)
    }
    if (client.status !== 'ready' && firstConnect && Date.now() < firstConnectDeadline) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([firstConnect, new Promise((resolve) => (timer = setTimeout(resolve, firstConnectDeadline - Date.now())))])
      clearTimeout(timer)
    }
    if (client.status !== 'ready') {
      noteFailure(new Error(`Redis connection is ${client.status}`))
      return 'memory'
    }
    if (skipUntil === 0) return 'redis'
    // half-open: after the pause one request tries Redis while the others keep using memory
    if (probing || Date.now() < skipUntil) return 'memory'
    probing = true
    return 'probe'
  }

  async function throughRedis<T>(call: () => Promise<T>, inMemory: () => Promise<T>): Promise<T> {
    const via = await route()
    if (via === 'memory') return inMemory()
    try {
      const answer = await call()
      noteSuccess()
      return answer
    } catch (error) {
      noteFailure(error)
      return inMemory()
    } finally {
      if (via === 'probe') probing = false
    }
  }

  return {
    take: async (key, cost, policy: BucketPolicy): Promise<TakeResult> => {
      // a bad policy or cost is the caller's bug, whichever store would answer: it throws
      assertTakeArguments(cost, policy)
      return throughRedis(
        async () => {
          const [allowed, tokens] = await client.rateLimitTake(prefix + key, policy.capacity, policy.refillPerSecond, cost)
          return describeTake(allowed === 1, Number(tokens), cost, policy)
        },
        () => fallback.take(key, cost, policy),
      )
    },
    peek: async (key, policy) => {
      assertTakeArguments(0, policy)
      return throughRedis(
        async () => ({ tokens: wholeTokens(Number(await client.rateLimitPeek(prefix + key, policy.capacity, policy.refillPerSecond))) }),
        () => fallback.peek(key, policy),
      )
    },
    close: async () => {
      closed = true
      if (client.status === 'ready') await client.quit().catch(() => {})
      if (client.status !== 'end') client.disconnect()
      if (!options.fallback) await fallback.close()
    },
  }
}
