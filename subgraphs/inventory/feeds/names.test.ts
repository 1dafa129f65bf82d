import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assignMaximum } from './assign.ts'
import { headerTokens, jaroWinkler } from './names.ts'

describe('headerTokens', () => {
  it('splits separators, brackets, dots and camelCase, drops accents and case', () => {
    assert.deepEqual(headerTokens('Item No.'), ['item', 'no'])
    assert.deepEqual(headerTokens('Qty (cases)'), ['qty', 'cases'])
    assert.deepEqual(headerTokens('quantity.sellable'), ['quantity', 'sellable'])
    assert.deepEqual(headerTokens('snapshotAt'), ['snapshot', 'at'])
    assert.deepEqual(headerTokens('SKUCode'), ['sku', 'code'])
    assert.deepEqual(headerTokens('Entrepôt_ID'), ['entrepot', 'id'])
  })
})

describe('jaroWinkler', () => {
  it('gives the published values', () => {
    // Winkler's examples, as every implementation reproduces them
    assert.equal(jaroWinkler('MARTHA', 'MARHTA').toFixed(3), '0.961')
    assert.equal(jaroWinkler('DWAYNE', 'DUANE').toFixed(3), '0.840')
    assert.equal(jaroWinkler('DIXON', 'DICKSONX').toFixed(3), '0.813')
  })

  it('is 1 for equal strings and 0 with nothing in common', () => {
    assert.equal(jaroWinkler('warehouse', 'warehouse'), 1)
    assert.equal(jaroWinkler('abc', 'xyz'), 0)
    assert.equal(jaroWinkler('', 'qty'), 0)
  })
})

describe('assignMaximum', () => {
  it('finds the assignment greedy choice misses', () => {
    // greedy takes 0.9 (row 0 → col 0), leaving 0.1: the best total is 0.8 + 0.85
    assert.deepEqual(assignMaximum([[0.9, 0.8], [0.85, 0.1]]), [1, 0])
  })

  it('leaves a row unassigned rather than give it a column scoring nothing', () => {
    assert.deepEqual(assignMaximum([[0.5, 0], [0.6, 0], [0, 0]]), [null, 0, null])
    assert.deepEqual(assignMaximum([[0.4, 0.3, 0.9]]), [2])
    assert.deepEqual(assignMaximum([]), [])
  })
})
