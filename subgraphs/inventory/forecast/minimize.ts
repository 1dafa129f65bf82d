/**
 * A bounded minimizer for a handful of parameters: every point of a coarse grid, then a pattern
 * search (Hooke & Jeeves) from the best of them, halving its step until it is fine enough or the
 * budget is spent. The grid keeps it from settling in a poor local minimum (one-step SSE surfaces
 * of smoothing models are flat and ridged); the budget bounds the work per series whatever the
 * data, which matters more here than the last digit of a smoothing weight.
 */
export interface MinimizeOptions {
  /** Values tried per parameter on the grid. */
  readonly grid: readonly (readonly number[])[]
  /** [low, high] per parameter; the search never leaves them. */
  readonly bounds: readonly (readonly [number, number])[]
  /** First step of the pattern search (default 0.05). */
  readonly step?: number
  /** The search stops once its step falls below this (default 0.002). */
  readonly tolerance?: number
  /** Evaluations allowed after the grid (default 120). */
  readonly budget?: number
}

export interface Minimum {
  readonly point: readonly number[]
  readonly value: number
  readonly evaluations: number
}

export function minimize(loss: (point: readonly number[]) => number, options: MinimizeOptions): Minimum {
  const { grid, bounds } = options
  if (grid.length !== bounds.length || grid.some((values) => values.length === 0)) {
    throw new RangeError('minimize needs a non-empty grid row and bounds for every parameter')
  }
  let evaluations = 0
  const evaluate = (point: readonly number[]) => {
    evaluations++
    const value = loss(point)
    return Number.isNaN(value) ? Infinity : value
  }

  let best: number[] = grid.map((values) => values[0]!)
  let bestValue = Infinity
  for (const point of cartesian(grid)) {
    const value = evaluate(point)
    if (value < bestValue) [best, bestValue] = [point, value]
  }

  let step = options.step ?? 0.05
  const tolerance = options.tolerance ?? 0.002
  const stopAt = evaluations + (options.budget ?? 120)
  while (step >= tolerance && evaluations < stopAt) {
    let improved = false
    for (let i = 0; i < best.length && evaluations < stopAt; i++) {
      for (const direction of [1, -1]) {
        const [low, high] = bounds[i]!
        const moved = Math.min(high, Math.max(low, best[i]! + direction * step))
        if (moved === best[i]) continue
        const candidate = best.map((v, k) => (k === i ? moved : v))
        const value = evaluate(candidate)
        if (value < bestValue) {
          ;[best, bestValue, improved] = [candidate, value, true]
          break
        }
      }
    }
    if (!improved) step /= 2
  }
  return { point: best, value: bestValue, evaluations }
}

function* cartesian(grid: readonly (readonly number[])[]): Generator<number[]> {
  if (grid.length === 0) {
    yield []
    return
  }
  const [head, ...rest] = grid
  for (const value of head!) for (const tail of cartesian(rest)) yield [value, ...tail]
}
