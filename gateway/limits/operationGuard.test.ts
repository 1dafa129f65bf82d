import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse, type OperationDefinitionNode } from 'graphql'
import { apiSchemaOf } from '../../contracts/buildManifest.ts'
import { loadConfig } from '../../platform/config.ts'
import { customer, staff } from '../../platform/testing.ts'
import { ANONYMOUS } from '../../platform/viewer.ts'
import { createOperationGuard } from './operationGuard.ts'

const supergraph = readFileSync('supergraph.graphql', 'utf8')
const schema = apiSchemaOf(supergraph)

describe('the operation guard, measuring one document object many times (as Apollo hands it over)', () => {
  const guard = createOperationGuard(loadConfig({}))
  guard.update(supergraph)
  const document = parse('query Page($n: Int) { products(first: $n) { nodes { id } } }')
  const operation = document.definitions[0] as OperationDefinitionNode

  it('measures each set of variables for itself', () => {
    const cost = (n: number) => guard.admit(schema, document, operation, { n }, ANONYMOUS).measures.cost
    const small = cost(2)
    const large = cost(90)
    assert.ok(large > small, `${large} > ${small}`)
    assert.equal(cost(2), small)
  })

  it('authorizes each kind of viewer for itself', () => {
    const checkout = parse('mutation { checkoutComplete(input: { cartId: "c", idempotencyKey: "k", paymentToken: "tok_ok" }) { order { id } } }')
    const mutation = checkout.definitions[0] as OperationDefinitionNode
    assert.equal(guard.authorize(schema, checkout, mutation, ANONYMOUS).kind, 'refused')
    assert.equal(guard.authorize(schema, checkout, mutation, customer('c_1')).kind, 'allowed')
    assert.equal(guard.authorize(schema, checkout, mutation, ANONYMOUS).kind, 'refused')
    const prices = parse('mutation { variantPricesSet(input: { idempotencyKey: "k", sku: "s", prices: [] }) { userErrors { code } } }')
    const set = prices.definitions[0] as OperationDefinitionNode
    assert.equal(guard.authorize(schema, prices, set, customer('c_1')).kind, 'refused')
    assert.equal(guard.authorize(schema, prices, set, staff()).kind, 'allowed')
    assert.equal(guard.authorize(schema, prices, set, customer('c_2')).kind, 'refused')
  })
})
