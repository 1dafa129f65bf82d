import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, describe, it } from 'node:test'
import pino from 'pino'
import { redisSkip, testRedisUrl } from '../gateway/rateLimit/redisTesting.ts'
import { createSharedCache, type SharedCache } from './cache.ts'

const logger = pino({ level: 'silent' })
const config = (redisUrl: string | null, enabled = true) => ({ cache: { enabled, ttlSeconds: 60, keyPrefix: null }, redisUrl })

/** A load that counts its calls and answers `value()` after a tick. */
function counted<V>(value: () => V) {
  const calls = { count: 0 }
  const load = async () => {
    calls.count++
    await new Promise((resolve) => setImmediate(resolve))
    return value()
  }
  return { calls, load }
}

function behavesAsACache(open: () => SharedCache, peer: () => SharedCache) {
  it('loads once, then answers from the cache until a reference it names is invalidated', async () => {
    const cache = open()
    let price = 100
    const { calls, load } = counted(() => ({ amount: price }))
    const refs = () => ['variant:v1']
    assert.deepEqual(await cache.cached('price', 'v1', refs, load), { amount: 100 })
    price = 120
    assert.deepEqual(await cache.cached('price', 'v1', refs, load), { amount: 100 })
    assert.equal(calls.count, 1)
    await cache.invalidate(['variant:other'])
    assert.deepEqual(await cache.cached('price', 'v1', refs, load), { amount: 100 })
    await cache.invalidate(['variant:v1'])
    assert.deepEqual(await cache.cached('price', 'v1', refs, load), { amount: 120 })
    assert.equal(calls.count, 2)
  })

  it('shares one load among identical lookups in flight', async () => {
    const cache = open()
    const { calls, load } = counted(() => 'row')
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.cached('row', 'k-shared', () => ['r'], load)))
    assert.deepEqual(answers, ['row', 'row', 'row', 'row', 'row'])
    assert.equal(calls.count, 1)
    assert.ok(cache.stats().shared >= 4)
  })

  it('keeps entries of different kinds and keys apart', async () => {
    const cache = open()
    assert.equal(await cache.cached('a', 'k', () => [], async () => 'a-k'), 'a-k')
    assert.equal(await cache.cached('b', 'k', () => [], async () => 'b-k'), 'b-k')
    assert.equal(await cache.cached('a', 'k2', () => [], async () => 'a-k2'), 'a-k2')
    assert.equal(await cache.cached('a', 'k', () => [], async () => 'other'), 'a-k')
  })

  it('gives Dates and nulls back as they were stored', async () => {
    const cache = open()
    const at = new Date('2026-12-07T10:00:00.000Z')
    const value = { at, nothing: null, list: [{ at }] }
    await cache.cached('dated', 'k', () => [], async () => value)
    const again = await peer().cached<typeof value>('dated', 'k', () => [], async () => ({ at: new Date(0), nothing: null, list: [] }))
    assert.ok(again.at instanceof Date && again.at.getTime() === at.getTime())
    assert.ok(again.list[0]?.at instanceof Date)
    assert.equal(again.nothing, null)
  })
}

describe('shared cache in memory', () => {
  let current: SharedCache
  const open = () => (current = createSharedCache({ namespace: 'test:', config: config(null), logger }))
  behavesAsACache(open, () => current)

  it('with CACHE=off loads every time and invalidates nothing', async () => {
    const cache = createSharedCache({ namespace: 'test:', config: config(null, false), logger })
    const { calls, load } = counted(() => 1)
    await cache.cached('x', 'k', () => [], load)
    await cache.cached('x', 'k', () => [], load)
    assert.equal(calls.count, 2)
    assert.equal(cache.enabled, false)
  })
})

describe('shared cache in Redis', async () => {
  const skip = await redisSkip()
  const opened: SharedCache[] = []
  const namespace = `commerce:cache:test-${randomUUID()}:`
  const open = (ns = namespace) => {
    const cache = createSharedCache({ namespace: ns, config: config(testRedisUrl), logger })
    opened.push(cache)
    return cache
  }
  after(async () => {
    for (const cache of opened) await cache.close()
  })

  describe('one replica', { skip }, () => {
    let current: SharedCache
    behavesAsACache(() => (current = open(`commerce:cache:test-${randomUUID()}:`)), () => current)
  })

  it('shares entries and invalidations between replicas of one namespace, and nothing with another', { skip }, async () => {
    const a = open()
    const b = open()
    const other = open(`commerce:cache:test-${randomUUID()}:`)
    await a.cached('product', 'p1', () => ['product:p1'], async () => 'title 1')
    assert.equal(await b.cached('product', 'p1', () => ['product:p1'], async () => 'not from the cache'), 'title 1')
    assert.equal(await other.cached('product', 'p1', () => ['product:p1'], async () => 'its own'), 'its own')
    await a.invalidate(['product:p1'])
    assert.equal(await b.cached('product', 'p1', () => ['product:p1'], async () => 'title 2'), 'title 2')
    assert.equal(await other.cached('product', 'p1', () => [], async () => 'unchanged'), 'its own', 'the other namespace kept its entry')
  })

  it('reads through to the load, without hanging, when Redis does not answer', async () => {
    const cache = createSharedCache({ namespace: 'test:', config: config('redis://127.0.0.1:1'), logger })
    opened.push(cache)
    const started = Date.now()
    const { calls, load } = counted(() => 'from the database')
    assert.equal(await cache.cached('x', 'k', () => ['r'], load), 'from the database')
    assert.equal(await cache.cached('x', 'k', () => ['r'], load), 'from the database')
    await cache.invalidate(['r'])
    assert.equal(calls.count, 2)
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`)
  })
})
