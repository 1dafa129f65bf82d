import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ExecutionResult } from 'graphql'
import { createAsyncQueue } from '../../platform/asyncQueue.ts'
import type { Viewer } from '../../platform/viewer.ts'
import { SubscribersByClient } from './subscribersByClient.ts'

const acme: Viewer = { sub: 'partner_acme', roles: ['partner'], scopes: ['stock:read'], locationIds: null }
const other: Viewer = { ...acme, sub: 'partner_other' }
const staff: Viewer = { sub: 'staff_1', roles: ['staff'], scopes: ['stock:read'], locationIds: null }

describe('open subscriptions counted per client', () => {
  it('counts each stream from when it is handed out until it ends, whichever way it ends', async () => {
    const byClient = new SubscribersByClient()
    const completed = byClient.track(acme, createAsyncQueue<ExecutionResult>())
    const ended = createAsyncQueue<ExecutionResult>()
    const endedTracked = byClient.track(acme, ended)
    const failed = createAsyncQueue<ExecutionResult>()
    const failedTracked = byClient.track(other, failed)
    byClient.track(staff, createAsyncQueue<ExecutionResult>())
    assert.deepEqual(byClient.snapshot(), [
      { kind: 'partner', sub: 'partner_acme', subscriptions: 2 },
      { kind: 'partner', sub: 'partner_other', subscriptions: 1 },
      { kind: 'staff', sub: 'staff_1', subscriptions: 1 },
    ])

    // the client completes it (or its socket closes): return()
    await completed.return?.()
    // the upstream ends it: the reader reads past its end
    ended.push({ data: { n: 1 } })
    ended.end()
    assert.deepEqual(await endedTracked.next(), { done: false, value: { data: { n: 1 } } })
    assert.equal((await endedTracked.next()).done, true)
    // the stream fails
    failed.fail(new Error('upstream gone'))
    await assert.rejects(failedTracked.next(), /upstream gone/)
    assert.deepEqual(byClient.snapshot(), [{ kind: 'staff', sub: 'staff_1', subscriptions: 1 }])

    // an end seen twice counts once
    await completed.return?.()
    assert.equal(byClient.snapshot().length, 1)
  })
})
