/**
 * Every code a feed can fail with as a whole, with what it means. A failing *row* is not an
 * error but data (`RowError` in apply.ts); these are the failures that stop a file before any row
 * is looked at. The endpoint that receives feeds answers them as BAD_USER_INPUT and passes the
 * code on in `extensions.feedCode`.
 */
export const FEED_ERROR_CODES = {
  FEED_TOO_LARGE: 'the file is larger than the byte limit (maxBytes)',
  FEED_TOO_MANY_ROWS: 'the file has more data rows than the row limit (maxRows)',
  FEED_TOO_MANY_COLUMNS: 'the file has more columns than the column limit (maxColumns), nested JSON paths included',
  FEED_MALFORMED: 'the file is not well-formed CSV or JSON (an unterminated quote, a stray character after a closing quote, invalid JSON); `line` says where',
  FEED_EMPTY: 'the file holds no header (nothing but whitespace)',
  FEED_UNSUPPORTED_SHAPE: 'the JSON is neither an array of objects nor an object holding exactly one such array',
  FEED_MAPPING_INVALID: 'the mapping is not one this version reads, misses a required field, needs input (a pack size, a location code) or names a column the file lacks; `problems` lists every reason',
} as const

export type FeedErrorCode = keyof typeof FEED_ERROR_CODES

/** A feed that cannot be read or mapped at all; `line` is 1-based, when a place in the file is known. */
export class FeedError extends Error {
  readonly code: FeedErrorCode
  readonly line: number | null
  readonly problems: readonly string[]
  constructor(code: FeedErrorCode, message: string, options: { line?: number | null; problems?: readonly string[] } = {}) {
    super(options.line ? `${message} (line ${options.line})` : message)
    this.name = 'FeedError'
    this.code = code
    this.line = options.line ?? null
    this.problems = options.problems ?? []
  }
}
