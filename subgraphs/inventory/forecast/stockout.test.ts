import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { chooseModelFor } from './chooseModel.ts'
import { forecast, type ForecastPoint } from './forecast.ts'
import { normalCdf } from './normal.ts'
import { daysOfCover, stockoutDay, stockoutProbability, stockoutRisk } from './stockout.ts'
import { syntheticDemand } from './testSeries.ts'

/** `days` days of `mean` a day, each day's error independent with `variance`. */
const steady = (mean: number, variance: number, days: number, firstDay = 100): ForecastPoint[] =>
  Array.from({ length: days }, (_, i) => ({
    day: firstDay + i, mean, lower: 0, upper: 0, variance, cumulativeMean: mean * (i + 1), cumulativeVariance: variance * (i + 1),
  }))

describe('days of cover and the stock-out day', () => {
  it('count the fractional days the stock lasts at the expected demand', () => {
    const points = steady(10, 4, 14)
    assert.equal(daysOfCover(25, points), 2.5)
    assert.equal(stockoutDay(25, points), 102)
    assert.equal(daysOfCover(30, points), 3)
    assert.equal(stockoutDay(30, points), 103)
  })

  it('are zero and the first day when nothing is available', () => {
    assert.equal(daysOfCover(0, steady(10, 4, 3)), 0)
    assert.equal(stockoutDay(-2, steady(10, 4, 3)), 100)
  })

  it('are null when the horizon does not use the stock up, or nothing is expected to sell', () => {
    assert.equal(daysOfCover(1000, steady(10, 4, 14)), null)
    assert.equal(stockoutDay(1000, steady(10, 4, 14)), null)
    assert.equal(daysOfCover(5, steady(0, 1, 14)), null)
  })
})

describe('the probability of a stock-out within the lead time', () => {
  it('is the normal tail of the demand summed over the lead time', () => {
    const points = steady(10, 4, 14)
    assert.ok(Math.abs(stockoutProbability(25, points, 3) - normalCdf((30 - 25) / Math.sqrt(12))) < 1e-12)
    assert.ok(stockoutProbability(25, points, 1) < 1e-12)
    assert.equal(stockoutProbability(25, points, 0), 0)
    assert.equal(stockoutProbability(0, points, 0), 1)
  })

  it('never falls for a longer lead time, even when a later day spreads wider', () => {
    const points: ForecastPoint[] = [
      { ...steady(20, 1, 1)[0]! },
      { day: 101, mean: 0, lower: 0, upper: 0, variance: 10_000, cumulativeMean: 20, cumulativeVariance: 10_001 },
    ]
    assert.ok(stockoutProbability(15, points, 1) > 0.99)
    assert.equal(stockoutProbability(15, points, 2), stockoutProbability(15, points, 1))
  })

  it('rises with the lead time and falls with the stock on a fitted forecast', () => {
    const model = chooseModelFor(syntheticDemand({ days: 364, seed: 21 })).model
    const points = forecast(model, 28)
    let previous = 0
    for (let lead = 0; lead <= 28; lead++) {
      const p = stockoutProbability(800, points, lead)
      assert.ok(p >= previous && p >= 0 && p <= 1, `lead ${lead}: ${p} after ${previous}`)
      previous = p
    }
    assert.ok(previous > 0.99, 'four weeks of ~135 a day use up 800 units')
    previous = 1
    for (let stock = 0; stock <= 5000; stock += 50) {
      const p = stockoutProbability(stock, points, 14)
      assert.ok(p <= previous, `stock ${stock}: ${p} after ${previous}`)
      previous = p
    }
    assert.ok(previous < 1e-6)
  })

  it('answers the three together, and refuses a lead time beyond the forecast', () => {
    const points = steady(10, 4, 7)
    assert.deepEqual(stockoutRisk(25, points, 3), {
      daysOfCover: 2.5, stockoutDay: 102, probabilityWithinLeadTime: stockoutProbability(25, points, 3),
    })
    assert.throws(() => stockoutProbability(25, points, 8), RangeError)
    assert.throws(() => stockoutProbability(25, points, 1.5), RangeError)
  })
})
