import { createHash } from 'node:crypto'
import { readCsv, type CsvRecord } from './csv.ts'
import { FeedError } from './errors.ts'
import { CSV_DELIMITERS, DEFAULT_FEED_LIMITS, textCell, uniqueHeaders, type Cell, type CsvDelimiter, type FeedLimits, type FeedRow, type ParsedFeed } from './feed.ts'
import { readJson } from './json.ts'
import { decodeWindows1252 } from './windows1252.ts'

export interface ParseOptions extends Partial<FeedLimits> {
  /** Skip the sniffing: how the partner's files are known to be written. */
  readonly format?: 'csv' | 'json'
  readonly delimiter?: CsvDelimiter
}

/** Records read to choose a delimiter: enough to see a consistent field count, cheap on big files. */
const SNIFF_RECORDS = 50

/**
 * Reads a partner's feed file into a header and rows of cells. JSON when it starts with `[` or
 * `{`, otherwise CSV with the delimiter sniffed. Bytes are read as UTF-8, or as Windows-1252 when
 * they are not valid UTF-8 (spreadsheet exports); a byte-order mark is dropped. Throws FeedError.
 */
export function parseFeed(content: string | Uint8Array, options: ParseOptions = {}): ParsedFeed {
  const limits: FeedLimits = { ...DEFAULT_FEED_LIMITS, ...definedLimits(options) }
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content
  if (bytes.byteLength > limits.maxBytes) throw new FeedError('FEED_TOO_LARGE', `the file has ${bytes.byteLength} bytes; at most ${limits.maxBytes}`)
  const contentHash = createHash('sha256').update(bytes).digest('hex')
  const { text, encoding } = decode(content, bytes)
  const trimmed = text.trimStart()
  if (trimmed === '') throw new FeedError('FEED_EMPTY', 'the file is empty')
  const format = options.format ?? (trimmed.startsWith('[') || trimmed.startsWith('{') ? 'json' : 'csv')
  if (format === 'json') {
    const { headers, rows } = jsonFeed(text, limits)
    return { format, delimiter: null, encoding, headers, rows, contentHash }
  }
  const delimiter = options.delimiter ?? sniffDelimiter(text, limits.maxColumns)
  const { headers, rows } = csvFeed(text, delimiter, limits)
  return { format, delimiter, encoding, headers, rows, contentHash }
}

function definedLimits(options: ParseOptions): Partial<FeedLimits> {
  const out: { -readonly [K in keyof FeedLimits]?: number } = {}
  if (options.maxBytes !== undefined) out.maxBytes = options.maxBytes
  if (options.maxRows !== undefined) out.maxRows = options.maxRows
  if (options.maxColumns !== undefined) out.maxColumns = options.maxColumns
  return out
}

function decode(content: string | Uint8Array, bytes: Uint8Array): { text: string; encoding: ParsedFeed['encoding'] } {
  if (typeof content === 'string') return { text: content.replace(/^\uFEFF/, ''), encoding: 'utf-8' }
  try {
    // TextDecoder drops a UTF-8 byte-order mark itself
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' }
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' }
  }
}

/**
 * The delimiter under which the first records agree on a field count of at least two, the most
 * records agreeing first, then the most fields; a candidate the text is malformed under loses.
 * One column under every candidate reads as comma-separated.
 */
export function sniffDelimiter(text: string, maxColumns: number): CsvDelimiter {
  let best: { delimiter: CsvDelimiter; agreement: number; fields: number } = { delimiter: ',', agreement: 0, fields: 1 }
  for (const delimiter of CSV_DELIMITERS) {
    let records: readonly CsvRecord[]
    try {
      records = readCsv(text, delimiter, { maxRecords: SNIFF_RECORDS, maxFields: maxColumns }).records
    } catch {
      continue
    }
    const fields = records[0]?.fields.length ?? 0
    if (fields < 2) continue
    const agreement = records.filter((r) => r.fields.length === fields).length / records.length
    if (agreement > best.agreement || (agreement === best.agreement && fields > best.fields)) best = { delimiter, agreement, fields }
  }
  return best.delimiter
}

function csvFeed(text: string, delimiter: CsvDelimiter, limits: FeedLimits): { headers: string[]; rows: FeedRow[] } {
  const { records, truncated } = readCsv(text, delimiter, { maxRecords: limits.maxRows + 1, maxFields: limits.maxColumns })
  if (truncated) throw new FeedError('FEED_TOO_MANY_ROWS', `the file has more than ${limits.maxRows} rows`)
  const [header, ...data] = records
  if (!header) throw new FeedError('FEED_EMPTY', 'the file has no header')
  const headers = uniqueHeaders(header.fields)
  // a spreadsheet's trailing `;;;` lines are blank lines too
  const filled = data.filter((record) => record.fields.some((f) => f.trim() !== ''))
  const rows = filled.map((record, index): FeedRow => {
    const cells: Cell[] = headers.map((_, i) => textCell(record.fields[i] ?? ''))
    const extra = record.fields.slice(headers.length).filter((f) => f.trim() !== '')
    const problem = extra.length > 0 ? `the record has ${record.fields.length} fields, the header ${headers.length}` : null
    return { row: index + 1, line: record.line, cells, problem }
  })
  return { headers, rows }
}

function jsonFeed(text: string, limits: FeedLimits): { headers: string[]; rows: FeedRow[] } {
  const { paths, items, envelope } = readJson(text, limits.maxColumns)
  if (items.length > limits.maxRows) throw new FeedError('FEED_TOO_MANY_ROWS', `the file has ${items.length} items; at most ${limits.maxRows}`)
  const rows = items.map((item, index): FeedRow => ({
    row: index + 1,
    line: null,
    cells: paths.map((path) => item.cells?.get(path) ?? envelope.get(path) ?? null),
    problem: item.problem,
  }))
  return { headers: [...paths], rows }
}
