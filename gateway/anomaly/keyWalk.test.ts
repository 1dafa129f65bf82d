import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compareNatural, isAdjacent, isSequentialStep } from './keyWalk.ts'
import { seededRandom, shuffled } from './simulatedTraffic.ts'

describe('isAdjacent', () => {
  it('calls identifiers whose one number differs by one adjacent, either way', () => {
    assert.equal(isAdjacent('SKU-00041', 'SKU-00042'), true)
    assert.equal(isAdjacent('SKU-00042', 'SKU-00041'), true)
    assert.equal(isAdjacent('TOP-0009-RED', 'TOP-0010-RED'), true)
    assert.equal(isAdjacent('SKU-99', 'SKU-100'), true)
  })

  it('does not call a repeat, a jump, a change of shape or two changed numbers adjacent', () => {
    assert.equal(isAdjacent('SKU-00041', 'SKU-00041'), false)
    assert.equal(isAdjacent('SKU-00041', 'SKU-00043'), false)
    assert.equal(isAdjacent('SKU-00041', 'PRD-00042'), false)
    assert.equal(isAdjacent('TOP-0001-RED', 'TOP-0001-BLUE'), false)
    assert.equal(isAdjacent('var_0001_3', 'var_0002_4'), false)
  })

  it('compares numbers longer than a double holds exactly', () => {
    assert.equal(isAdjacent('id-123456789012345678901', 'id-123456789012345678902'), true)
    assert.equal(isAdjacent('id-123456789012345678901', 'id-123456789012345678903'), false)
  })
})

describe('compareNatural', () => {
  it('orders numbers by value and the rest by code unit', () => {
    assert.ok(compareNatural('SKU-9', 'SKU-10') < 0)
    assert.ok(compareNatural('prod_0099', 'prod_0100') < 0)
    assert.ok(compareNatural('amber-scarf', 'classic-tee') < 0)
    assert.equal(compareNatural('SKU-007', 'SKU-7'), 0)
  })
})

describe('isSequentialStep', () => {
  it('counts every step of an ascending or descending walk, and of a listing read in order', () => {
    const skus = Array.from({ length: 50 }, (_, i) => `SKU-${String(i + 1).padStart(5, '0')}`)
    for (let i = 1; i < skus.length; i++) assert.equal(isSequentialStep(skus[i - 1] as string, skus[i] as string), true)
    for (let i = skus.length - 1; i > 0; i--) assert.equal(isSequentialStep(skus[i] as string, skus[i - 1] as string), true)
    assert.equal(isSequentialStep('amber-scarf-014', 'classic-tee-002'), true)
  })

  it('counts about half the steps of a random order, as chance ascends', () => {
    const order = shuffled(seededRandom(3), 2_000).map((n) => `SKU-${String(n).padStart(5, '0')}`)
    let sequential = 0
    for (let i = 1; i < order.length; i++) if (isSequentialStep(order[i - 1] as string, order[i] as string)) sequential++
    const share = sequential / (order.length - 1)
    assert.ok(share > 0.45 && share < 0.55, `share ${share}`)
  })
})
