/** One sample of a Prometheus text exposition: `name{labels} value`. */
export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/**
 * The samples of a text exposition (format 0.0.4, what prom-client writes at `/metrics`):
 * comments and malformed lines are skipped, label values unescaped, `NaN` and `±Inf` read as
 * numbers. https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = SAMPLE.exec(line)
    if (!match) continue
    const labels: Record<string, string> = {}
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key as string] = (raw as string).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c))
    }
    samples.push({ name: match[1] as string, labels, value: valueOf(match[3] as string) })
  }
  return samples
}

function valueOf(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity
  if (text === '-Inf') return -Infinity
  return Number(text)
}

/** The sum of the samples named `name` whose labels include every one of `labels`. */
export function sumOf(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  let total = 0
  for (const sample of samples) {
    if (sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) total += sample.value
  }
  return total
}

/** The distinct values of one label among the samples named `name`. */
export function labelValues(samples: readonly Sample[], name: string, label: string): string[] {
  const values = new Set<string>()
  for (const sample of samples) {
    const value = sample.labels[label]
    if (sample.name === name && value !== undefined) values.add(value)
  }
  return [...values].sort()
}
