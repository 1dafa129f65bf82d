import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dayOf, isoDateOf, weekSlot } from './day.ts'
import { addDemand, demandThrough, emptySeries, extendTo, lastDay, recordDemandEvent, seriesFromJSON } from './series.ts'

const D = dayOf('2025-03-10')

describe('days', () => {
  it('turns ISO dates into consecutive integers and back', () => {
    assert.equal(dayOf('1970-01-01'), 0)
    assert.equal(dayOf('2025-03-11') - dayOf('2025-03-10'), 1)
    assert.equal(dayOf('2024-03-01') - dayOf('2024-02-28'), 2)
    assert.equal(isoDateOf(D), '2025-03-10')
    assert.equal(isoDateOf(-1), '1969-12-31')
  })

  it('refuses what is not a calendar date', () => {
    assert.throws(() => dayOf('2025-02-30'), RangeError)
    assert.throws(() => dayOf('2025-3-1'), RangeError)
    assert.throws(() => isoDateOf(1.5), RangeError)
  })

  it('gives every weekday its own slot, the same a week later and before 1970', () => {
    const slots = Array.from({ length: 7 }, (_, i) => weekSlot(D + i))
    assert.deepEqual([...slots].sort(), [0, 1, 2, 3, 4, 5, 6])
    assert.equal(weekSlot(D + 7), weekSlot(D))
    assert.equal(weekSlot(-1), 6)
  })
})

describe('a demand series', () => {
  it('adds orders and takes returns and cancellations back on their day', () => {
    let s = emptySeries()
    s = recordDemandEvent(s, { kind: 'ORDER', day: D, quantity: 5 })
    s = recordDemandEvent(s, { kind: 'ORDER', day: D, quantity: 2 })
    s = recordDemandEvent(s, { kind: 'RETURN', day: D, quantity: 1 })
    s = recordDemandEvent(s, { kind: 'CANCELLATION', day: D, quantity: 2 })
    assert.deepEqual(s.values, [4])
    assert.throws(() => recordDemandEvent(s, { kind: 'ORDER', day: D, quantity: 0 }), RangeError)
  })

  it('fills the days without events with zeros, after and before', () => {
    let s = addDemand(emptySeries(), D, 3)
    s = addDemand(s, D + 3, 2)
    assert.deepEqual(s.values, [3, 0, 0, 2])
    s = addDemand(s, D - 2, 1)
    assert.equal(s.start, D - 2)
    assert.deepEqual(s.values, [1, 0, 3, 0, 0, 2])
    assert.equal(lastDay(s), D + 3)
  })

  it('never holds more than its capacity, dropping the oldest days and late events older than that', () => {
    let s = emptySeries(7)
    for (let i = 0; i < 10; i++) s = addDemand(s, D + i, i)
    assert.equal(s.start, D + 3)
    assert.deepEqual(s.values, [3, 4, 5, 6, 7, 8, 9])
    assert.equal(addDemand(s, D + 2, 100), s)
    s = extendTo(s, D + 11)
    assert.deepEqual(s.values, [5, 6, 7, 8, 9, 0, 0])
  })

  it('replaces the window whole after a gap longer than it, without building the days between', () => {
    const s = addDemand(addDemand(emptySeries(364), D, 4), D + 10_000_000, 2)
    assert.equal(s.values.length, 364)
    assert.equal(s.values.at(-1), 2)
    assert.equal(s.values.slice(0, -1).every((v) => v === 0), true)
  })

  it('reads the window through a day: zeros after the last event, and no negative demand', () => {
    let s = addDemand(emptySeries(5), D, 3)
    s = addDemand(s, D + 1, -2)
    const history = demandThrough(s, D + 6)
    assert.equal(history.firstDay, D + 2)
    assert.deepEqual(history.values, [0, 0, 0, 0, 0])
    assert.deepEqual(demandThrough(s, D + 2).values, [3, 0, 0])
    assert.deepEqual(demandThrough(s, D - 1), { firstDay: D, values: [] })
    assert.deepEqual(demandThrough(emptySeries(), D), { firstDay: D + 1, values: [] })
  })

  it('keeps the net of a day, so a late order after a larger return still adds up', () => {
    let s = addDemand(emptySeries(), D, -3)
    s = addDemand(s, D, 5)
    assert.deepEqual(demandThrough(s, D).values, [2])
  })

  it('goes through JSON and back, and refuses a malformed row', () => {
    const s = addDemand(addDemand(emptySeries(30), D, 2.5), D + 2, 1)
    assert.deepEqual(seriesFromJSON(JSON.parse(JSON.stringify(s))), s)
    assert.throws(() => seriesFromJSON(null), RangeError)
    assert.throws(() => seriesFromJSON({ start: D, values: ['1'], capacity: 30 }), RangeError)
    assert.throws(() => seriesFromJSON({ start: D, values: [1, 2], capacity: 1 }), RangeError)
    assert.throws(() => seriesFromJSON({ start: 1.5, values: [], capacity: 3 }), RangeError)
  })

  it('refuses a fractional day or a quantity that is not a number', () => {
    assert.throws(() => addDemand(emptySeries(), D + 0.5, 1), RangeError)
    assert.throws(() => addDemand(emptySeries(), D, Number.NaN), RangeError)
    assert.throws(() => emptySeries(0), RangeError)
  })
})
