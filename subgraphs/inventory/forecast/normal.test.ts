import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inverseNormalCdf, normalCdf } from './normal.ts'

const close = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`)

describe('the standard normal', () => {
  it('gives the textbook quantiles', () => {
    close(inverseNormalCdf(0.5), 0, 1e-12)
    close(inverseNormalCdf(0.9), 1.2815515655446004, 1e-8)
    close(inverseNormalCdf(0.95), 1.6448536269514722, 1e-8)
    close(inverseNormalCdf(0.975), 1.959963984540054, 1e-8)
    close(inverseNormalCdf(0.99), 2.3263478740408408, 1e-8)
    close(inverseNormalCdf(0.001), -3.090232306167813, 1e-8)
    close(inverseNormalCdf(1e-10), -6.361340902404056, 1e-7)
  })

  it('is symmetric and increasing across the three regions of the approximation', () => {
    let previous = -Infinity
    for (let p = 0.001; p < 1; p += 0.001) {
      const z = inverseNormalCdf(p)
      assert.ok(z > previous)
      close(z, -inverseNormalCdf(1 - p), 1e-8)
      previous = z
    }
  })

  it('has the cdf and its inverse undo each other', () => {
    for (const x of [-5, -2.5, -1, -0.1, 0, 0.3, 1.7, 3, 4.5]) close(inverseNormalCdf(normalCdf(x)), x, 1e-5)
    close(normalCdf(0), 0.5, 1e-7)
    close(normalCdf(1.959963984540054), 0.975, 1e-7)
    close(normalCdf(-6) / 9.865876450377e-10, 1, 1e-6)
  })

  it('refuses probabilities outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, Number.NaN]) assert.throws(() => inverseNormalCdf(p), RangeError)
  })
})
