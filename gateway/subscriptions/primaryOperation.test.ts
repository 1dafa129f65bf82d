import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parse, print } from 'graphql'
import { CURSOR_KEY, preparePrimaryOperation } from './primaryOperation.ts'

const fetch = (operation: string, variableUsages: string[] = []) => ({ operation, operationName: 'Feed__inventory__0', variableUsages })
const normalized = (query: string) => print(parse(query))

describe('preparePrimaryOperation', () => {
  it('binds a resumable root field\'s after to a gateway variable and selects the cursor', () => {
    const primary = preparePrimaryOperation(
      fetch('subscription Feed__inventory__0($filter: StockLevelFilterInput!, $after: String) { stock: stockLevelChanged(filter: $filter, after: $after) { sku } }'),
      { filter: { skus: ['A'] }, after: 'c1' },
      (field) => field === 'stockLevelChanged',
    )
    assert.equal(
      primary.query,
      normalized(`subscription Feed__inventory__0($filter: StockLevelFilterInput!, $__gatewayAfter: String) {
        stock: stockLevelChanged(filter: $filter, after: $__gatewayAfter) { sku ${CURSOR_KEY}: cursor } }`),
    )
    assert.equal(primary.rootKey, 'stock')
    assert.equal(primary.initialCursor, 'c1')
    assert.deepEqual(primary.variables, { filter: { skus: ['A'] } })
    assert.deepEqual(primary.variablesFrom('c9'), { filter: { skus: ['A'] }, __gatewayAfter: 'c9' })
  })

  it('takes a literal after as the starting cursor, and adds after when the client sent none', () => {
    const literal = preparePrimaryOperation(fetch('subscription { stockLevelChanged(filter: { skus: ["A"] }, after: "c2") { sku } }'), {}, () => true)
    assert.equal(literal.initialCursor, 'c2')
    assert.match(literal.query, /after: \$__gatewayAfter/)
    const none = preparePrimaryOperation(fetch('subscription { stockLevelChanged(filter: { skus: ["A"] }) { sku } }'), {}, () => true)
    assert.equal(none.initialCursor, null)
    assert.match(none.query, /after: \$__gatewayAfter/)
    assert.deepEqual(none.variablesFrom(null), { __gatewayAfter: null })
  })

  it('leaves a field that cannot resume as the planner wrote it', () => {
    const operation = 'subscription ($id: ID!) { somethingElse(id: $id) { id } }'
    const primary = preparePrimaryOperation(fetch(operation), { id: '1', unused: true }, () => false)
    assert.equal(primary.query, operation)
    assert.equal(primary.resumable, false)
    assert.deepEqual(primary.variablesFrom('ignored'), { id: '1' })
  })
})
