import { FeedError } from './errors.ts'
import type { CsvDelimiter } from './feed.ts'

/** One CSV record: its fields as written (quotes removed) and the line it starts on. */
export interface CsvRecord {
  readonly line: number
  readonly fields: readonly string[]
}

export interface CsvRead {
  readonly records: readonly CsvRecord[]
  /** More records followed the last one read (the limit stopped the reader). */
  readonly truncated: boolean
}

const QUOTE = 34
const LF = 10
const CR = 13

/**
 * Reads CSV records as RFC 4180 writes them (https://www.rfc-editor.org/rfc/rfc4180): fields in
 * double quotes may hold delimiters, line breaks and doubled quotes; records end with CRLF, LF or
 * a lone CR. Two leniencies, both common in exports: a quote inside an unquoted field is kept as
 * a character, and blank lines are skipped. A character other than a delimiter or a line break
 * right after a closing quote, or a quote never closed, is FEED_MALFORMED at its line.
 */
export function readCsv(text: string, delimiter: CsvDelimiter, limits: { maxRecords: number; maxFields: number }): CsvRead {
  const records: CsvRecord[] = []
  const n = text.length
  const sep = delimiter.charCodeAt(0)
  let i = 0
  let line = 1
  while (i < n) {
    if (records.length === limits.maxRecords) {
      if (text.slice(i).trim() !== '') return { records, truncated: true }
      break
    }
    const start = line
    const fields: string[] = []
    let ended = false
    while (!ended) {
      if (text.charCodeAt(i) === QUOTE) {
        const opened = line
        let value = ''
        let from = ++i
        for (;;) {
          if (i >= n) throw new FeedError('FEED_MALFORMED', 'a quoted field is never closed', { line: opened })
          const c = text.charCodeAt(i)
          if (c === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(from, i + 1)
              i += 2
              from = i
              continue
            }
            value += text.slice(from, i)
            i++
            break
          }
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++
          i++
        }
        fields.push(value)
        if (i >= n) ended = true
        else {
          const c = text.charCodeAt(i)
          if (c === sep) i++
          else if (c === LF || c === CR) {
            i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1
            line++
            ended = true
          } else throw new FeedError('FEED_MALFORMED', `unexpected ${JSON.stringify(text[i])} after a closing quote`, { line })
        }
      } else {
        let j = i
        while (j < n) {
          const c = text.charCodeAt(j)
          if (c === sep || c === LF || c === CR) break
          j++
        }
        fields.push(text.slice(i, j))
        i = j
        if (i >= n) ended = true
        else {
          const c = text.charCodeAt(i)
          if (c === sep) i++
          else {
            i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1
            line++
            ended = true
          }
        }
      }
      if (fields.length > limits.maxFields) {
        throw new FeedError('FEED_TOO_MANY_COLUMNS', `a record has more than ${limits.maxFields} fields`, { line: start })
      }
    }
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: start, fields })
  }
  return { records, truncated: false }
}

