import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from '../../../platform/random.ts'
import { chooseModelFor } from './chooseModel.ts'
import { dayOf } from './day.ts'
import { forecast, type ForecastPoint } from './forecast.ts'
import { inverseNormalCdf } from './normal.ts'
import { decideReplenishment, needKey, orderQuantity, policyProblems, safetyStock, type ReplenishmentInput, type ReplenishmentPolicy } from './replenishment.ts'
import { syntheticDemand } from './testSeries.ts'

const D = dayOf('2025-03-10')
const steady = (mean: number, variance: number, days: number): ForecastPoint[] =>
  Array.from({ length: days }, (_, i) => ({
    day: D + 1 + i, mean, lower: 0, upper: 0, variance, cumulativeMean: mean * (i + 1), cumulativeVariance: variance * (i + 1),
  }))
const policy: ReplenishmentPolicy = {
  supplierId: 'sup_acme', leadTimeDays: 5, reviewPeriodDays: 7, serviceLevel: 0.95, minimumOrderQuantity: 0, packSize: 12, mode: 'SUGGEST',
}
const input = (overrides: Partial<ReplenishmentInput> = {}): ReplenishmentInput => ({
  sku: 'TSH-BLK-M', locationId: 'loc_wh_east', day: D, available: 40, incoming: 10, forecast: steady(10, 4, 14), policy, ...overrides,
})

describe('order quantities', () => {
  it('round the need up to whole packs', () => {
    assert.equal(orderQuantity(25, 12, 0), 36)
    assert.equal(orderQuantity(24, 12, 0), 24)
    assert.equal(orderQuantity(24 + 1e-12, 12, 0), 24)
    assert.equal(orderQuantity(7.2, 1, 0), 8)
  })

  it('are at least the minimum order quantity, itself in whole packs', () => {
    assert.equal(orderQuantity(5, 12, 30), 36)
    assert.equal(orderQuantity(5, 1, 30), 30)
    assert.equal(orderQuantity(50, 12, 30), 60)
  })

  it('are nothing when nothing is needed', () => {
    assert.equal(orderQuantity(0, 12, 30), 0)
    assert.equal(orderQuantity(-3, 12, 30), 0)
  })

  it('always respect pack size and MOQ, and never exceed the need by a pack or more unless the MOQ asks', () => {
    const random = seededRandom(17)
    for (let i = 0; i < 2000; i++) {
      const need = random() * 500
      const pack = 1 + Math.floor(random() * 48)
      const moq = Math.floor(random() * 200)
      const quantity = orderQuantity(need, pack, moq)
      assert.equal(quantity % pack, 0)
      assert.ok(quantity >= moq && quantity >= need - 1e-9)
      assert.ok(quantity - need < pack || quantity === Math.ceil(moq / pack) * pack, `need ${need}, pack ${pack}, moq ${moq}: ${quantity}`)
    }
  })
})

describe('the replenishment decision', () => {
  it('orders up to lead time + review period + safety stock once the position falls below the reorder point', () => {
    const z = inverseNormalCdf(0.95)
    const decision = decideReplenishment(input())
    assert.equal(decision.inventoryPosition, 50)
    assert.ok(Math.abs(decision.safetyStock - z * Math.sqrt(20)) < 1e-9)
    assert.ok(Math.abs(decision.reorderPoint - (50 + z * Math.sqrt(20))) < 1e-9)
    assert.ok(Math.abs(decision.orderUpTo - (120 + z * Math.sqrt(48))) < 1e-9)
    // 131.4 − 50 = 81.4 → 7 packs of 12
    assert.equal(decision.quantity, 84)
    assert.equal(decision.action, 'suggest')
    assert.equal(decision.expectedArrivalDay, D + 5)
    assert.equal(decision.needKey, needKey('TSH-BLK-M', 'loc_wh_east', D, 7))
  })

  it('places the order itself in AUTO mode', () => {
    assert.equal(decideReplenishment(input({ policy: { ...policy, mode: 'AUTO' } })).action, 'place')
  })

  it('does nothing while the position is above the reorder point, incoming units included', () => {
    const decision = decideReplenishment(input({ available: 40, incoming: 20 }))
    assert.deepEqual([decision.action, decision.quantity, decision.needKey, decision.expectedArrivalDay], ['none', 0, null, null])
  })

  it('keeps more safety stock, and orders more, for a higher service level', () => {
    const at = (serviceLevel: number) => decideReplenishment(input({ available: 0, incoming: 0, policy: { ...policy, serviceLevel, packSize: 1 } }))
    const levels = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]
    const decisions = levels.map(at)
    assert.equal(decisions[0]!.safetyStock, 0)
    for (let i = 1; i < levels.length; i++) {
      assert.ok(decisions[i]!.safetyStock > decisions[i - 1]!.safetyStock)
      assert.ok(decisions[i]!.quantity >= decisions[i - 1]!.quantity)
    }
    assert.equal(safetyStock(0.99, steady(10, 4, 3), 0), 0)
  })

  it('brings the position to the order-up-to level, within one pack, on a fitted forecast', () => {
    const model = chooseModelFor(syntheticDemand({ days: 364, seed: 5, firstDay: D - 363 })).model
    const points = forecast(model, 30)
    const decision = decideReplenishment(input({ available: 300, incoming: 0, forecast: points, policy: { ...policy, packSize: 24, minimumOrderQuantity: 48 } }))
    assert.equal(decision.action, 'suggest')
    assert.equal(decision.quantity % 24, 0)
    const after = decision.inventoryPosition + decision.quantity
    assert.ok(after >= decision.orderUpTo && after < decision.orderUpTo + 24, `${after} vs ${decision.orderUpTo}`)
  })

  it('refuses a forecast shorter than lead time + review period, and a broken policy with every problem named', () => {
    assert.throws(() => decideReplenishment(input({ forecast: steady(10, 4, 11) })), RangeError)
    const broken = { ...policy, supplierId: '', leadTimeDays: -1, reviewPeriodDays: 0, serviceLevel: 1, minimumOrderQuantity: 2.5, packSize: 0 }
    assert.equal(policyProblems(broken).length, 6)
    assert.equal(policyProblems(policy).length, 0)
    assert.throws(() => decideReplenishment(input({ policy: broken })), /leadTimeDays[\s\S]*packSize/)
  })
})

describe('the need key', () => {
  it('is the same on every day of one review window and new in the next', () => {
    const days = Array.from({ length: 21 }, (_, i) => D + i)
    const keys = days.map((day) => needKey('TSH-BLK-M', 'loc_wh_east', day, 7))
    days.forEach((a, i) => days.forEach((b, j) => assert.equal(keys[i] === keys[j], Math.floor(a / 7) === Math.floor(b / 7))))
    assert.equal(needKey('TSH-BLK-M', 'loc_wh_east', D, 1), 'TSH-BLK-M/loc_wh_east/2025-03-10')
  })

  it('tells SKUs and locations apart even when their names hold the separator', () => {
    assert.notEqual(needKey('A/B', 'C', D, 7), needKey('A', 'B/C', D, 7))
    assert.match(needKey('A/B', 'loc 1', D, 1), /^A%2FB\/loc%201\/2025-03-10$/)
  })
})
