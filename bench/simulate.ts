/**
 * `npm run simulate`: a season of seasonal demand through the inventory service, with and
 * without replenishment (bench/season/). Prints the figures of both scenarios and writes them to
 * bench/results/simulate.json, with the chart in bench/results/simulate.svg.
 *
 *   node --import tsx bench/simulate.ts [--skus 100] [--days 365] [--seed 1] [--baseline-buffer-percent 0] [--parallel yes|no]
 *
 * The two scenarios run side by side in worker threads (`--parallel no`: one after the other).
 *
 * Storage: PGlite in this process; with DATABASE_URL, PostgreSQL (a database per scenario cloned
 * from the test template there, dropped at the end).
 */
import { performance } from 'node:perf_hooks'
import { isoDateOf } from '../subgraphs/inventory/forecast/day.ts'
import { BASELINE_WINDOW_DAYS } from './season/baseline.ts'
import { FORECAST_WARMUP_DAYS, type ScenarioFigures } from './season/figures.ts'
import { LINES_PER_ORDER, LOCATION_ID, OPENING_DAYS, type Strategy } from './season/scenario.ts'
import { runSeason, sampleSkuIndex, seasonSvg, STRATEGIES, strategyLabel } from './season/season.ts'
import { capRunTime, integer, oneOf, loadAverage, machine, parseBenchOptions, runBench, table, writeResult, writeResultFile } from './support.ts'

const USAGE = 'usage: node --import tsx bench/simulate.ts [--skus 100] [--days 365] [--seed 1] [--baseline-buffer-percent 0] [--parallel yes|no]'

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), USAGE, {
    skus: integer(100, 1, 2000), days: integer(365, 7, 730), seed: integer(1, 1, 2 ** 31 - 1), 'baseline-buffer-percent': integer(0, 0, 200),
    parallel: oneOf('yes', ['yes', 'no']),
  })
  capRunTime(60 * 60_000)
  const storage = process.env['DATABASE_URL'] ? 'postgresql (DATABASE_URL)' : 'pglite (in process)'
  console.log(`simulating ${options.skus} SKUs × ${options.days} days (seed ${options.seed}) through the inventory service on ${storage}`)
  const started = performance.now()
  const season = await runSeason({
    ...options,
    parallel: options.parallel === 'yes',
    onDay: (strategy, day) => {
      if ((day + 1) % 30 === 0 || day + 1 === options.days) {
        console.log(`  ${strategy.padEnd(8)} day ${String(day + 1).padStart(3)}/${options.days}  ${Math.round((performance.now() - started) / 1000)} s`)
      }
    },
  })
  const seconds = (performance.now() - started) / 1000

  const figures = (s: Strategy) => season.scenarios[s].figures
  const row = (label: string, value: (f: ScenarioFigures) => string) => [label, ...STRATEGIES.map((s) => value(figures(s)))]
  const n = (v: number) => v.toLocaleString('en-US')
  const pct = (v: number | null) => (v === null ? '-' : `${v} %`)
  console.log()
  table(['', 'with replenishment', 'baseline'], [
    row('stock-out SKU-days', (f) => `${n(f.stockoutSkuDays)} (${f.stockoutPercent} %)`),
    row('lost sales, units', (f) => `${n(f.lostUnits)} (${f.lostPercent} %)`),
    row('units sold / demand', (f) => `${n(f.soldUnits)} / ${n(f.demandUnits)}`),
    row('average stock held, units', (f) => n(f.averageStockUnits)),
    row('days of cover held', (f) => String(f.daysOfCover)),
    row('purchase orders', (f) => n(f.purchaseOrders)),
    row('units ordered / received', (f) => `${n(f.unitsOrdered)} / ${n(f.unitsReceived)}`),
    row('SKU-days empty, nothing on order', (f) => n(f.strandedSkuDays)),
    row(`forecast MAPE (day ${FORECAST_WARMUP_DAYS + 1} on)`, (f) => pct(f.forecastError.mapePercent)),
    row(`forecast WAPE (day ${FORECAST_WARMUP_DAYS + 1} on)`, (f) => pct(f.forecastError.wapePercent)),
  ])
  for (const s of STRATEGIES) console.log(strategyLabel(s, options.baselineBufferPercent))
  const { noiseFloor } = season
  console.log(`the demand's own noise (a forecast knowing each day's expected demand): MAPE ${pct(noiseFloor.mapePercent)}, WAPE ${pct(noiseFloor.wapePercent)}`)

  const problems = STRATEGIES.flatMap((s) => season.scenarios[s].record.accountingProblems.map((p) => `${s}: ${p}`))
  console.log(problems.length === 0 ? '\nledger: every unit accounted for in both scenarios (AVAILABLE = opening + received − sold; shipped = sold; INCOMING = open purchase orders)' : `\nledger problems:\n- ${problems.join('\n- ')}`)
  const costs = STRATEGIES.map((s) => ({ strategy: s, ...season.scenarios[s].record.cost }))
  for (const c of costs) {
    console.log(
      `${c.strategy}: ${c.seconds.toFixed(1)} s; ${c.orderEvents} order events (${LINES_PER_ORDER} lines at most), ${(1000 * c.orderEventSeconds / Math.max(1, c.orderEvents)).toFixed(1)} ms each, ` +
        `${(1000 * c.orderEventSeconds / Math.max(1, c.orderLines)).toFixed(2)} ms a line; ${c.mutations} mutations, ${(1000 * c.mutationSeconds / Math.max(1, c.mutations)).toFixed(1)} ms each`,
    )
  }
  console.log(`took ${seconds.toFixed(1)} s in all`)

  // a run with a baseline buffer is a variant: it leaves the default run's files as they are
  const name = options.baselineBufferPercent === 0 ? 'simulate' : `simulate-baseline-buffer-${options.baselineBufferPercent}`
  writeResult(name, {
    date: new Date().toISOString(),
    machine: machine({ loadAverage: loadAverage() }),
    node: process.version,
    storage,
    options: season.options,
    calendar: { from: isoDateOf(season.firstDay), through: isoDateOf(season.firstDay + options.days - 1), locationId: LOCATION_ID },
    setup: {
      openingStockDays: OPENING_DAYS,
      linesPerOrderEvent: LINES_PER_ORDER,
      baseline: { windowDays: BASELINE_WINDOW_DAYS, bufferPercent: options.baselineBufferPercent },
      noiseFloor: season.noiseFloor,
      forecastErrorFromDay: FORECAST_WARMUP_DAYS + 1,
      sampleSku: season.profiles[sampleSkuIndex(season)]!.sku,
    },
    scenarios: Object.fromEntries(STRATEGIES.map((s) => [s, {
      description: strategyLabel(s, options.baselineBufferPercent),
      ...figures(s),
      ledger: season.scenarios[s].record.account,
      accountingProblems: season.scenarios[s].record.accountingProblems,
      cost: season.scenarios[s].record.cost,
    }])),
    seconds: Math.round(seconds * 10) / 10,
  })
  writeResultFile(`${name}.svg`, seasonSvg(season))
  if (problems.length > 0) process.exitCode = 1
}

runBench(main)
