import type { ScenarioRecord } from './scenario.ts'

/**
 * What a scenario comes to, from its record and the demand it faced:
 * - stock-out days: SKU-days with demand left unmet;
 * - lost sales: units asked for and not sold, and their share of all units asked for;
 * - stock held: AVAILABLE at each day's close, summed over the SKUs and averaged over the days,
 *   and as days of cover (that stock over the mean daily demand);
 * - forecast error of the morning's forecast of the day's demand against the demand itself (not
 *   the sales, which stock-outs cut), after the first four weeks (the models' warm-up):
 *   MAPE over SKU-days with demand, WAPE = Σ|forecast − demand| / Σ demand.
 */
export interface ScenarioFigures {
  readonly skuDays: number
  readonly demandUnits: number
  readonly soldUnits: number
  readonly lostUnits: number
  readonly lostPercent: number
  readonly stockoutSkuDays: number
  readonly stockoutPercent: number
  readonly averageStockUnits: number
  readonly daysOfCover: number
  readonly purchaseOrders: number
  readonly unitsOrdered: number
  readonly unitsReceived: number
  readonly strandedSkuDays: number
  readonly forecastError: ForecastError
}

export interface ForecastError {
  readonly fromDay: number
  readonly mapePercent: number | null
  readonly wapePercent: number | null
}

/** Days of history before forecast errors count. */
export const FORECAST_WARMUP_DAYS = 28

export function scenarioFigures(record: ScenarioRecord, demand: readonly (readonly number[])[]): ScenarioFigures {
  const days = demand[0]?.length ?? 0
  let demandUnits = 0
  let soldUnits = 0
  let stockouts = 0
  let stockSum = 0
  demand.forEach((row, s) => {
    row.forEach((asked, d) => {
      const sold = record.sold[s]![d]!
      demandUnits += asked
      soldUnits += sold
      if (sold < asked) stockouts++
      stockSum += record.closingStock[s]![d]!
    })
  })
  const skuDays = demand.length * days
  const averageStockUnits = days === 0 ? 0 : stockSum / days
  const dailyDemand = days === 0 ? 0 : demandUnits / days
  return {
    skuDays,
    demandUnits,
    soldUnits,
    lostUnits: demandUnits - soldUnits,
    lostPercent: percent(demandUnits - soldUnits, demandUnits),
    stockoutSkuDays: stockouts,
    stockoutPercent: percent(stockouts, skuDays),
    averageStockUnits: round(averageStockUnits, 0),
    daysOfCover: dailyDemand === 0 ? 0 : round(averageStockUnits / dailyDemand, 1),
    purchaseOrders: record.purchaseOrders,
    unitsOrdered: record.unitsOrdered,
    unitsReceived: record.unitsReceived,
    strandedSkuDays: record.strandedSkuDays,
    forecastError: forecastError(record.forecast, demand),
  }
}

/** MAPE and WAPE of forecasts [sku][day] against demand [sku][day], after the warm-up. */
export function forecastError(forecast: readonly (readonly number[])[], demand: readonly (readonly number[])[]): ForecastError {
  let apeSum = 0
  let apeCount = 0
  let absError = 0
  let actual = 0
  demand.forEach((row, s) => {
    row.forEach((asked, d) => {
      if (d < FORECAST_WARMUP_DAYS) return
      const error = Math.abs(forecast[s]![d]! - asked)
      absError += error
      actual += asked
      if (asked > 0) {
        apeSum += error / asked
        apeCount++
      }
    })
  })
  return {
    fromDay: FORECAST_WARMUP_DAYS + 1,
    mapePercent: apeCount === 0 ? null : round((100 * apeSum) / apeCount, 1),
    wapePercent: actual === 0 ? null : round((100 * absError) / actual, 1),
  }
}

/** Per day: AVAILABLE at close summed over the SKUs, and the SKUs with demand left unmet. */
export function dailyTotals(record: ScenarioRecord, demand: readonly (readonly number[])[]): { stockHeld: number[]; stockouts: number[] } {
  const days = demand[0]?.length ?? 0
  const stockHeld = new Array<number>(days).fill(0)
  const stockouts = new Array<number>(days).fill(0)
  demand.forEach((row, s) => {
    row.forEach((asked, d) => {
      stockHeld[d]! += record.closingStock[s]![d]!
      if (record.sold[s]![d]! < asked) stockouts[d]!++
    })
  })
  return { stockHeld, stockouts }
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : round((100 * part) / whole, 2))
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits
