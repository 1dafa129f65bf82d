import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { baselineOrder } from '../bench/season/baseline.ts'
import { demandMatrix, skuProfiles } from '../bench/season/demand.ts'
import { runScenario } from '../bench/season/scenario.ts'
import { FIRST_DAY, runSeason, seasonSvg, type Season } from '../bench/season/season.ts'

// `npm run simulate` at a small size: 12 SKUs over 150 days (January to May: the yearly season
// still moves demand by ±20-60 %), through the inventory service on a database of its own
const SKUS = 12
const DAYS = 150
const SEED = 7

describe('a simulated season through the inventory service', () => {
  let season: Season
  before(async () => {
    season = await runSeason({ skus: SKUS, days: DAYS, seed: SEED, baselineBufferPercent: 0, parallel: true })
  })

  it('draws the same demand from the same seed, and other demand from another', () => {
    const profiles = skuProfiles(SKUS, SEED)
    assert.deepEqual(demandMatrix(profiles, DAYS, SEED), season.demand)
    assert.notDeepEqual(demandMatrix(skuProfiles(SKUS, SEED + 1), DAYS, SEED + 1), season.demand)
    // a longer run starts with the same days: each SKU draws from a stream of its own
    assert.deepEqual(demandMatrix(profiles, DAYS + 10, SEED).map((row) => row.slice(0, DAYS)), season.demand)
  })

  it('has fewer stock-out days and lost sales with replenishment than with the baseline', () => {
    const { forecast, baseline } = season.scenarios
    assert.equal(forecast.figures.demandUnits, baseline.figures.demandUnits)
    assert.ok(forecast.figures.stockoutSkuDays < baseline.figures.stockoutSkuDays, `${forecast.figures.stockoutSkuDays} vs ${baseline.figures.stockoutSkuDays}`)
    assert.ok(forecast.figures.lostUnits < baseline.figures.lostUnits, `${forecast.figures.lostUnits} vs ${baseline.figures.lostUnits}`)
    // both actually ran their buyers: purchase orders were placed and received
    for (const { figures } of [forecast, baseline]) {
      assert.ok(figures.purchaseOrders >= SKUS, `${figures.purchaseOrders} purchase orders`)
      assert.ok(figures.unitsReceived > 0)
    }
  })

  it('forecasts each day\'s demand within a bound of the noise the demand is drawn with', () => {
    const { forecastError } = season.scenarios.forecast.figures
    const floor = season.noiseFloor
    // small daily counts are mostly noise: a forecast that knew each day's expected demand still
    // misses by ~22 % (WAPE) here; the service's, learnt from censored sales, stays within 35 % of that
    assert.ok(floor.wapePercent !== null && floor.mapePercent !== null)
    assert.ok(forecastError.wapePercent !== null && forecastError.wapePercent < 1.35 * floor.wapePercent, `WAPE ${forecastError.wapePercent} % (floor ${floor.wapePercent} %)`)
    assert.ok(forecastError.mapePercent !== null && forecastError.mapePercent < 1.35 * floor.mapePercent, `MAPE ${forecastError.mapePercent} % (floor ${floor.mapePercent} %)`)
    assert.ok(forecastError.wapePercent < 35 && forecastError.mapePercent < 50)
  })

  it('accounts for every unit: AVAILABLE = opening + received − sold in the ledger, shipped = sold, INCOMING = open purchase orders', () => {
    for (const { record } of Object.values(season.scenarios)) {
      assert.deepEqual(record.accountingProblems, [])
      const { account } = record
      assert.equal(account.available, account.opening + account.received - account.sold)
      assert.equal(account.sold, record.sold.flat().reduce((a, b) => a + b, 0))
      assert.equal(account.received, record.unitsReceived)
      assert.equal(account.orderLinesOpen + account.received, record.unitsOrdered)
      // the closing stock of the last day is the level's AVAILABLE now
      assert.equal(account.available, record.closingStock.reduce((a, row) => a + row.at(-1)!, 0))
    }
  })

  it('gives the same figures for the same seed', async () => {
    // the first six weeks again, on a new database: a day depends only on the days before it
    const days = 42
    const again = await runScenario({ strategy: 'forecast', profiles: season.profiles, demand: season.demand.map((row) => row.slice(0, days)), firstDay: FIRST_DAY, days })
    const first = season.scenarios.forecast.record
    const head = (grid: readonly (readonly number[])[]) => grid.map((row) => row.slice(0, days))
    assert.deepEqual(again.sold, head(first.sold))
    assert.deepEqual(again.closingStock, head(first.closingStock))
    assert.deepEqual(again.forecast, head(first.forecast))
    assert.deepEqual(again.accountingProblems, [])
  })

  it('draws a chart with both scenarios and the sample SKU', () => {
    const svg = seasonSvg(season)
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    assert.equal((svg.match(/<polyline /g) ?? []).length, 7)
    for (const label of ['with replenishment', 'baseline', 'demand', 'inventory forecast (1 day ahead)']) assert.ok(svg.includes(`>${label}</text>`), label)
  })
})

describe('the baseline buyer', () => {
  const policy = { leadTimeDays: 5, reviewPeriodDays: 7, serviceLevel: 0.95, minimumOrderQuantity: 24, packSize: 12 }

  it('orders only on its review days, up to the trailing mean × (L + R) and its buffer, in whole packs and at least the minimum', () => {
    const sales = [...new Array<number>(10).fill(50), ...new Array<number>(28).fill(10)]
    // the last four weeks: 10 a day; target 10 × 12 = 120; position 100: 20 short, 24 in packs of 12
    assert.equal(baselineOrder({ skuIndex: 0, day: 28, policy, buffer: 0, sales, available: 80, incoming: 20 }), 24)
    // with 30 % on top: target 156, 56 short, 60 in packs
    assert.equal(baselineOrder({ skuIndex: 0, day: 28, policy, buffer: 0.3, sales, available: 80, incoming: 20 }), 60)
    assert.equal(baselineOrder({ skuIndex: 1, day: 28, policy, buffer: 0, sales, available: 80, incoming: 20 }), 0)
    assert.equal(baselineOrder({ skuIndex: 0, day: 28, policy, buffer: 0, sales, available: 110, incoming: 0 }), 24)
    assert.equal(baselineOrder({ skuIndex: 0, day: 28, policy, buffer: 0, sales, available: 120, incoming: 0 }), 0)
  })
})
