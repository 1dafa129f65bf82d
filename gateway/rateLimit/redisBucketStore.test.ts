// Against a real Redis: REDIS_URL, or the local default. Without REDIS_URL and with no Redis
// answering locally the suite is skipped, so `npm test` passes on a machine without Redis; CI sets
// REDIS_URL, and there it runs.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createServer, Socket, type Server } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import type { BucketStore } from './bucketStore.ts'
import { assertDrains, assertRefusalTakesNothing, assertStartsFull } from './bucketStoreContract.ts'
import { createMemoryBucketStore } from './memoryBucketStore.ts'
import { createRedisBucketStore, type RateLimitLogger } from './redisBucketStore.ts'
import { redisSkip, testRedisUrl } from './redisTesting.ts'

const redisUrl = testRedisUrl
const skip = await redisSkip()

/** Warnings and notices kept for assertions. */
function recordingLogger() {
  const lines: { level: 'warn' | 'info'; msg: string }[] = []
  const logger: RateLimitLogger = {
    warn: (_obj, msg) => void lines.push({ level: 'warn', msg }),
    info: (_obj, msg) => void lines.push({ level: 'info', msg }),
  }
  return { logger, lines }
}

/**
 * A TCP relay in front of the real Redis, to cut it off (refused connections) or stall it (bytes
 * held, as on a congested network) without touching the server other suites use.
 */
async function startRelay(target: URL) {
  const sockets = new Set<Socket>()
  let stalled = false
  let server: Server
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket()
        upstream.connect(Number(target.port || 6379), target.hostname)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on('error', () => {})
          socket.on('close', () => sockets.delete(socket))
          if (stalled) socket.pause()
        }
        client.pipe(upstream).on('close', () => client.destroy())
        upstream.pipe(client).on('close', () => upstream.destroy())
      })
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port))
    })
  const port = await listen(0)
  return {
    url: `redis://127.0.0.1:${port}`,
    stall: () => {
      stalled = true
      for (const socket of sockets) socket.pause()
    },
    cutOff: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
    restore: async () => {
      stalled = false
      await listen(port)
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

describe('redis bucket store', { skip }, () => {
  const prefix = `commerce:ratelimit:test:${process.pid}:${randomUUID()}:`
  const stores: BucketStore[] = []
  let redis: Redis

  /** A store on the shared prefix, closed after the suite. */
  function store(options: { url?: string; logger?: RateLimitLogger; fallback?: BucketStore } = {}) {
    const created = createRedisBucketStore({ url: redisUrl, prefix, logger: recordingLogger().logger, ...options })
    stores.push(created)
    return created
  }

  before(() => {
    redis = new Redis(redisUrl)
  })

  after(async () => {
    await Promise.all(stores.map((s) => s.close()))
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length) await redis.del(...keys)
    redis.disconnect()
  })

  // about one token per 100 s: the few ms a test takes refill a negligible fraction
  const slow = { capacity: 10, refillPerSecond: 0.01 }

  it('starts every bucket full', async () => {
    const result = await assertStartsFull(store(), 'start', slow)
    assert.ok(result.resetMs > 299_000 && result.resetMs <= 300_000, `resetMs ${result.resetMs}`)
  })

  it('takes until empty, then refuses with the wait until the cost is available', async () => {
    const s = store()
    await assertDrains(s, 'drain', slow)
    const refused = await s.take('drain', 3, slow)
    assert.equal(refused.allowed, false)
    assert.equal(refused.remaining, 0)
    assert.ok(refused.retryAfterMs > 299_000 && refused.retryAfterMs <= 300_000, `retryAfterMs ${refused.retryAfterMs}`)
  })

  it('takes nothing when it refuses', async () => {
    await assertRefusalTakesNothing(store(), 'refuse', slow)
  })

  it('refills continuously by the Redis server clock, so waiting retryAfterMs is enough', async () => {
    const s = store()
    const fast = { capacity: 100, refillPerSecond: 100 }
    await s.take('refill', 100, fast)
    await sleep(50)
    const { tokens } = await s.peek('refill', fast)
    assert.ok(tokens >= 5 && tokens <= 100, `tokens ${tokens}`)
    await s.take('refill', tokens, fast)
    // about half a second short: refused unless this test stalls that long between two commands
    const refused = await s.take('refill', 50, fast)
    assert.equal(refused.allowed, false)
    assert.ok(refused.retryAfterMs > 300 && refused.retryAfterMs <= 500, `retryAfterMs ${refused.retryAfterMs}`)
    await sleep(refused.retryAfterMs)
    assert.equal((await s.take('refill', 50, fast)).allowed, true)
  })

  it('refuses a cost above the capacity, with the wait until the bucket is full', async () => {
    const s = store()
    const fresh = await s.take('huge', 11, slow)
    assert.deepEqual(fresh, { allowed: false, remaining: 10, retryAfterMs: 0, resetMs: 0 })
    await s.take('huge', 4, slow)
    const refused = await s.take('huge', 11, slow)
    assert.equal(refused.allowed, false)
    assert.equal(refused.remaining, 6)
    assert.equal(refused.retryAfterMs, refused.resetMs)
    assert.ok(refused.resetMs > 399_000 && refused.resetMs <= 400_000, `resetMs ${refused.resetMs}`)
  })

  it('shares one budget between two stores, as between two gateway replicas', async () => {
    const replicaA = store()
    const replicaB = store()
    await replicaA.take('shared', 6, slow)
    assert.deepEqual(await replicaB.peek('shared', slow), { tokens: 4 })
    assert.equal((await replicaB.take('shared', 5, slow)).allowed, false)
    assert.equal((await replicaB.take('shared', 4, slow)).allowed, true)
    assert.equal((await replicaA.take('shared', 1, slow)).allowed, false)
  })

  it('allows exactly 100 of 200 concurrent takes from a bucket of 100, across two replicas', async () => {
    const replicas = [store(), store()]
    const hundred = { capacity: 100, refillPerSecond: 0.001 }
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => replicas[i % 2]!.take('race', 1, hundred)))
    assert.equal(results.filter((r) => r.allowed).length, 100)
    assert.ok(results.every((r) => r.remaining >= 0))
    assert.deepEqual(await replicas[0]!.peek('race', hundred), { tokens: 0 })
  })

  it('lets an idle bucket expire once it would be full again, and keeps no key for a full one', async () => {
    const s = store()
    const quick = { capacity: 2, refillPerSecond: 20 }
    const result = await s.take('idle', 1, quick)
    const ttl = await redis.pttl(`${prefix}idle`)
    assert.ok(ttl > 0 && ttl <= 50 && ttl <= result.resetMs, `PTTL ${ttl}, resetMs ${result.resetMs}`)
    await sleep(80)
    assert.equal(await redis.exists(`${prefix}idle`), 0)
    await s.take('untouched', 0, quick)
    assert.equal(await redis.exists(`${prefix}untouched`), 0)
  })

  it('answers from memory within a second, without throwing, when Redis is unreachable', async () => {
    const { logger, lines } = recordingLogger()
    const fallback = createMemoryBucketStore()
    const s = store({ url: 'redis://127.0.0.1:1', logger, fallback })
    const started = performance.now()
    const result = await s.take('down', 4, slow)
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`)
    assert.equal(result.allowed, true)
    assert.deepEqual(await fallback.peek('down', slow), { tokens: 6 }, 'charged to the fallback')
    // still limiting, not lifting the limit
    assert.equal((await s.take('down', 7, slow)).allowed, false)
    for (let i = 0; i < 50; i++) await s.take('down', 0, slow)
    assert.equal(lines.filter((l) => l.level === 'warn').length, 1, 'one warning, not one per request')
  })

  it('answers from memory within a second when Redis stops replying mid-connection', async () => {
    const relay = await startRelay(new URL(redisUrl))
    try {
      const fallback = createMemoryBucketStore()
      const s = store({ url: relay.url, fallback })
      assert.equal((await s.take('stalled', 1, slow)).remaining, 9)
      relay.stall()
      const started = performance.now()
      const result = await s.take('stalled', 1, slow)
      assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`)
      assert.equal(result.remaining, 9, 'answered by the fallback, whose bucket was still full')
      assert.deepEqual(await fallback.peek('stalled', slow), { tokens: 9 })
    } finally {
      await relay.close()
    }
  })

  it('uses Redis again once it is reachable after an outage', async () => {
    const relay = await startRelay(new URL(redisUrl))
    try {
      const { logger, lines } = recordingLogger()
      const s = store({ url: relay.url, logger })
      const direct = store()
      await s.take('outage', 1, slow)
      await relay.cutOff()
      await s.take('outage', 1, slow)
      assert.deepEqual(await direct.peek('outage', slow), { tokens: 9 }, 'the take during the outage did not reach Redis')
      await relay.restore()
      const deadline = Date.now() + 5000
      while ((await direct.peek('outage', slow)).tokens === 9 && Date.now() < deadline) {
        await s.take('outage', 1, slow)
        await sleep(100)
      }
      assert.ok((await direct.peek('outage', slow)).tokens < 9, 'takes reach Redis again')
      assert.deepEqual(lines.map((l) => l.level), ['warn', 'info'])
    } finally {
      await relay.close()
    }
  })
})
