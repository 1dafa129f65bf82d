import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { signToken } from '../gateway/auth.ts'
import { buildWorld } from '../seed/world.ts'
import { asCustomer, asStaff, query, stackForTests, startStack } from './stack.ts'

const world = buildWorld()

describe('the supergraph through the gateway', () => {
  const stack = stackForTests()

  it('answers one query that crosses all four subgraphs', async () => {
    const order = world.orders[0]!
    const product = world.products[0]!
    const { statusCode, body } = await query(
      stack,
      `query ($handle: String!, $number: String!) {
        product(handle: $handle) {
          title
          variants(first: 10) {
            nodes {
              sku
              price(currency: USD) { amount { minorUnits currency fractionDigits } }
              availableToSell
              stock(first: 5) { nodes { location { id name } quantities(names: [AVAILABLE, ON_HAND]) { name quantity } } }
            }
          }
        }
        order(number: $number) {
          number
          customerId
          lineItems(first: 10) { nodes { sku title quantity variant { sku title } } }
          total { minorUnits currency }
          balanceDue { minorUnits currency }
          financialStatus
          payments { gateway authorized { minorUnits } captured { minorUnits } }
        }
      }`,
      { handle: product.handle, number: order.number },
      asCustomer(order.customerId),
    )
    assert.equal(statusCode, 200)
    assert.equal(body.errors, undefined, JSON.stringify(body.errors))
    const data = body.data!
    assert.equal(data['product'].title, product.title)
    const variants = world.variants.filter((v) => v.productId === product.id)
    assert.deepEqual(data['product'].variants.nodes.map((v: any) => v.sku), variants.map((v) => v.sku))
    for (const node of data['product'].variants.nodes) {
      const price = world.prices.find((p) => p.sku === node.sku && p.currency === 'USD' && p.validFrom === null)!
      assert.deepEqual(node.price.amount, { minorUnits: String(price.amount), currency: 'USD', fractionDigits: 2 })
      const levels = world.stockLevels.filter((l) => l.sku === node.sku)
      const sellable = levels.filter((l) => world.locations.find((loc) => loc.id === l.locationId)!.fulfillsOnlineOrders)
      assert.equal(node.availableToSell, sellable.reduce((sum, l) => sum + l.available, 0))
      assert.equal(node.stock.nodes.length, levels.length)
      for (const level of node.stock.nodes) {
        const expected = levels.find((l) => l.locationId === level.location.id)!
        const onHand = expected.available + expected.committed + expected.reserved + expected.damaged + expected.safetyStock + expected.qualityControl
        assert.deepEqual(level.quantities, [{ name: 'AVAILABLE', quantity: expected.available }, { name: 'ON_HAND', quantity: onHand }])
      }
    }
    const placed = data['order']
    assert.equal(placed.number, order.number)
    assert.deepEqual(placed.lineItems.nodes.map((li: any) => [li.sku, li.quantity]), order.lineItems.map((li) => [li.sku, li.quantity]))
    assert.ok(placed.lineItems.nodes.every((li: any) => li.variant.sku === li.sku && typeof li.variant.title === 'string'))
    assert.deepEqual(placed.total, { minorUnits: String(order.total), currency: order.currency })
    assert.equal(placed.financialStatus, order.financialStatus)
    assert.deepEqual(placed.balanceDue, { minorUnits: order.financialStatus === 'PAID' ? '0' : String(order.total), currency: order.currency })
    assert.equal(placed.payments.length, 1)
    assert.equal(placed.payments[0].authorized.minorUnits, String(order.total))
  })

  describe('ownership', () => {
    const mine = world.orders.find((o) => o.customerId === 'c_1001')!
    const theirs = world.orders.find((o) => o.customerId === 'c_1002')!
    const ORDER = `query ($number: String!) { order(number: $number) { number balanceDue { minorUnits } payments { id } invoices { id } } }`

    it("returns null, without an error, for another customer's order", async () => {
      const { body } = await query(stack, ORDER, { number: theirs.number }, asCustomer('c_1001'))
      assert.deepEqual(body, { data: { order: null } })
    })

    it('answers a missing order exactly like a foreign one', async () => {
      const { body } = await query(stack, ORDER, { number: '#999999' }, asCustomer('c_1001'))
      assert.deepEqual(body, { data: { order: null } })
    })

    it('lets the owner and staff read the order with its payments and invoices', async () => {
      for (const who of [asCustomer(mine.customerId), asStaff]) {
        const { body } = await query(stack, ORDER, { number: mine.number }, who)
        assert.equal(body.data!['order'].number, mine.number)
        assert.equal(body.data!['order'].payments.length, 1)
      }
    })

    it("lists only the viewer's own orders", async () => {
      const { body } = await query(stack, `{ orders(first: 100) { nodes { customerId } } }`, {}, asCustomer('c_1001'))
      const owners = new Set(body.data!['orders'].nodes.map((o: any) => o.customerId))
      assert.deepEqual([...owners], ['c_1001'])
      assert.equal(body.data!['orders'].nodes.length, world.orders.filter((o) => o.customerId === 'c_1001').length)
    })

    it('refuses the order list to anonymous viewers', async () => {
      const { body } = await query(stack, `{ orders(first: 5) { nodes { id } } }`)
      assert.equal(body.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    })
  })

  describe('authentication', () => {
    it('refuses an expired token with 401 UNAUTHENTICATED', async () => {
      const token = await signToken({ sub: 'c_1001', roles: ['customer'], expiresIn: -60 }, stack.config)
      const { statusCode, body } = await query(stack, '{ __typename }', {}, token)
      assert.equal(statusCode, 401)
      assert.equal(body.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    })

    it('refuses a malformed token', async () => {
      const { statusCode, body } = await query(stack, '{ __typename }', {}, 'not.a.jwt')
      assert.equal(statusCode, 401)
      assert.equal(body.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    })

    it('has every subgraph refuse a direct call that the gateway did not sign', async () => {
      for (const [name, url] of Object.entries(stack.urls)) {
        for (const headers of [{}, { 'x-commerce-viewer': 'eyJ2Ijp7InN1YiI6InN0YWZmIiwicm9sZXMiOlsic3RhZmYiXX19.forged' }]) {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify({ query: '{ _service { sdl } }' }),
          })
          assert.equal(response.status, 401, name)
          const body = (await response.json()) as { errors: { extensions: { code: string } }[] }
          assert.equal(body.errors[0]?.extensions.code, 'UNAUTHENTICATED', name)
        }
      }
    })
  })

  describe('bad input', () => {
    it('refuses a page size over the maximum with BAD_USER_INPUT naming the service', async () => {
      const { body } = await query(stack, `{ products(first: 500) { nodes { id } } }`)
      assert.equal(body.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
      assert.equal(body.errors?.[0]?.extensions?.['serviceName'], 'catalog')
    })

    it('refuses a malformed cursor', async () => {
      const { body } = await query(stack, `{ products(first: 5, after: "bm9wZQ") { nodes { id } } }`)
      assert.equal(body.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    })

    it('gives null for unknown ids', async () => {
      const { body } = await query(stack, `{ product(id: "prod_nope") { id } variant(sku: "NOPE") { id } location(id: "loc_nope") { id } }`)
      assert.deepEqual(body, { data: { product: null, variant: null, location: null } })
    })

    it('answers invalid quantities and unknown SKUs with userErrors and field paths', async () => {
      const { body } = await query(
        stack,
        `mutation ($input: CartLinesAddInput!) { cartLinesAdd(input: $input) { cart { id } userErrors { code field } } }`,
        { input: { idempotencyKey: 'e2e-bad', currency: 'USD', countryCode: 'US', lines: [{ sku: 'NOPE', quantity: 1 }, { sku: 'APP-0001-S', quantity: -2 }] } },
        asCustomer('c_1005'),
      )
      assert.equal(body.data!['cartLinesAdd'].cart, null)
      const byPath = (a: { field: string[] }, b: { field: string[] }) => a.field.join('.').localeCompare(b.field.join('.'))
      assert.deepEqual([...body.data!['cartLinesAdd'].userErrors].sort(byPath), [
        { code: 'NOT_FOUND', field: ['input', 'lines', '0', 'sku'] },
        { code: 'INVALID', field: ['input', 'lines', '1', 'quantity'] },
      ])
    })

    it('answers a query that does not parse or validate with the standard codes', async () => {
      assert.equal((await query(stack, '{ products(')).body.errors?.[0]?.extensions?.['code'], 'GRAPHQL_PARSE_FAILED')
      assert.equal((await query(stack, '{ noSuchField }')).body.errors?.[0]?.extensions?.['code'], 'GRAPHQL_VALIDATION_FAILED')
    })
  })

  it('answers identical queries sent together each in full, and two customers each with their own cart', async () => {
    const product = world.products[3]!
    const document = `query ($handle: String!) { product(handle: $handle) { title variants(first: 5) { nodes { sku availableToSell } } } }`
    const answers = await Promise.all(Array.from({ length: 12 }, () => query(stack, document, { handle: product.handle })))
    assert.deepEqual(new Set(answers.map((a) => JSON.stringify([a.statusCode, a.body]))).size, 1)
    assert.equal(answers[0]!.body.data?.['product'].title, product.title)
    assert.equal(answers[0]!.body.errors, undefined)
    // the same document for two viewers: never one answer for both
    const mine = `query ($id: ID!) { cart(id: $id) { id customerId } }`
    const [first, second] = world.carts.slice(0, 2)
    const [a, b] = await Promise.all([
      query(stack, mine, { id: first!.id }, { sub: first!.customerId, roles: ['customer'] }),
      query(stack, mine, { id: first!.id }, { sub: second!.customerId, roles: ['customer'] }),
    ])
    assert.equal(a.body.data?.['cart']?.customerId, first!.customerId)
    assert.equal(b.body.data?.['cart'], null)
  })

  it('replays a mutation sent twice with the same idempotency key and refuses the key with other input', async () => {
    const ADD = `mutation ($input: CartLinesAddInput!) { cartLinesAdd(input: $input) { cart { id lines { quantity } } userErrors { code field } } }`
    const input = { idempotencyKey: 'e2e-add-1', currency: 'USD', countryCode: 'US', lines: [{ sku: 'APP-0001-M', quantity: 2 }] }
    const first = await query(stack, ADD, { input }, asCustomer('c_1020'))
    const second = await query(stack, ADD, { input }, asCustomer('c_1020'))
    assert.deepEqual(second.body, first.body)
    assert.equal(first.body.data!['cartLinesAdd'].cart.lines[0].quantity, 2)
    const reused = await query(stack, ADD, { input: { ...input, lines: [{ sku: 'APP-0001-M', quantity: 3 }] } }, asCustomer('c_1020'))
    assert.deepEqual(reused.body.data!['cartLinesAdd'].userErrors, [{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] }])
  })

  it('reports readiness of every subgraph', async () => {
    const ready = await stack.gateway.inject({ method: 'GET', url: '/readyz' })
    assert.equal(ready.statusCode, 200)
    assert.deepEqual(ready.json(), { status: 'ready', services: { catalog: 'up', inventory: 'up', orders: 'up', finance: 'up' } })
    assert.equal((await stack.gateway.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  })

  describe('a subgraph that is down', () => {
    before(() => stack.stopSubgraph('inventory'))
    after(() => stack.startSubgraph('inventory'))

    it('gives the rest of the data and an error naming the service, without its URL', async () => {
      // inventoryItem is nullable, so only it is lost; a non-null inventory field would null its parent
      const { statusCode, body, raw } = await query(stack, `{ product(handle: "classic-tee-001") { title variants(first: 2) { nodes { sku inventoryItem { tracked } } } } }`)
      assert.equal(statusCode, 200)
      assert.equal(body.data!['product'].title, 'Classic Tee 001')
      assert.deepEqual(body.data!['product'].variants.nodes, [{ sku: 'APP-0001-S', inventoryItem: null }, { sku: 'APP-0001-M', inventoryItem: null }])
      const error = body.errors?.find((e) => e.extensions?.['serviceName'] === 'inventory')
      assert.equal(error?.extensions?.['code'], 'SUBGRAPH_UNAVAILABLE')
      assert.doesNotMatch(raw, /127\.0\.0\.1|localhost|http:\/\/|ECONNREFUSED|stack/i)
    })

    it('reports the gateway not ready, naming the service', async () => {
      const ready = await stack.gateway.inject({ method: 'GET', url: '/readyz' })
      assert.equal(ready.statusCode, 503)
      assert.equal(ready.json().services.inventory, 'down')
    })
  })
})

describe('the cost of a request', () => {
  // no bus: outbox relays poll the database, which would blur exact statement counts
  const stack = stackForTests(() => startStack({ bus: false }))

  it('costs a constant number of SQL statements per subgraph for a page of 50 products with variants and stock', async () => {
    const page = `query ($first: Int!) {
      products(first: $first) {
        nodes {
          title
          variants(first: 10) {
            nodes { sku price(currency: EUR) { amount { minorUnits } } availableToSell stock(first: 5) { nodes { location { name } quantities { name quantity } } } }
          }
        }
      }
    }`
    // each measure starts from empty caches, so it counts what batching costs
    await stack.clearCaches()
    stack.resetCounters()
    const small = await query(stack, page, { first: 5 })
    assert.equal(small.body.errors, undefined, JSON.stringify(small.body.errors))
    const fewQueries = stack.queries()
    await stack.clearCaches()
    stack.resetCounters()
    const large = await query(stack, page, { first: 50 })
    assert.equal(large.body.errors, undefined, JSON.stringify(large.body.errors))
    assert.equal(large.body.data!['products'].nodes.length, 50)
    const manyQueries = stack.queries()
    assert.deepEqual(manyQueries, fewQueries, 'a larger page must not cost more statements')
    assert.ok(manyQueries.catalog <= 10, `catalog ran ${manyQueries.catalog} statements`)
    assert.ok(manyQueries.inventory <= 10, `inventory ran ${manyQueries.inventory} statements`)
    assert.equal(manyQueries.orders + manyQueries.finance, 0)
  })

  it('costs a constant number of SQL statements per subgraph for 50 orders with lines, variants and payments', async () => {
    const page = `query ($first: Int!) {
      orders(first: $first) {
        nodes { number lineItems(first: 10) { nodes { sku variant { title product { title } } } } balanceDue { minorUnits } payments { captured { minorUnits } } invoices { number } }
      }
    }`
    stack.resetCounters()
    await query(stack, page, { first: 5 }, asStaff)
    const few = stack.queries()
    stack.resetCounters()
    const { body } = await query(stack, page, { first: 50 }, asStaff)
    assert.equal(body.errors, undefined, JSON.stringify(body.errors))
    assert.equal(body.data!['orders'].nodes.length, 50)
    assert.deepEqual(stack.queries(), few)
    for (const [name, count] of Object.entries(stack.queries())) assert.ok(count <= 12, `${name} ran ${count} statements`)
  })
})
