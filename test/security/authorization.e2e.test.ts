import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { asCustomer, asStaff, query, type Stack } from '../stack.ts'
import { defaults, noCalls, startSecurityStack } from './securityStack.ts'

const partner = { sub: 'partner_1', roles: ['partner' as const], scopes: ['stock:read'] }
const LEVELS = '{ inventoryLevels(filter: { skus: ["APP-0001-M"] }, first: 5) { nodes { id } } }'

describe('@authenticated and @requiresScopes at the gateway (attack suite)', () => {
  let stack: Stack
  before(async () => {
    stack = await startSecurityStack({ gatewayConfig: { rateLimit: { ...defaults.rateLimit, enabled: false } } })
  })
  after(() => stack.close())

  it('nulls a nullable field an anonymous viewer may not read, answers the rest, and never asks its subgraph', async () => {
    stack.resetCounters()
    const { statusCode, body } = await query(stack, '{ cart(id: "cart_0001") { id } products(first: 2) { nodes { id } } }')
    assert.equal(statusCode, 200)
    assert.equal(body.data?.['cart'], null)
    assert.equal(body.data?.['products'].nodes.length, 2)
    assert.deepEqual(body.errors, [{ message: 'Sign in to read Query.cart', path: ['cart'], extensions: { code: 'UNAUTHENTICATED' } }])
    assert.equal(stack.subgraphCalls().orders, 0)
  })

  it('refuses a whole operation whose denied field is non-null, before any subgraph is called', async () => {
    stack.resetCounters()
    const { body } = await query(stack, '{ orders(first: 5) { nodes { id } } }')
    assert.equal(body.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal(body.data ?? null, null)
    assert.deepEqual(stack.subgraphCalls(), noCalls)
  })

  it('refuses staff mutations to a customer with FORBIDDEN, without calling the subgraph', async () => {
    stack.resetCounters()
    const { body } = await query(
      stack,
      'mutation { inventoryAdjustQuantities(input: { idempotencyKey: "k", reason: CORRECTION, changes: [{ sku: "APP-0001-M", locationId: "loc_wh_east", name: AVAILABLE, delta: 1 }] }) { userErrors { code } } }',
      {},
      asCustomer('c_1001'),
    )
    assert.equal(body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    assert.deepEqual(stack.subgraphCalls(), noCalls)
  })

  it('lets partners with stock:read and staff resync stock levels, and no one else', async () => {
    for (const who of [partner, asStaff]) {
      const { body } = await query(stack, LEVELS, {}, who)
      assert.equal(body.errors, undefined, JSON.stringify(body.errors))
      assert.ok(body.data?.['inventoryLevels'].nodes.length > 0)
    }
    assert.equal((await query(stack, LEVELS)).body.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal((await query(stack, LEVELS, {}, asCustomer('c_1001'))).body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    assert.equal((await query(stack, LEVELS, {}, { ...partner, scopes: [] })).body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
  })

  it('plans the filtered operation apart from the full one (no plan of one viewer serves another)', async () => {
    const document = '{ cart(id: "cart_0001") { id } locations { id } }'
    const anonymous = await query(stack, document)
    assert.equal(anonymous.body.data?.['cart'], null)
    const owner = await query(stack, document, {}, asStaff)
    assert.equal(owner.body.errors, undefined, JSON.stringify(owner.body.errors))
    assert.equal(owner.body.data?.['cart']?.id, 'cart_0001')
    assert.equal((await query(stack, document)).body.data?.['cart'], null)
  })
})
