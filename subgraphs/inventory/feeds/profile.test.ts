import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseFeed } from './parse.ts'
import { profileFeed, type ColumnProfile } from './profile.ts'

/** The profile of one column holding `values`, under `header` (beside a filler column, so an empty value is no blank line). */
function column(header: string, values: readonly string[]): ColumnProfile {
  const text = [`${header},filler`, ...values.map((v) => `${v === '' ? '' : `"${v.replace(/"/g, '""')}"`},x`)].join('\n')
  return profileFeed(parseFeed(`${text}\n`, { delimiter: ',' })).columns[0]!
}

describe('profileFeed', () => {
  it('types integers, decimals (with a comma too), booleans, codes, text and empty columns', () => {
    assert.equal(column('n', ['1', '22', '-3']).type, 'integer')
    assert.equal(column('n', ['1.5', '2', '3.25']).type, 'decimal')
    const comma = column('n', ['1,5', '2', '12,25'])
    assert.equal(comma.type, 'decimal')
    assert.equal(comma.numbers?.decimalComma, true)
    assert.equal(column('n', ['1,500', '2,000']).numbers?.decimalComma, false)
    assert.equal(column('b', ['true', 'False', 'yes', 'N']).type, 'boolean')
    assert.equal(column('c', ['A-1', 'B_2', '00417']).type, 'code')
    assert.equal(column('t', ['a red tee', 'blue']).type, 'text')
    assert.equal(column('e', ['', '']).type, 'empty')
  })

  it('keeps a column\'s type through one odd value in ten', () => {
    const odd = column('qty', ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'n/a'])
    assert.deepEqual([odd.type, odd.typeShare], ['integer', 0.9])
    assert.equal(column('qty', ['1', '2', '3', '4', '5', '6', '7', '8', 'n/a', 'n/a']).type, 'code')
  })

  it('reads day-first and month-first dates apart by a part above 12, and says when nothing does', () => {
    const dayFirst = column('d', ['01/02/2026', '25/03/2026'])
    assert.deepEqual([dayFirst.type, dayFirst.date?.format, dayFirst.date?.ambiguous], ['date', 'DD/MM/YYYY', false])
    const monthFirst = column('d', ['01/02/2026', '03/25/2026 14:30'])
    assert.deepEqual([monthFirst.type, monthFirst.date?.format, monthFirst.date?.ambiguous], ['datetime', 'MM/DD/YYYY', false])
    assert.deepEqual(column('d', ['01.02.2026', '03.04.2026']).date, { format: 'DD/MM/YYYY', share: 1, hasTime: false, ambiguous: true })
    assert.equal(column('d', ['31/02/2026', '30/02/2026']).type, 'code')
  })

  it('reads ISO 8601 dates and times, and epoch seconds and milliseconds', () => {
    assert.deepEqual([column('t', ['2026-10-01', '2026-10-02']).type, column('t', ['2026-10-01T05:00:00Z', '2026-10-01 06:00']).type], ['date', 'datetime'])
    assert.equal(column('t', ['1790777100', '1790780700']).date?.format, 'EPOCH_SECONDS')
    assert.equal(column('t', ['1790777100000', '1790780700123']).date?.format, 'EPOCH_MILLIS')
    assert.equal(column('qty', ['17', '1790']).date, null)
  })

  it('counts nulls, distinct values, and keeps samples in order of appearance', () => {
    const c = column('sku', ['B', '', 'A', 'B', ''])
    assert.deepEqual([c.nullShare, c.distinctCount, c.samples], [0.4, 2, ['B', 'A']])
  })

  it('sees our SKU shape (in lower case too), a partner\'s own shared shape, and barcodes', () => {
    const ours = column('item', ['APP-0001-S', 'ftw-0045-42', 'HOM-0089-SLATE'])
    assert.deepEqual([ours.patterns.ourSku, ours.patterns.lowerCaseSkus], [1, true])
    const theirs = column('item', Array.from({ length: 10 }, (_, i) => (i === 9 ? 'misc' : `ITM-${1000 + i}`)))
    assert.deepEqual([theirs.patterns.ourSku, theirs.patterns.shape, theirs.patterns.shapeShare], [0, 'A-9', 0.9])
    assert.equal(column('item', ['ITM-1', 'misc', 'other']).patterns.shape, null)
    assert.equal(column('ean', ['4006381333931', '0012345678905']).patterns.gtin, 1)
    assert.equal(column('ean', ['4006381333932']).patterns.gtin, 0)
    assert.equal(column('loc', ['loc_wh_eu', 'RTM']).patterns.locationId, 0.5)
  })

  it('finds units in headers and in values, with a factor or what converting needs', () => {
    assert.deepEqual(column('qty_cases', ['1', '2']).unit, { unit: 'pack', word: 'cases', source: 'header', factor: null, needs: 'packSize' })
    assert.deepEqual(column('Qty (each)', ['1']).unit, { unit: 'each', word: 'each', source: 'header', factor: 1, needs: null })
    assert.deepEqual(column('stock', ['2 dozen', '1 dozen']).unit, { unit: 'dozen', word: 'dozen', source: 'values', factor: 12, needs: null })
    assert.deepEqual(column('qty', ['12 pcs', '3 PCS', '1']).unit, { unit: 'each', word: 'pcs', source: 'values', factor: 1, needs: null })
    assert.equal(column('qty', ['3 cs', '4cs']).unit?.needs, 'packSize')
    assert.deepEqual(column('net kg', ['1.5']).unit, { unit: 'weight', word: 'kg', source: 'header', factor: null, needs: 'unitWeight' })
    assert.equal(column('qty', ['1', '2']).unit, null)
    assert.equal(column('qty', ['3 cs', '4cs']).type, 'integer')
  })

  it('profiles only the first rows asked for, malformed ones left out', () => {
    const feed = parseFeed('a,b\n1,2\n3,4,5\n6,7\n8,9\n')
    const profile = profileFeed(feed, { maxRows: 2 })
    assert.deepEqual([profile.rowCount, profile.profiledRows, profile.columns[0]!.samples], [4, 2, ['1', '6']])
  })
})
