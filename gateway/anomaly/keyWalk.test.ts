import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compareNatural, isAdjacent, isSequentialStep } from './keyWalk.ts'
import { seededRandom } from '../../platform/random.ts'
import { shuffled } from './simulatedTraffic.ts'

/** isAdjacent(a, b) is `adjacent` for every pair. */
function assertAdjacency(adjacent: boolean, pairs: readonly (readonly [a: string, b: string])[]): void {
  for (const [a, b] of pairs) assert.equal(isAdjacent(a, b), adjacent, `isAdjacent('${a}', '${b}')`)
}

describe('isAdjacent', () => {
  it('calls identifiers whose one number differs by one adjacent, either way', () => {
    assertAdjacency(true, [['SKU-00041', 'SKU-00042'], ['SKU-00042', 'SKU-00041'], ['TOP-0009-RED', 'TOP-0010-RED'], ['SKU-99', 'SKU-100']])
  })

  it('does not call a repeat, a jump, a change of shape or two changed numbers adjacent', () => {
    assertAdjacency(false, [
      ['SKU-00041', 'SKU-00041'], ['SKU-00041', 'SKU-00043'], ['SKU-00041', 'PRD-00042'], ['TOP-0001-RED', 'TOP-0001-BLUE'], ['var_0001_3', 'var_0002_4'],
    ])
  })

  it('compares numbers longer than a double holds exactly', () => {
    assertAdjacency(true, [['id-123456789012345678901', 'id-123456789012345678902']])
    assertAdjacency(false, [['id-123456789012345678901', 'id-123456789012345678903']])
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
