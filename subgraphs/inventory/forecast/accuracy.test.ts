import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { absoluteError, mape, wape } from './accuracy.ts'

describe('holdout accuracy', () => {
  it('MAPE averages the percentage errors of the days that sold something', () => {
    // |10−12|/10 = 0.2, |20−15|/20 = 0.25; the zero day is skipped
    assert.equal(mape([10, 0, 20], [12, 5, 15]), 0.225)
  })

  it('MAPE is null when nothing sold, WAPE too', () => {
    assert.equal(mape([0, 0], [1, 2]), null)
    assert.equal(wape([0, 0], [1, 2]), null)
  })

  it('WAPE weighs every day by its volume and counts the errors on zero days', () => {
    // (2 + 5 + 5) / 30
    assert.equal(wape([10, 0, 20], [12, 5, 15]), 0.4)
    assert.equal(absoluteError([10, 0, 20], [12, 5, 15]), 12)
  })

  it('refuses series of different lengths', () => {
    assert.throws(() => mape([1], [1, 2]), RangeError)
    assert.throws(() => wape([1], []), RangeError)
  })
})
