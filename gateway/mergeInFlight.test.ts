import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface'
import { ANONYMOUS } from '../platform/viewer.ts'
import { customer } from '../platform/testing.ts'
import { executorRequest } from './executorTesting.ts'
import { mergingExecutor } from './mergeInFlight.ts'

/** An executor whose runs the test finishes by hand, counting them. */
function heldExecutor() {
  const runs: ((result: GatewayExecutionResult) => void)[] = []
  return { executor: () => new Promise<GatewayExecutionResult>((resolve) => void runs.push(resolve)), runs }
}

const requestOf = (source: string, variables: Record<string, unknown>, viewer = ANONYMOUS) => executorRequest(source, variables, viewer)

describe('mergingExecutor', () => {
  it('runs identical queries in flight once and hands every request the result', async () => {
    const held = heldExecutor()
    let merged = 0
    const execute = mergingExecutor(held.executor, { onMerged: () => merged++ })
    const results = Promise.all([execute(requestOf('{ a }', { x: 1 })), execute(requestOf('{ a }', { x: 1 }))])
    assert.equal(held.runs.length, 1)
    held.runs[0]!({ data: { a: 1 } })
    assert.deepEqual((await results).map((r) => r.data), [{ a: 1 }, { a: 1 }])
    assert.equal(merged, 1)
    // once it is done, the next identical query runs again
    const next = execute(requestOf('{ a }', { x: 1 }))
    assert.equal(held.runs.length, 2)
    held.runs[1]!({ data: { a: 2 } })
    assert.deepEqual((await next).data, { a: 2 })
  })

  it('never merges across variables, viewers or mutations', async () => {
    const held = heldExecutor()
    let merged = 0
    const execute = mergingExecutor(held.executor, { onMerged: () => merged++ })
    const pending = [
      execute(requestOf('{ a }', { x: 1 })),
      execute(requestOf('{ a }', { x: 2 })),
      execute(requestOf('{ a }', { x: 1 }, customer('c_1'))),
      execute(requestOf('mutation { m }', {})),
      execute(requestOf('mutation { m }', {})),
    ]
    assert.equal(held.runs.length, 5)
    for (const finish of held.runs) finish({ data: {} })
    await Promise.all(pending)
    assert.equal(merged, 0)
  })

  it('runs alone a query whose variables do not serialize (nested past the stack), leaving its refusal to execution', async () => {
    const held = heldExecutor()
    const execute = mergingExecutor(held.executor)
    let deep: Record<string, unknown> = {}
    for (let i = 0; i < 20_000; i++) deep = { deep }
    const pending = [execute(requestOf('{ a }', { deep })), execute(requestOf('{ a }', { deep }))]
    assert.equal(held.runs.length, 2)
    for (const finish of held.runs) finish({ data: {} })
    await Promise.all(pending)
  })
})
