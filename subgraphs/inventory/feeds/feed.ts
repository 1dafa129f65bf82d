/** One cell of a feed: CSV gives strings, JSON may give numbers and booleans; empty is null. */
export type Cell = string | number | boolean | null

export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number]

/** One data record of a feed, header excluded. */
export interface FeedRow {
  /** 1-based position among the data records (the header is not counted; blank lines are skipped). */
  readonly row: number
  /** The line of the file the record starts on (CSV; a quoted field may span lines), null for JSON. */
  readonly line: number | null
  /** One cell per header, in header order. */
  readonly cells: readonly Cell[]
  /** Why the record is not usable as read (a ragged CSV record, a JSON item that is not an object). */
  readonly problem: string | null
}

/** A feed file as read: its columns and records, and the hash of its bytes as received. */
export interface ParsedFeed {
  readonly format: 'csv' | 'json'
  readonly delimiter: CsvDelimiter | null
  readonly encoding: 'utf-8' | 'windows-1252'
  readonly headers: readonly string[]
  readonly rows: readonly FeedRow[]
  /** sha256 of the file's bytes, hex: the same file gives the same batch key. */
  readonly contentHash: string
}

export interface FeedLimits {
  readonly maxBytes: number
  readonly maxRows: number
  readonly maxColumns: number
}

/** Generous for a daily snapshot of one partner, small enough to hold and check in memory at once. */
export const DEFAULT_FEED_LIMITS: FeedLimits = Object.freeze({ maxBytes: 10 * 1024 * 1024, maxRows: 100_000, maxColumns: 200 })

/** A text value as a cell: trimmed, and null when nothing is left. */
export function textCell(value: string): string | null {
  const trimmed = value.trim()
  return trimmed === '' ? null : trimmed
}

/** A cell as text, for messages and pattern checks. */
export function cellText(cell: Cell): string {
  return cell === null ? '' : String(cell)
}

/** Header names as columns: blanks get a positional name, repeats a suffix, so every column has one name. */
export function uniqueHeaders(names: readonly string[]): string[] {
  const seen = new Map<string, number>()
  return names.map((raw, i) => {
    const name = raw.trim() === '' ? `column_${i + 1}` : raw.trim()
    const count = (seen.get(name) ?? 0) + 1
    seen.set(name, count)
    return count === 1 ? name : `${name} (${count})`
  })
}
