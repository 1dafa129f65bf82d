import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FeedError, type FeedErrorCode } from './errors.ts'
import { parseFeed } from './parse.ts'

function refuses(fn: () => unknown, code: FeedErrorCode, line: number | null = null) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FeedError, String(error))
    assert.equal(error.code, code)
    assert.equal(error.line, line)
    return true
  })
}

const cells = (text: string) => parseFeed(text).rows.map((r) => r.cells)

describe('parseFeed on CSV', () => {
  it('reads quoted fields holding delimiters, doubled quotes and line breaks', () => {
    const feed = parseFeed('sku,note,qty\r\n"APP-0001-S","say ""hi"", twice",3\r\n"APP-0001-M","two\r\nlines",4\r\n')
    assert.deepEqual(feed.headers, ['sku', 'note', 'qty'])
    assert.deepEqual(feed.rows.map((r) => [r.row, r.line, ...r.cells]), [
      [1, 2, 'APP-0001-S', 'say "hi", twice', '3'],
      [2, 3, 'APP-0001-M', 'two\r\nlines', '4'],
    ])
  })

  it('ends records at CRLF, LF or a lone CR, the last one with or without a line break', () => {
    assert.deepEqual(cells('a,b\r\n1,2\n3,4\r5,6'), [['1', '2'], ['3', '4'], ['5', '6']])
    assert.deepEqual(parseFeed('a,b\r1,2\r3,4\r').rows.map((r) => r.line), [2, 3])
  })

  it('drops a byte-order mark, in text or in bytes', () => {
    assert.deepEqual(parseFeed('\uFEFFsku;qty\nA;1').headers, ['sku', 'qty'])
    assert.deepEqual(parseFeed(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('sku;qty\nA;1')])).headers, ['sku', 'qty'])
  })

  it('sniffs each delimiter, even with the others inside values', () => {
    assert.equal(parseFeed('sku,qty\nA;x|y,1\nB,2\n').delimiter, ',')
    assert.equal(parseFeed('sku;qty;note\nA;1,5;x,y\nB;2;z\n').delimiter, ';')
    assert.equal(parseFeed('sku\tqty\nA,1\t1\nB;2\t2\n').delimiter, '\t')
    assert.equal(parseFeed('sku|qty\nA,1|1\nB;2|2\n').delimiter, '|')
    assert.equal(parseFeed('"a;b","c"\n"1;2","3"\n').delimiter, ',')
  })

  it('takes one column under every delimiter as comma-separated', () => {
    const feed = parseFeed('sku\nAPP-0001-S\n')
    assert.equal(feed.delimiter, ',')
    assert.deepEqual(feed.rows[0]!.cells, ['APP-0001-S'])
  })

  it('skips blank lines and lines of empty fields, counting them in line numbers, and trims cells to null', () => {
    const feed = parseFeed('a,b\n\n 1 , \n\r\n, \n2,3\n\n')
    assert.deepEqual(feed.rows.map((r) => [r.row, r.line, ...r.cells]), [[1, 3, '1', null], [2, 6, '2', '3']])
  })

  it('names blank headers by position and numbers repeated ones', () => {
    assert.deepEqual(parseFeed('qty,,qty, qty \n1,2,3,4').headers, ['qty', 'column_2', 'qty (2)', 'qty (3)'])
  })

  it('pads short records, drops empty trailing fields, and flags records with more values than the header', () => {
    const feed = parseFeed('a,b,c\n1\n1,2,3,,\n1,2,3,4\n')
    assert.deepEqual(feed.rows.map((r) => [r.cells, r.problem]), [
      [['1', null, null], null],
      [['1', '2', '3'], null],
      [['1', '2', '3'], 'the record has 4 fields, the header 3'],
    ])
  })

  it('keeps a quote inside an unquoted field as a character', () => {
    assert.deepEqual(cells('item,size\npipe 3",2\n'), [['pipe 3"', '2']])
  })

  it('refuses a quote never closed, at the line it opens', () => {
    refuses(() => parseFeed('a,b\n1,2\n3,"four\n5,6\n'), 'FEED_MALFORMED', 3)
  })

  it('refuses a character after a closing quote, at its line', () => {
    refuses(() => parseFeed('a,b\n"x\ny"z,2\n', { delimiter: ',' }), 'FEED_MALFORMED', 3)
  })

  it('refuses a file over the byte, row or column limit, and an empty one', () => {
    refuses(() => parseFeed('a,b\n1,2\n', { maxBytes: 7 }), 'FEED_TOO_LARGE')
    assert.equal(parseFeed('a,b\n1,2\n3,4\n', { maxRows: 2 }).rows.length, 2)
    refuses(() => parseFeed('a,b\n1,2\n3,4\n5,6\n', { maxRows: 2 }), 'FEED_TOO_MANY_ROWS')
    refuses(() => parseFeed('a,b,c\n1,2,3\n', { maxColumns: 2, delimiter: ',' }), 'FEED_TOO_MANY_COLUMNS', 1)
    refuses(() => parseFeed(' \r\n\t\n'), 'FEED_EMPTY')
  })

  it('reads bytes that are not UTF-8 as Windows-1252', () => {
    const feed = parseFeed(new Uint8Array([...new TextEncoder().encode('sku;name\nA;Caf'), 0xe9, 0x80]))
    assert.equal(feed.encoding, 'windows-1252')
    assert.equal(feed.rows[0]!.cells[1], 'Café€')
  })

  it('hashes the bytes as received: the same file gives the same hash, another file another', () => {
    const a = parseFeed('a,b\n1,2\n')
    assert.equal(a.contentHash, parseFeed(new TextEncoder().encode('a,b\n1,2\n')).contentHash)
    assert.match(a.contentHash, /^[0-9a-f]{64}$/)
    assert.notEqual(a.contentHash, parseFeed('a,b\n1,3\n').contentHash)
  })
})

describe('parseFeed on JSON', () => {
  it('reads an array of objects, keeping numbers and booleans', () => {
    const feed = parseFeed('[{"sku":"A","qty":3,"ok":true},{"sku":"B","qty":null,"extra":" x "}]')
    assert.equal(feed.format, 'json')
    assert.deepEqual(feed.headers, ['sku', 'qty', 'ok', 'extra'])
    assert.deepEqual(feed.rows.map((r) => [r.row, r.line, ...r.cells]), [[1, null, 'A', 3, true, null], [2, null, 'B', null, null, 'x']])
  })

  it('flattens nested objects to dotted paths and indexes arrays', () => {
    const feed = parseFeed('[{"product":{"sku":"A","dims":{"kg":1.5}},"lots":[{"code":"L1"},{"code":"L2"}]}]')
    assert.deepEqual(feed.headers, ['product.sku', 'product.dims.kg', 'lots.0.code', 'lots.1.code'])
    assert.deepEqual(feed.rows[0]!.cells, ['A', 1.5, 'L1', 'L2'])
  })

  it('finds the one array of records through nested objects, and gives every row the envelope\'s values', () => {
    const feed = parseFeed('{"meta":{"generated_at":"2026-10-01T00:00:00Z","tags":["a"]},"data":{"items":[{"sku":"A"},{"sku":"B","meta.tags.0":"own"}]}}')
    assert.deepEqual(feed.headers, ['sku', 'meta.tags.0', 'meta.generated_at'])
    assert.deepEqual(feed.rows.map((r) => r.cells), [['A', 'a', '2026-10-01T00:00:00Z'], ['B', 'own', '2026-10-01T00:00:00Z']])
  })

  it('reads an empty array of records as a file with no rows', () => {
    assert.deepEqual(parseFeed('{"inventory":[]}').rows, [])
  })

  it('flags an item that is not an object, and reads the others', () => {
    const feed = parseFeed('[{"sku":"A"},"B",null,[1]]')
    assert.deepEqual(feed.rows.map((r) => r.problem), [null, 'item 2 is a string, not an object', 'item 3 is null, not an object', 'item 4 is an array, not an object'])
  })

  it('refuses JSON that holds several arrays of records, none, or no object', () => {
    refuses(() => parseFeed('{"a":[{"x":1}],"b":{"c":[{"y":2}]}}'), 'FEED_UNSUPPORTED_SHAPE')
    refuses(() => parseFeed('{"a":{"b":1},"c":[1,2]}'), 'FEED_UNSUPPORTED_SHAPE')
    refuses(() => parseFeed('"just a string"', { format: 'json' }), 'FEED_UNSUPPORTED_SHAPE')
  })

  it('refuses invalid JSON at its line', () => {
    refuses(() => parseFeed('[\n{"sku": "A"},\n{"sku": "B",}\n]'), 'FEED_MALFORMED', 3)
  })

  it('refuses more items than the row limit, more paths than the column limit, nesting deeper than 16', () => {
    refuses(() => parseFeed('[{},{},{}]', { maxRows: 2 }), 'FEED_TOO_MANY_ROWS')
    refuses(() => parseFeed('[{"a":1,"b":{"c":2,"d":3}}]', { maxColumns: 2 }), 'FEED_TOO_MANY_COLUMNS')
    refuses(() => parseFeed(`[${'{"a":'.repeat(20)}1${'}'.repeat(20)}]`), 'FEED_UNSUPPORTED_SHAPE')
  })
})
