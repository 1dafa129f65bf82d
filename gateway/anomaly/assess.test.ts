import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assess } from './assess.ts'
import { FEATURE_RULES, comparable, featuresOf, referenceOf, tripLevel, type Feature, type FeatureValues } from './features.ts'

const atFloor = (feature: Feature) => ({ value: FEATURE_RULES[feature].floor, source: 'floor' as const })

const values = (overrides: Partial<FeatureValues>): FeatureValues => ({
  requests: 0, cost: 0, distinctKeys: 0, walkSteps: 0, walkShare: 0, stockShare: 0, errorShare: 0, ...overrides,
})

/** The busiest normal customer: a click every 2 s, 40 products, in listing order, all reading stock, a refused checkout or two. */
const busiestCustomer = values({ requests: 30, cost: 30 * 772, distinctKeys: 40, walkSteps: 40, walkShare: 1, stockShare: 1, errorShare: 2 / 30 })

describe('tripLevel', () => {
  it('multiplies a rate by the threshold', () => {
    assert.equal(tripLevel('distinctKeys', 40, 4), 160)
  })

  it('multiplies the odds of a share, so the level stays a share', () => {
    assert.ok(Math.abs(tripLevel('walkShare', 0.5, 4) - 0.8) < 1e-9)
    assert.ok(Math.abs(tripLevel('errorShare', 0.1, 4) - 4 / 13) < 1e-9)
    assert.ok(tripLevel('stockShare', 1, 1000) < 1)
  })
})

describe('comparable', () => {
  it('ignores a share over fewer than 20 operations, and keeps a full one under 1', () => {
    assert.equal(comparable('stockShare', values({ requests: 19, stockShare: 1 })), null)
    const full = comparable('stockShare', values({ requests: 20, stockShare: 1 }))
    assert.ok(full !== null && full < 1 && full > 0.97)
  })
})

describe('referenceOf', () => {
  it('takes the highest of floor, cohort and own', () => {
    assert.deepEqual(referenceOf('requests', null, null, 4), { value: 30, source: 'floor' })
    assert.deepEqual(referenceOf('requests', 10, 100, 4), { value: 100, source: 'cohort' })
    assert.deepEqual(referenceOf('requests', 200, 100, 4), { value: 200, source: 'own' })
  })

  it('caps a client\'s own baseline at what would trip it against its cohort', () => {
    assert.deepEqual(referenceOf('distinctKeys', 10_000, null, 4), { value: 160, source: 'own' })
  })
})

describe('assess', () => {
  for (const threshold of [2, 3, 4, 10]) {
    it(`does not throttle the busiest normal customer at threshold ${threshold}`, () => {
      const result = assess(busiestCustomer, atFloor, threshold)
      assert.equal(result.throttle, false, result.reasons.join('\n'))
      assert.ok(result.tripped.every((signal) => signal === 'stockShare'), result.tripped.join())
    })
  }

  it('throttles on one strong signal alone', () => {
    const result = assess(values({ requests: 10, distinctKeys: 161 }), atFloor, 4)
    assert.deepEqual(result.tripped, ['distinctKeys'])
    assert.equal(result.throttle, true)
    assert.match(result.reasons[0] as string, /^distinctKeys 161\/min > 160 \(4 × floor 40\)$/)
  })

  it('does not call many random steps walking, nor a few sequential ones', () => {
    assert.deepEqual(assess(values({ requests: 100, walkSteps: 150, walkShare: 0.5 }), atFloor, 4).tripped, [])
    assert.deepEqual(assess(values({ requests: 50, walkSteps: 50, walkShare: 1 }), atFloor, 4).tripped, [])
    assert.deepEqual(assess(values({ requests: 100, walkSteps: 81, walkShare: 1 }), atFloor, 4).tripped, ['walking'])
  })

  it('throttles on two weak signals together, not on one', () => {
    assert.equal(assess(values({ requests: 121 }), atFloor, 4).throttle, false)
    assert.equal(assess(values({ requests: 121, stockShare: 1 }), atFloor, 4).throttle, true)
    assert.equal(assess(values({ requests: 100, errorShare: 0.5 }), atFloor, 4).throttle, false)
  })

  it('judges a client against its cohort once the cohort\'s norm is higher than the floor', () => {
    const partners = (feature: Feature) => (feature === 'requests' ? { value: 180, source: 'cohort' as const } : feature === 'stockShare' ? { value: 0.997, source: 'cohort' as const } : atFloor(feature))
    const poller = featuresOf({ requests: 180, cost: 7_200, stockReads: 180, errors: 0, distinctKeys: 3, walkSteps: 0, walkSequential: 0 })
    assert.deepEqual(assess(poller, partners, 4).tripped, [])
    assert.deepEqual(assess(poller, atFloor, 4).tripped, ['requests', 'stockShare'])
  })
})
