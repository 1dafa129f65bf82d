import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createAsyncQueue } from './asyncQueue.ts'

describe('createAsyncQueue', () => {
  it('hands values over in order, waiting when empty', async () => {
    const queue = createAsyncQueue<number>()
    const first = queue.next()
    queue.push(1)
    queue.push(2)
    assert.deepEqual(await first, { done: false, value: 1 })
    assert.deepEqual(await queue.next(), { done: false, value: 2 })
    assert.equal(queue.size, 0)
  })

  it('releases at once when returned while a consumer waits (no leak until the next value)', async () => {
    let released = 0
    const queue = createAsyncQueue<number>(() => released++)
    const waiting = queue.next()
    await queue.return()
    assert.equal(released, 1)
    assert.deepEqual(await waiting, { done: true, value: undefined })
    assert.equal(queue.push(3), false, 'a closed queue takes nothing')
    await queue.return()
    assert.equal(released, 1, 'released once')
  })

  it('ends after the queued values, with or without an error', async () => {
    const ended = createAsyncQueue<number>()
    ended.push(1)
    ended.end()
    assert.deepEqual(await ended.next(), { done: false, value: 1 })
    assert.deepEqual(await ended.next(), { done: true, value: undefined })
    const failed = createAsyncQueue<number>()
    failed.push(1)
    failed.fail(new Error('upstream gone'))
    assert.deepEqual(await failed.next(), { done: false, value: 1 })
    await assert.rejects(failed.next(), /upstream gone/)
  })
})
