import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { mape, wape } from './accuracy.ts'
import { forecast } from './forecast.ts'
import { pointForecast, runSmoothing, stepSmoothing, type SmoothingComponents, type SmoothingParameters } from './holtWinters.ts'
import { minimize } from './minimize.ts'
import { catchUp, fitModel, isMean, observe, refitDue, smoothingModel, type DemandModel, type SmoothingModel } from './models.ts'
import { addDemand, emptySeries } from './series.ts'
import { gaussian, splitHistory, syntheticDemand } from './testSeries.ts'

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1)
const smoothing = (model: DemandModel): SmoothingModel => {
  if (isMean(model)) throw new Error(`expected a smoothing model, got ${model.kind}`)
  return model
}

describe('Holt-Winters on weekly-seasonal demand', () => {
  // 364 days: mean 100 rising 0.1 a day, weekday multipliers 0.7 to 1.35, 10 % noise; the last 28 held out
  it('forecasts a 28-day holdout within 15 % MAPE on every one of 30 synthetic series', (t) => {
    const mapes: number[] = []
    const wapes: number[] = []
    for (const seed of SEEDS) {
      const [training, actual] = splitHistory(syntheticDemand({ days: 364, seed }), 336)
      const predicted = forecast(fitModel('HOLT_WINTERS', training), 28).map((p) => p.mean)
      mapes.push(mape(actual, predicted)!)
      wapes.push(wape(actual, predicted)!)
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    t.diagnostic(`MAPE mean ${(mean(mapes) * 100).toFixed(1)} %, worst ${(Math.max(...mapes) * 100).toFixed(1)} %; WAPE mean ${(mean(wapes) * 100).toFixed(1)} %`)
    assert.ok(Math.max(...mapes) < 0.15, `worst MAPE ${Math.max(...mapes)}`)
    // the noise alone costs E|N(0, 0.1)| ≈ 8 %: the mean cannot be far above it
    assert.ok(mean(mapes) < 0.1, `mean MAPE ${mean(mapes)}`)
  })

  it('holds about 80 % of actual days in its 80 % intervals, and widens them with the horizon', (t) => {
    let inside = 0
    let total = 0
    let widening = 0
    for (const seed of SEEDS) {
      const [training, actual] = splitHistory(syntheticDemand({ days: 364, seed }), 336)
      const points = forecast(fitModel('HOLT_WINTERS', training), 28, 0.8)
      points.forEach((p, i) => {
        total++
        if (actual[i]! >= p.lower && actual[i]! <= p.upper) inside++
      })
      if (points[27]!.variance > points[0]!.variance) widening++
    }
    t.diagnostic(`80 % intervals held ${((inside / total) * 100).toFixed(1)} % of ${total} actual days`)
    assert.ok(inside / total >= 0.7 && inside / total <= 0.9, `coverage ${inside / total}`)
    assert.equal(widening, SEEDS.length)
  })

  it('gives the variances the model itself produces, per day and for the sum over days', () => {
    // simulate the model's own process from a fixed state, then compare with the formulas
    const parameters: SmoothingParameters = { alpha: 0.3, beta: 0.1, gamma: 0.2 }
    const start: SmoothingComponents = { level: 1000, trend: 1, season: [5, -5, 10, -10, 0, 3, -3] }
    const sigma = 10
    const state: SmoothingModel = {
      kind: 'HOLT_WINTERS', parameters, components: start, through: 0, fittedThrough: 0, recentSquaredError: sigma * sigma,
      // a long residual record whose variance per degree of freedom is exactly σ²
      residuals: { count: 1_000_003, sumSquares: sigma * sigma * 1_000_000 },
    }
    const horizon = 21
    const points = forecast(state, horizon)
    const normal = gaussian(7)
    const paths = 4000
    const dayErrors = Array.from({ length: horizon }, () => [] as number[])
    const sums: number[] = []
    for (let path = 0; path < paths; path++) {
      let components = start
      let sum = 0
      for (let h = 1; h <= horizon; h++) {
        const day = state.through + h
        // the actual is the model's own one-step forecast plus a fresh error
        const actual = pointForecast(components, day - 1, 1) + sigma * normal()
        components = stepSmoothing(components, parameters, day, actual).components
        dayErrors[h - 1]!.push(actual - points[h - 1]!.mean)
        sum += actual - points[h - 1]!.mean
      }
      sums.push(sum)
    }
    const variance = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length
      return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)
    }
    for (const h of [1, 7, 8, 21]) {
      const ratio = variance(dayErrors[h - 1]!) / points[h - 1]!.variance
      assert.ok(Math.abs(ratio - 1) < 0.1, `day ${h}: simulated / formula variance = ${ratio}`)
    }
    const ratio = variance(sums) / points[horizon - 1]!.cumulativeVariance
    assert.ok(Math.abs(ratio - 1) < 0.1, `sum over ${horizon} days: simulated / formula variance = ${ratio}`)
    const independent = points.reduce((a, p) => a + p.variance, 0)
    assert.ok(points[horizon - 1]!.cumulativeVariance > 1.5 * independent, 'correlated days: the sum spreads more than the days alone')
  })

  it('never forecasts negative demand, even on a series falling to nothing', () => {
    const falling = syntheticDemand({ days: 70, seed: 3, base: 60, trend: -1, noise: 0.05 })
    const points = forecast(fitModel('HOLT_WINTERS', falling), 28)
    assert.ok(points.every((p) => p.mean >= 0 && p.lower >= 0 && p.upper >= p.mean))
    assert.equal(points.at(-1)!.mean, 0)
  })

  it('fits one 364-day series in bounded work (timings printed, not asserted)', (t) => {
    const histories = SEEDS.slice(0, 10).map((seed) => syntheticDemand({ days: 364, seed }))
    fitModel('HOLT_WINTERS', histories[0]!)
    const times = histories.map((history) => {
      const started = performance.now()
      fitModel('HOLT_WINTERS', history)
      return performance.now() - started
    }).sort((a, b) => a - b)
    t.diagnostic(`Holt-Winters fit on 364 days: median ${times[5]!.toFixed(2)} ms, slowest ${times[9]!.toFixed(2)} ms`)
  })
})

describe('the incremental update', () => {
  const history = syntheticDemand({ days: 120, seed: 11 })
  const [first, rest] = splitHistory(history, 90)

  it('matches running the same weights over the whole history, exactly', () => {
    const fitted = smoothing(fitModel('HOLT_WINTERS', first))
    let model: DemandModel = fitted
    rest.forEach((value, i) => (model = observe(model, first.firstDay + 90 + i, value)))
    const batch = smoothingModel('HOLT_WINTERS', history, fitted.parameters)
    assert.deepEqual(smoothing(model).components, batch.components)
    assert.deepEqual(smoothing(model).residuals, batch.residuals)
    assert.deepEqual(forecast(model, 14), forecast(batch, 14))
  })

  it('stays within a few percent of a full refit a month later', () => {
    let model: DemandModel = fitModel('HOLT_WINTERS', first)
    rest.forEach((value, i) => (model = observe(model, first.firstDay + 90 + i, value)))
    const refit = fitModel('HOLT_WINTERS', history)
    const carried = forecast(model, 28).map((p) => p.mean)
    const fresh = forecast(refit, 28).map((p) => p.mean)
    assert.ok(wape(fresh, carried)! < 0.05, `carried forward vs refit: WAPE ${wape(fresh, carried)}`)
  })

  it('catches up from a stored series, reading days without events as zeros', () => {
    let series = emptySeries()
    history.values.forEach((value, t) => (series = addDemand(series, history.firstDay + t, value)))
    const fitted = fitModel('HOLT_WINTERS', first)
    const caught = catchUp(fitted, series, history.firstDay + 119)
    let stepped: DemandModel = fitted
    rest.forEach((value, i) => (stepped = observe(stepped, first.firstDay + 90 + i, value)))
    assert.deepEqual(caught, stepped)
    const idle = catchUp(caught, series, history.firstDay + 122)
    assert.equal(idle.through, history.firstDay + 122)
  })

  it('only takes the next day', () => {
    const model = fitModel('HOLT_WINTERS', first)
    assert.throws(() => observe(model, model.through + 2, 5), RangeError)
    assert.throws(() => observe(model, model.through, 5), RangeError)
  })

  it('survives JSON: a stored state forecasts the same', () => {
    const model = fitModel('HOLT_WINTERS', first)
    assert.deepEqual(forecast(JSON.parse(JSON.stringify(model)) as DemandModel, 7), forecast(model, 7))
  })

  it('asks for a refit a week after the last, or sooner when demand shifts', () => {
    const model = fitModel('HOLT_WINTERS', first)
    assert.equal(refitDue(model, model.through + 1), false)
    assert.equal(refitDue(model, model.fittedThrough + 7), true)
    let shifted: DemandModel = model
    for (let i = 1; i <= 3; i++) shifted = observe(shifted, model.through + i, 400)
    assert.equal(refitDue(shifted, shifted.through + 1), true)
    let steady: DemandModel = model
    rest.slice(0, 3).forEach((value, i) => (steady = observe(steady, model.through + 1 + i, value)))
    assert.equal(refitDue(steady, steady.through + 1), false)
  })
})

describe('the bounded minimizer', () => {
  it('finds a minimum off the grid and stays inside its bounds and budget', () => {
    const loss = ([x, y]: readonly number[]) => (x! - 0.437) ** 2 + 3 * (y! - 0.061) ** 2
    const found = minimize(loss, { grid: [[0, 0.5, 1], [0, 0.5, 1]], bounds: [[0, 1], [0, 1]], budget: 200, tolerance: 1e-4 })
    assert.ok(Math.abs(found.point[0]! - 0.437) < 1e-3 && Math.abs(found.point[1]! - 0.061) < 1e-3, `${found.point}`)
    assert.ok(found.evaluations <= 9 + 200)
    const edge = minimize(([x]) => -x!, { grid: [[0.1]], bounds: [[0, 0.3]], budget: 50 })
    assert.equal(edge.point[0], 0.3)
    assert.ok(edge.evaluations <= 51)
  })

  it('runs the recursion the same way one day at a time as over a whole array', () => {
    const parameters = { alpha: 0.4, beta: 0.05, gamma: 0.3 }
    const start: SmoothingComponents = { level: 10, trend: 0.5, season: [1, 2, 3, -1, -2, -3, 0] }
    const values = [12, 9, 14, 7, 11, 13, 8, 10]
    let components = start
    values.forEach((value, t) => (components = stepSmoothing(components, parameters, 100 + t, value).components))
    assert.deepEqual(components, runSmoothing(values, 100, start, parameters, 0).components)
  })
})
