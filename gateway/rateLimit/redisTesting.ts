// Test support: whether a real Redis is there. Without REDIS_URL and with no Redis answering
// locally, Redis suites are skipped, so `npm test` passes on a machine without Redis; CI sets
// REDIS_URL, and there they must run.
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'

export const testRedisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'

export async function redisAnswers(url: string, withinMs: number): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: withinMs, retryStrategy: () => null, maxRetriesPerRequest: 0, disconnectTimeout: 0 })
  probe.on('error', () => {})
  const timeout = new AbortController()
  try {
    const pong = await Promise.race([probe.connect().then(() => probe.ping()), sleep(withinMs, 'timeout', { signal: timeout.signal })])
    return pong === 'PONG'
  } catch {
    return false
  } finally {
    timeout.abort()
    probe.disconnect()
  }
}

/** `false` (run) when REDIS_URL is set or a local Redis answers; a skip reason otherwise. */
export async function redisSkip(): Promise<false | string> {
  return process.env['REDIS_URL'] || (await redisAnswers(testRedisUrl, 500)) ? false : 'no Redis'
}
