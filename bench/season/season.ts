import { ensureTestTemplate } from '../../platform/testing.ts'
import { dayOf } from '../../subgraphs/inventory/forecast/day.ts'
import { inventory } from '../../subgraphs/inventory/subgraph.ts'
import { BASELINE_WINDOW_DAYS } from './baseline.ts'
import { seasonChart } from './chart.ts'
import { demandMatrix, expectedDemand, skuProfiles, type SkuProfile } from './demand.ts'
import { dailyTotals, forecastError, scenarioFigures, type ForecastError, type ScenarioFigures } from './figures.ts'
import { runScenario, type ScenarioInput, type ScenarioRecord, type Strategy } from './scenario.ts'
import { runScenarioInWorker } from './scenarioWorker.ts'

/**
 * A simulated season: the same seeded demand run twice through the inventory service, once with
 * its forecasts and replenishment policies (drafts approved at once) and once with the baseline
 * buyer (baseline.ts), each on a database of its own.
 */
export interface SeasonOptions {
  readonly skus: number
  readonly days: number
  readonly seed: number
  /** The baseline's buffer on top of its order-up-to level, in percent (0: none). */
  readonly baselineBufferPercent: number
  /** Both scenarios at once, each in a worker thread (true), or one after the other in this thread. */
  readonly parallel: boolean
  /** Told after each simulated day of each scenario. */
  readonly onDay?: (strategy: Strategy, day: number) => void
}

export interface Season {
  readonly options: Omit<SeasonOptions, 'onDay' | 'parallel'>
  readonly firstDay: number
  readonly profiles: readonly SkuProfile[]
  readonly demand: readonly (readonly number[])[]
  readonly scenarios: Readonly<Record<Strategy, { readonly record: ScenarioRecord; readonly figures: ScenarioFigures }>>
  /**
   * The error of a forecast that knew each day's expected demand (season, weekday and trend,
   * without the noise): the floor no forecast of this demand gets under.
   */
  readonly noiseFloor: ForecastError
}

/** The first simulated day: a Monday at the start of a year, so weekday profiles line up with the calendar. */
export const FIRST_DAY = dayOf('2024-01-01')

export const STRATEGIES: readonly Strategy[] = ['forecast', 'baseline']

/** What each scenario does, in a line. */
export function strategyLabel(strategy: Strategy, baselineBufferPercent: number): string {
  if (strategy === 'forecast') return 'with replenishment: the service\'s forecasts and policies; its drafts approved at once, received after the lead time'
  const buffer = baselineBufferPercent === 0 ? '; no safety stock' : ` + ${baselineBufferPercent} % as a buffer`
  return `baseline: every review period R, order up to the trailing ${BASELINE_WINDOW_DAYS}-day mean of sales × (L + R)${buffer}; no season, no trend`
}

export async function runSeason(options: SeasonOptions): Promise<Season> {
  const profiles = skuProfiles(options.skus, options.seed)
  const demand = demandMatrix(profiles, options.days, options.seed)
  const run = async (strategy: Strategy) => {
    const input: ScenarioInput = {
      strategy, profiles, demand, firstDay: FIRST_DAY, days: options.days, baselineBuffer: options.baselineBufferPercent / 100,
      ...(options.onDay ? { onDay: (d: number) => options.onDay!(strategy, d) } : {}),
    }
    const record = await (options.parallel ? runScenarioInWorker(input) : runScenario(input))
    return { record, figures: scenarioFigures(record, demand) }
  }
  // the workers share this process's pid, which names a template database while it is built on
  // PostgreSQL: build it here first, so neither worker has to
  if (options.parallel) await ensureTestTemplate([inventory])
  const [forecast, baseline] = options.parallel ? await Promise.all([run('forecast'), run('baseline')]) : [await run('forecast'), await run('baseline')]
  const expected = profiles.map((p) => Array.from({ length: options.days }, (_, d) => expectedDemand(p, d)))
  return {
    options: { skus: options.skus, days: options.days, seed: options.seed, baselineBufferPercent: options.baselineBufferPercent },
    firstDay: FIRST_DAY, profiles, demand, scenarios: { forecast, baseline }, noiseFloor: forecastError(expected, demand),
  }
}

/** The SKU the chart follows: the busiest, whose numbers read best on a chart. */
export function sampleSkuIndex(season: Season): number {
  let best = 0
  season.demand.forEach((row, s) => {
    if (sum(row) > sum(season.demand[best]!)) best = s
  })
  return best
}

const COLORS: Readonly<Record<Strategy, string>> = { forecast: '#1f77b4', baseline: '#e8730c' }

/** Stock held and stock-outs per day for both scenarios, and forecast against demand for the sample SKU. */
export function seasonSvg(season: Season): string {
  const daily = Object.fromEntries(STRATEGIES.map((s) => [s, dailyTotals(season.scenarios[s].record, season.demand)])) as Record<Strategy, ReturnType<typeof dailyTotals>>
  const sample = sampleSkuIndex(season)
  const sku = season.profiles[sample]!.sku
  const short = { forecast: 'with replenishment', baseline: 'baseline' } as const
  const { skus, days, seed, baselineBufferPercent } = season.options
  const buffer = baselineBufferPercent === 0 ? '' : `, baseline buffer ${baselineBufferPercent} %`
  return seasonChart(`Simulated season: ${skus} SKUs × ${days} days (seed ${seed}${buffer})`, season.firstDay, [
    {
      title: 'Stock held: AVAILABLE at close, all SKUs',
      unit: 'units',
      lines: STRATEGIES.map((s) => ({ label: short[s], color: COLORS[s], values: daily[s].stockHeld })),
    },
    {
      title: 'Stock-outs: SKUs with demand left unmet, per day',
      unit: 'SKUs',
      lines: STRATEGIES.map((s) => ({ label: short[s], color: COLORS[s], values: daily[s].stockouts, width: 1.2 })),
    },
    {
      title: `${sku}: demand and the forecast of it made that morning`,
      unit: 'units a day',
      lines: [
        { label: 'demand', color: '#9a9a9a', values: season.demand[sample]!, width: 1.2 },
        { label: 'inventory forecast (1 day ahead)', color: COLORS.forecast, values: season.scenarios.forecast.record.forecast[sample]! },
        { label: 'baseline 28-day mean', color: COLORS.baseline, values: season.scenarios.baseline.record.forecast[sample]!, dashed: true },
      ],
    },
  ])
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0)
