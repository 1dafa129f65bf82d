import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, it } from 'node:test'
import { every } from './periodic.ts'

describe('every', () => {
  it('runs the task on its interval, skips a tick while a run is going, and stop() waits for the run in progress', async () => {
    let started = 0
    let running = 0
    let overlapped = false
    let finished = 0
    const periodic = every(10, async () => {
      started++
      running++
      if (running > 1) overlapped = true
      await sleep(35)
      running--
      finished++
    }, () => assert.fail('no failure expected'))
    await sleep(120)
    await periodic.stop()
    assert.ok(started >= 2, `ran ${started} times`)
    assert.equal(overlapped, false)
    assert.equal(finished, started, 'stop() waited for the run in progress')
    const after = started
    await sleep(40)
    assert.equal(started, after, 'nothing runs after stop()')
  })

  it('hands a failure to onError and keeps running; an interval of 0 never runs', async () => {
    const errors: unknown[] = []
    let runs = 0
    const failing = every(10, async () => {
      runs++
      throw new Error('down')
    }, (error) => errors.push(error))
    await sleep(60)
    await failing.stop()
    assert.ok(runs >= 2 && errors.length === runs, `${runs} runs, ${errors.length} errors`)
    let never = 0
    const off = every(0, async () => void never++, () => {})
    await sleep(20)
    await off.stop()
    assert.equal(never, 0)
  })
})
