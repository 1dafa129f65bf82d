/**
 * What the benchmarks share: their options, the stack they drive (on the storage they name),
 * nearest-rank percentiles, the machine they ran on and the results file they leave in
 * bench/results/. The load they send over HTTP is bench/load.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { FastifyInstance } from 'fastify'
import type { Stack, StackOptions } from '../test/stack.ts'

// ---------------------------------------------------------------------------------------------
// options

interface IntegerOption { readonly kind: 'integer'; readonly default: number; readonly min: number; readonly max: number }
interface TextOption<T extends string> { readonly kind: 'text'; readonly default: T; readonly oneOf?: readonly T[] }
type OptionSpec = IntegerOption | TextOption<string>
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S
/** `--max-seconds 60` comes back as `maxSeconds: 60`. */
export type ParsedOptions<S extends Record<string, OptionSpec>> = {
  readonly [K in keyof S & string as Camel<K>]: S[K] extends IntegerOption ? number : S[K] extends TextOption<infer T> ? T : never
}

export const integer = (defaultValue: number, min: number, max: number): IntegerOption => ({ kind: 'integer', default: defaultValue, min, max })
export const text = (defaultValue: string): TextOption<string> => ({ kind: 'text', default: defaultValue })
export const oneOf = <const T extends string>(defaultValue: T, values: readonly T[]): TextOption<T> => ({ kind: 'text', default: defaultValue, oneOf: values })

/** `--mode` (the storage the stack runs on) and `--max-seconds` (the run's cap), for the benchmarks of the stack with its bus. */
export const STACK_OPTIONS = {
  mode: oneOf<Storage>('embedded', ['embedded', 'pg-nats']),
  'max-seconds': integer(180, 1, 3600),
}

/** What bench/load.ts measureInSlices takes (its SliceSettings), with the benchmark's own default seconds. */
export const sliceOptions = (seconds: number, warmup: number) => ({
  seconds: integer(seconds, 1, 300),
  warmup: integer(warmup, 0, 60),
  slices: integer(2, 1, 20),
  concurrency: integer(16, 1, 256),
})

/**
 * The benchmark's options from `argv` (`--help` prints `usage` and exits); every problem, with
 * those `check` finds in the result, is reported at once, followed by the usage.
 */
export function parseBenchOptions<S extends Record<string, OptionSpec>>(
  argv: readonly string[],
  usage: string,
  spec: S,
  check: (options: ParsedOptions<S>) => string[] = () => [],
): ParsedOptions<S> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries(Object.entries(spec).map(([name, option]) => [name, { type: 'string' as const, default: String(option.default) }])),
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }) as { values: Record<string, string | boolean | undefined> }
  if (values['help']) {
    console.log(usage)
    process.exit(0)
  }
  const problems: string[] = []
  const parsed: Record<string, string | number> = {}
  for (const [name, option] of Object.entries(spec)) {
    const given = String(values[name])
    const key = name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())
    if (option.kind === 'integer') {
      const n = Number(given)
      if (!Number.isInteger(n) || n < option.min || n > option.max) problems.push(`--${name} must be an integer in ${option.min}..${option.max}, not '${given}'`)
      parsed[key] = n
    } else {
      if (option.oneOf && !option.oneOf.includes(given)) problems.push(`--${name} must be ${option.oneOf.join(' or ')}, not '${given}'`)
      parsed[key] = given
    }
  }
  const options = parsed as ParsedOptions<S>
  problems.push(...check(options))
  if (problems.length) throw new Error(`${problems.join('\n')}\n${usage}`)
  return options
}

// ---------------------------------------------------------------------------------------------
// the run

/** embedded: PGlite + the in-process bus; pg-nats: PostgreSQL + NATS JetStream on this machine. */
export type Storage = 'embedded' | 'pg-nats'

/**
 * Points the test stack at `storage`. Before anything imports platform/testing.ts: it reads
 * DATABASE_URL once. PostgreSQL is a database cloned from the test template at DATABASE_URL, NATS
 * a namespace of the stack's own at NATS_URL (deleted when it closes); both on this machine only.
 */
export function useStorage(storage: Storage): void {
  if (storage === 'embedded') {
    delete process.env['DATABASE_URL']
    delete process.env['NATS_URL']
    return
  }
  process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test'
  process.env['NATS_URL'] ??= 'nats://127.0.0.1:4222'
  for (const name of ['DATABASE_URL', 'NATS_URL']) {
    const url = process.env[name] as string
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) throw new Error(`${name} must point at this machine, not ${url}`)
  }
}

/** The whole supergraph in this process (test/stack.ts) on `storage`. */
export async function startBenchStack(storage: Storage, options: StackOptions = {}): Promise<Stack> {
  useStorage(storage)
  const { startStack } = await import('../test/stack.ts')
  return startStack(options)
}

/** Listens on 127.0.0.1, an ephemeral port; the port. */
export async function listenLocal(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('the app has no port')
  return address.port
}

/** The last resort: if the run (or closing it) hangs, the process still ends, with 2. */
export function capRunTime(ms: number): void {
  setTimeout(() => {
    console.error(`bench: still running after ${Math.round(ms / 1000)} s; giving up`)
    process.exit(2)
  }, ms).unref()
}

/** Runs the benchmark's main and exits with its `process.exitCode`, or 1 when it throws. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      process.exit(1)
    },
  )
}

export const describeThrown = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

// ---------------------------------------------------------------------------------------------
// figures

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null
}

export const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10)
export const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100)

/** `{ p50, p95, …, max }` of `values` (in any order), each through `round`. */
export function percentiles<P extends number>(
  values: readonly number[],
  ps: readonly P[],
  round: (n: number | null) => number | null = (n) => n,
): { [K in P as `p${K}`]: number | null } & { max: number | null } {
  const sorted = [...values].sort((a, b) => a - b)
  return { ...Object.fromEntries(ps.map((p) => [`p${p}`, round(percentile(sorted, p))])), max: round(sorted.at(-1) ?? null) } as never
}

export interface LatencyFigures {
  readonly ok: number
  readonly p50: number | null
  readonly p90: number | null
  readonly p99: number | null
  readonly max: number | null
}

export const latencyFigures = (latencies: readonly number[]): LatencyFigures => ({ ok: latencies.length, ...percentiles(latencies, [50, 90, 99], round2) })

/** The machine the run measured; `extra` adds to it (load averages). */
export function machine<E extends object>(extra: E = {} as E) {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    ...extra,
  }
}

export const loadAverage = () => loadavg().map((n) => Math.round(n * 100) / 100)

/** Writes `bench/results/<name>.json` and says so. */
export function writeResult(name: string, result: unknown): void {
  writeResultFile(`${name}.json`, `${JSON.stringify(result, null, 2)}\n`)
}

/** Writes `bench/results/<fileName>` (a report in another format than JSON) and says so. */
export function writeResultFile(fileName: string, contents: string): void {
  const dir = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const file = `${dir}${fileName}`
  writeFileSync(file, contents)
  console.log(`\nwrote ${file}`)
}

/** A table on stdout: the first `leftColumns` columns flush left, the others right. */
export function table(header: readonly string[], rows: readonly string[][], leftColumns = 1): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  const rule = `+-${widths.map((w) => '-'.repeat(w)).join('-+-')}-+`
  console.log([rule, line(header), rule, ...rows.map(line), rule].join('\n'))
}

/** The same table in Markdown (for a README): every column but the first `leftColumns` right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly string[][], leftColumns = 1): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  const rule = `|${header.map((_, i) => (i < leftColumns ? '---' : '---:')).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}
