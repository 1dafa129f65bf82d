import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from '../../../platform/random.ts'
import { chooseModel, chooseModelFor, holdoutDays } from './chooseModel.ts'
import { dayOf } from './day.ts'
import { forecast } from './forecast.ts'
import { inverseNormalCdf } from './normal.ts'
import { fitModel, NO_HISTORY_VARIANCE, observe, oneStepVariance, type DemandModel } from './models.ts'
import { addDemand, emptySeries, type DemandHistory } from './series.ts'
import { syntheticDemand } from './testSeries.ts'

const D = dayOf('2025-03-10')
const history = (values: number[]): DemandHistory => ({ firstDay: D, values })

describe('models for short histories', () => {
  it('forecasts zero with a spread of its own when there is no history', () => {
    const choice = chooseModelFor(history([]))
    assert.equal(choice.model.kind, 'NONE')
    assert.equal(choice.holdout, null)
    const points = forecast(choice.model, 5)
    assert.equal(points[0]!.day, D)
    assert.ok(points.every((p) => p.mean === 0 && p.lower === 0))
    assert.equal(points[0]!.upper, inverseNormalCdf(0.9) * Math.sqrt(NO_HISTORY_VARIANCE))
    assert.equal(points[4]!.cumulativeVariance, 5 * NO_HISTORY_VARIANCE)
  })

  it('forecasts the mean of what there is under a week, spread at least as a Poisson count', () => {
    const choice = chooseModelFor(history([4, 6, 5]))
    assert.equal(choice.model.kind, 'MEAN')
    assert.equal(choice.holdout, null)
    const points = forecast(choice.model, 3)
    assert.deepEqual(points.map((p) => p.mean), [5, 5, 5])
    // sample variance 1, below the mean 5: the Poisson floor wins; the mean's own error adds 1/n
    assert.equal(oneStepVariance(choice.model), 5)
    assert.ok(Math.abs(points[0]!.variance - 5 * (1 + 1 / 3)) < 1e-9)
    assert.ok(Math.abs(points[2]!.cumulativeVariance - (3 * 5 + (9 * 5) / 3)) < 1e-9)
  })

  it('carries a mean forward one day at a time exactly as it would fit it', () => {
    let model: DemandModel = fitModel('NONE', history([]))
    const values = [3, 0, 7, 2, 2]
    values.forEach((value, t) => (model = observe(model, D + t, value)))
    const fitted = fitModel('MEAN', history(values))
    // what differs is bookkeeping: when it was fitted, and the recent errors it has seen
    assert.equal(model.kind, 'MEAN')
    assert.equal(model.through, fitted.through)
    assert.deepEqual(forecast(model, 7), forecast(fitted, 7))
  })

  it('holds out a quarter of the history, one to 28 days, none under a week', () => {
    assert.deepEqual([0, 6, 7, 10, 20, 100, 364].map(holdoutDays), [0, 0, 1, 2, 5, 25, 28])
  })

  it('tries only the models the training days are enough for', () => {
    const ten = chooseModelFor(syntheticDemand({ days: 10, seed: 5, firstDay: D }))
    assert.deepEqual(ten.candidates.map((c) => c.kind), ['MEAN', 'SIMPLE_SMOOTHING', 'SEASONAL_NAIVE'])
    const twenty = chooseModelFor(syntheticDemand({ days: 20, seed: 5, firstDay: D }))
    assert.deepEqual(twenty.candidates.map((c) => c.kind), ['MEAN', 'SIMPLE_SMOOTHING', 'SEASONAL_NAIVE', 'HOLT_WINTERS'])
  })

  it('refits the winner on the whole history, so it is current through its last day', () => {
    const data = syntheticDemand({ days: 12, seed: 8, firstDay: D })
    const choice = chooseModelFor(data)
    assert.equal(choice.model.through, D + 11)
    assert.equal(choice.model.fittedThrough, D + 11)
    assert.ok(choice.holdout !== null && choice.candidates.every((c) => c.absoluteError >= choice.holdout!.absoluteError))
  })
})

describe('choosing a model on a year of history', () => {
  it('picks Holt-Winters on weekly-seasonal demand and reports its holdout error', (t) => {
    for (let seed = 1; seed <= 10; seed++) {
      const started = performance.now()
      const choice = chooseModelFor(syntheticDemand({ days: 364, seed }))
      const elapsed = performance.now() - started
      if (seed <= 3) t.diagnostic(`seed ${seed}: ${choice.candidates.map((c) => `${c.kind} WAPE ${(c.wape! * 100).toFixed(1)} %`).join(', ')}; chosen in ${elapsed.toFixed(1)} ms`)
      assert.equal(choice.model.kind, 'HOLT_WINTERS')
      assert.equal(choice.holdout?.days, 28)
      assert.ok(choice.holdout!.mape! < 0.15)
    }
  })

  it('keeps the candidate with the least holdout error on flat, unseasonal demand', () => {
    const flat = syntheticDemand({ days: 200, seed: 4, pattern: [1, 1, 1, 1, 1, 1, 1], trend: 0, noise: 0.2, base: 30 })
    const choice = chooseModelFor(flat)
    const best = Math.min(...choice.candidates.map((c) => c.wape!))
    assert.equal(choice.holdout!.wape, best)
    assert.ok(best < 0.2, `WAPE ${best}`)
  })

  it('copes with a slow mover: mostly zero days, MAPE undefined on them, WAPE still measured', () => {
    const random = seededRandom(9)
    const values = Array.from({ length: 120 }, () => (random() < 0.15 ? 1 + Math.floor(random() * 3) : 0))
    const choice = chooseModelFor(history(values))
    assert.ok(choice.holdout !== null && choice.holdout.wape !== null)
    assert.ok(forecast(choice.model, 28).every((p) => p.mean >= 0 && p.upper > 0))
  })

  it('reads a stored series through a day, zeros after its last event', () => {
    let series = emptySeries()
    const data = syntheticDemand({ days: 60, seed: 2, firstDay: D })
    data.values.forEach((value, t) => (series = addDemand(series, D + t, value)))
    const choice = chooseModel(series, D + 70)
    assert.equal(choice.model.through, D + 70)
    assert.deepEqual(chooseModel(series, D + 59), chooseModelFor(data))
  })
})
