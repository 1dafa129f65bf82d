import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { builtinBehaviourOf, builtinCancelBehaviourOf, builtinKeyWith, createBuiltinSupplier, type BuiltinBehaviour, type BuiltinSupplier } from './builtinSupplier.ts'
import { httpSupplier } from './httpSupplier.ts'
import { resilientSupplier } from './resilientSupplier.ts'
import { SupplierUnavailableError, type SupplierAdapter, type SupplierCancellation, type SupplierOrder } from './supplier.ts'

const keyWith = builtinKeyWith

const order = (idempotencyKey: string, quantity = 30): SupplierOrder => ({
  idempotencyKey, supplierId: 'sup_acme', destinationLocationId: 'loc_wh_east', requestedArrival: '2026-12-20T00:00:00.000Z', lines: [{ sku: 'SKU-1', quantity }],
})

const cancellation = (orderKey: string, supplierReference: string): SupplierCancellation => ({
  idempotencyKey: `cancel:${orderKey}`, supplierId: 'sup_acme', supplierReference, orderIdempotencyKey: orderKey,
})

/** Places the order and answers the reference the supplier gave it. */
async function referenceOf(adapter: SupplierAdapter, key: string): Promise<string> {
  const ack = await adapter.placeOrder(order(key))
  assert.equal(ack.outcome, 'accepted', `${key} was accepted`)
  return ack.outcome === 'accepted' ? ack.supplierReference : ''
}

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
    assert.deepEqual(Object.fromEntries(resilient.attempts()), { 'place:timeout': 1, 'place:accepted': 1 })
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
      assert.deepEqual(Object.fromEntries(resilient.attempts()), { 'place:error': 2, 'place:accepted': 1 })
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

  it('lets 85 % of orders be cancelled, independently of how they were placed', () => {
    let shipped = 0
    let shippedRejected = 0
    for (let n = 0; n < 4000; n++) {
      if (builtinCancelBehaviourOf(`repl_${n}`) !== 'shipped') continue
      shipped++
      if (builtinBehaviourOf(`repl_${n}`) === 'reject') shippedRejected++
    }
    assert.ok(Math.abs(shipped / 4000 - 0.15) < 0.03, `shipped ${shipped / 4000}`)
    assert.ok(Math.abs(shippedRejected / shipped - 0.05) < 0.03, `rejected among shipped ${shippedRejected / shipped}`)
  })

  it('cancels an order it accepted, answers the same cancellation key again with its first answer, and cancels once', async () => {
    const key = keyWith('accept', 'cancel', 'cancel')
    const reference = await referenceOf(adapter(), key)
    const before = supplier.distinctCancellations
    const resilient = resilientSupplier(adapter(), { timeoutMs: 1000, retries: 1 })
    assert.deepEqual(await resilient.cancelOrder(cancellation(key, reference)), { outcome: 'cancelled' })
    assert.equal(supplier.isCancelled(key), true)
    assert.deepEqual(await resilient.cancelOrder(cancellation(key, reference)), { outcome: 'cancelled' })
    assert.equal(supplier.distinctCancellations - before, 1, 'one cancellation however often it is asked')
    assert.deepEqual(Object.fromEntries(resilient.attempts()), { 'cancel:cancelled': 2 })
    // the same key naming another order is not this cancellation
    const other = await referenceOf(adapter(), keyWith('accept', 'cancel-other', 'cancel'))
    assert.deepEqual(await adapter().cancelOrder(cancellation(key, other)), { outcome: 'refused', code: 'HTTP_409', message: 'the supplier refused the request (HTTP 409)' })
  })

  it('refuses to cancel an order it has shipped, or one it does not know, as answers that are not retried', async () => {
    const key = keyWith('accept', 'shipped', 'shipped')
    const reference = await referenceOf(adapter(), key)
    const resilient = resilientSupplier(adapter(), { timeoutMs: 1000, retries: 2, backoffMs: () => 5 })
    assert.deepEqual(await resilient.cancelOrder(cancellation(key, reference)), { outcome: 'refused', code: 'ALREADY_SHIPPED', message: 'the order has already shipped' })
    assert.equal(supplier.isCancelled(key), false)
    const unknown = await resilient.cancelOrder(cancellation('repl_never_placed', 'SUP-000000000000'))
    assert.deepEqual(unknown, { outcome: 'refused', code: 'UNKNOWN_ORDER', message: 'the supplier has no order with this reference' })
    // a reference given for another order than the one named
    const placed = keyWith('accept', 'named', 'cancel')
    const placedReference = await referenceOf(adapter(), placed)
    assert.equal((await resilient.cancelOrder({ ...cancellation(placed, placedReference), orderIdempotencyKey: key })).outcome, 'refused')
    assert.equal(supplier.isCancelled(placed), false)
    assert.deepEqual(Object.fromEntries(resilient.attempts()), { 'cancel:refused': 3 })
  })

  it('reports a cancellation nobody answers as unavailable, without an address, and cancels once the supplier is back', async () => {
    const down = createBuiltinSupplier({ lateDelayMs: LATE_MS })
    const downUrl = await down.listen('127.0.0.1', 0)
    const port = new URL(downUrl).port
    const key = keyWith('accept', 'cancel-down', 'cancel')
    const reference = await referenceOf(httpSupplier({ url: downUrl, apiKey: null }), key)
    await down.close()
    const resilient = resilientSupplier(httpSupplier({ url: downUrl, apiKey: null }), { timeoutMs: 200, retries: 1, backoffMs: () => 5, breaker: { openMs: 50 } })
    const failure = await resilient.cancelOrder(cancellation(key, reference)).then(() => null, (error: unknown) => error)
    assert.ok(failure instanceof SupplierUnavailableError)
    assert.equal(failure.message, 'the supplier refused the connection')
    assert.doesNotMatch(failure.message, new RegExp(`127\\.0\\.0\\.1|${port}`))
    assert.equal(down.isCancelled(key), false)
    await down.listen('127.0.0.1', Number(port))
    try {
      await new Promise((resolve) => setTimeout(resolve, 60))
      assert.deepEqual(await resilient.cancelOrder(cancellation(key, reference)), { outcome: 'cancelled' })
      assert.equal(down.isCancelled(key), true)
      assert.equal(down.distinctCancellations, 1)
      assert.deepEqual(Object.fromEntries(resilient.attempts()), { 'cancel:error': 2, 'cancel:cancelled': 1 })
    } finally {
      await down.close()
    }
  })

  it('answers 400 to something that is not a cancellation, taken as a refusal that cancels nothing', async () => {
    const key = keyWith('accept', 'cancel-malformed', 'cancel')
    const reference = await referenceOf(adapter(), key)
    const response = await fetch(`${url}/orders/${encodeURIComponent(reference)}/cancel`, { method: 'POST', headers: { 'x-supplier-key': 'k'.repeat(32) }, body: '{}' })
    assert.equal(response.status, 400)
    assert.deepEqual(await adapter().cancelOrder({ ...cancellation(key, reference), orderIdempotencyKey: '' }), { outcome: 'refused', code: 'HTTP_400', message: 'the supplier refused the request (HTTP 400)' })
    assert.equal(supplier.isCancelled(key), false)
  })
})
