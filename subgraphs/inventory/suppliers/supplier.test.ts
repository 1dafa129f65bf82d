import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { builtinBehaviourOf, builtinKeyWith, createBuiltinSupplier, type BuiltinBehaviour, type BuiltinSupplier } from './builtinSupplier.ts'
import { httpSupplier } from './httpSupplier.ts'
import { resilientSupplier } from './resilientSupplier.ts'
import { SupplierUnavailableError, type SupplierOrder } from './supplier.ts'

const keyWith = builtinKeyWith

const order = (idempotencyKey: string, quantity = 30): SupplierOrder => ({
  idempotencyKey, supplierId: 'sup_acme', destinationLocationId: 'loc_wh_east', requestedArrival: '2026-12-20T00:00:00.000Z', lines: [{ sku: 'SKU-1', quantity }],
})

describe('the built-in supplier and the HTTP adapter', () => {
  const LATE_MS = 400
  let supplier: BuiltinSupplier
  let url: string

  before(async () => {
    supplier = createBuiltinSupplier({ lateDelayMs: LATE_MS, apiKey: 'k'.repeat(32) })
    url = await supplier.listen('127.0.0.1', 0)
  })
  after(() => supplier.close())

  const adapter = () => httpSupplier({ url, apiKey: 'k'.repeat(32) })

  it('splits keys between full, partial, late and rejected answers, mostly full', () => {
    const counts = new Map<BuiltinBehaviour, number>()
    for (let n = 0; n < 4000; n++) counts.set(builtinBehaviourOf(`repl_${n}`), (counts.get(builtinBehaviourOf(`repl_${n}`)) ?? 0) + 1)
    const share = (b: BuiltinBehaviour) => (counts.get(b) ?? 0) / 4000
    assert.ok(Math.abs(share('accept') - 0.6) < 0.03, `accept ${share('accept')}`)
    assert.ok(Math.abs(share('partial') - 0.2) < 0.03, `partial ${share('partial')}`)
    assert.ok(Math.abs(share('late') - 0.15) < 0.03, `late ${share('late')}`)
    assert.ok(Math.abs(share('reject') - 0.05) < 0.02, `reject ${share('reject')}`)
  })

  it('accepts in full, or two thirds of a line, or rejects, and answers a key again with its first answer', async () => {
    const full = await adapter().placeOrder(order(keyWith('accept', 'a')))
    assert.equal(full.outcome, 'accepted')
    assert.deepEqual(full.outcome === 'accepted' && full.lines, [{ sku: 'SKU-1', quantity: 30 }])
    assert.equal(full.outcome === 'accepted' && full.promisedAt, '2026-12-20T00:00:00.000Z')
    const partialKey = keyWith('partial', 'p')
    const partial = await adapter().placeOrder(order(partialKey, 31))
    assert.deepEqual(partial.outcome === 'accepted' && partial.lines, [{ sku: 'SKU-1', quantity: 20 }])
    assert.deepEqual(await adapter().placeOrder(order(partialKey, 31)), partial)
    const rejected = await adapter().placeOrder(order(keyWith('reject', 'r')))
    assert.deepEqual(rejected, { outcome: 'rejected', code: 'DISCONTINUED', message: 'the supplier no longer makes this' })
  })

  it('refuses a key reused for another order, and a request without the shared key, as rejections', async () => {
    const key = keyWith('accept', 'reuse')
    await adapter().placeOrder(order(key, 10))
    assert.deepEqual(await adapter().placeOrder(order(key, 11)), { outcome: 'rejected', code: 'HTTP_409', message: 'the supplier refused the request (HTTP 409)' })
    const keyless = httpSupplier({ url, apiKey: null })
    assert.deepEqual(await keyless.placeOrder(order(keyWith('accept', 'keyless'))), { outcome: 'rejected', code: 'HTTP_401', message: 'the supplier refused the request (HTTP 401)' })
  })

  it('applies a late answer once: the first attempt times out, the retry under the same key gets the stored answer', async () => {
    const key = keyWith('late', 'late')
    const before = { requests: supplier.requests, orders: supplier.distinctOrders }
    const resilient = resilientSupplier(adapter(), { timeoutMs: LATE_MS / 4, retries: 2, backoffMs: () => 10 })
    const started = Date.now()
    const ack = await resilient.placeOrder(order(key))
    assert.ok(Date.now() - started < LATE_MS, 'the retry did not wait for the late answer')
    assert.deepEqual(ack, supplier.answerOf(key))
    assert.equal(supplier.requests - before.requests, 2, 'one timed-out attempt and one retry')
    assert.equal(supplier.distinctOrders - before.orders, 1, 'the supplier took the order once')
    assert.deepEqual(Object.fromEntries(resilient.attempts()), { timeout: 1, accepted: 1 })
  })

  it('reports a supplier that is down as unavailable, in words that name no address, and takes the order once it is back', async () => {
    const down = createBuiltinSupplier({ lateDelayMs: LATE_MS })
    const downUrl = await down.listen('127.0.0.1', 0)
    const port = new URL(downUrl).port
    await down.close()
    const resilient = resilientSupplier(httpSupplier({ url: downUrl, apiKey: null }), { timeoutMs: 200, retries: 1, backoffMs: () => 5, breaker: { openMs: 50 } })
    const key = keyWith('accept', 'down')
    const failure = await resilient.placeOrder(order(key)).then(() => null, (error: unknown) => error)
    assert.ok(failure instanceof SupplierUnavailableError)
    assert.equal(failure.message, 'the supplier refused the connection')
    assert.doesNotMatch(failure.message, new RegExp(`127\\.0\\.0\\.1|${port}`))
    await down.listen('127.0.0.1', Number(port))
    try {
      await new Promise((resolve) => setTimeout(resolve, 60))
      const ack = await resilient.placeOrder(order(key))
      assert.equal(ack.outcome, 'accepted')
      assert.equal(down.distinctOrders, 1)
      // refused twice (the first attempt and its retry), then taken
      assert.deepEqual(Object.fromEntries(resilient.attempts()), { error: 2, accepted: 1 })
    } finally {
      await down.close()
    }
  })

  it('answers 400 to something that is not an order, taken as a rejection', async () => {
    const response = await fetch(`${url}/orders`, { method: 'POST', headers: { 'x-supplier-key': 'k'.repeat(32) }, body: '{"lines": []}' })
    assert.equal(response.status, 400)
    const bad = await adapter().placeOrder({ ...order('bad'), lines: [{ sku: 'SKU-1', quantity: 0 }] })
    assert.equal(bad.outcome === 'rejected' && bad.code, 'HTTP_400')
  })
})
