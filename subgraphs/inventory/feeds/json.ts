import { FeedError } from './errors.ts'
import { textCell, type Cell } from './feed.ts'

/** A JSON feed as columns: each item flattened to dotted paths, plus the envelope's own fields. */
export interface JsonRecords {
  /** Every path seen, items' paths first (in first-seen order), then the envelope's. */
  readonly paths: readonly string[]
  /** One entry per item: its cells by path, or why it is not a record. */
  readonly items: readonly ({ readonly cells: ReadonlyMap<string, Cell>; readonly problem: null } | { readonly cells: null; readonly problem: string })[]
  /** Scalars beside the array (a file-wide `generated_at`, a `warehouse`): they hold for every item. */
  readonly envelope: ReadonlyMap<string, Cell>
}

/** Deeper nesting than any feed needs; also keeps the flattening recursion shallow. */
const MAX_DEPTH = 16

type JsonObject = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Reads a JSON feed: an array of objects, or an object holding exactly one array of objects
 * (at any depth through objects, e.g. `{ data: { inventory: [...] } }`). Nested objects become
 * dotted paths (`product.sku`), arrays inside an item indexed paths (`lots.0.code`).
 */
export function readJson(text: string, maxColumns: number): JsonRecords {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new FeedError('FEED_MALFORMED', `invalid JSON: ${error instanceof Error ? error.message : String(error)}`, { line: lineOfJsonError(text, error) })
  }
  const { array, path } = recordArray(value)
  const envelope = new Map<string, Cell>()
  if (path.length > 0) flattenInto(envelope, value, '', 0, path.join('.'))
  const paths = new Set<string>()
  const items = array.map((item, index) => {
    if (!isObject(item)) return { cells: null, problem: `item ${index + 1} is ${item === null ? 'null' : Array.isArray(item) ? 'an array' : `a ${typeof item}`}, not an object` } as const
    const cells = new Map<string, Cell>()
    flattenInto(cells, item, '', 0, null)
    for (const key of cells.keys()) {
      paths.add(key)
      if (paths.size > maxColumns) throw new FeedError('FEED_TOO_MANY_COLUMNS', `the items hold more than ${maxColumns} distinct fields`)
    }
    return { cells, problem: null } as const
  })
  for (const key of envelope.keys()) paths.add(key)
  if (paths.size > maxColumns) throw new FeedError('FEED_TOO_MANY_COLUMNS', `the file holds more than ${maxColumns} distinct fields`)
  return { paths: [...paths], items, envelope }
}

/** The array of records and the keys that lead to it. */
function recordArray(value: unknown): { array: readonly unknown[]; path: string[] } {
  if (Array.isArray(value)) return { array: value, path: [] }
  if (!isObject(value)) throw new FeedError('FEED_UNSUPPORTED_SHAPE', `the JSON is a ${value === null ? 'null' : typeof value}, not an array of objects`)
  const found: { array: readonly unknown[]; path: string[] }[] = []
  const search = (node: JsonObject, path: string[]) => {
    if (path.length >= MAX_DEPTH) return
    for (const [key, child] of Object.entries(node)) {
      if (Array.isArray(child)) {
        if (child.length === 0 || child.some(isObject)) found.push({ array: child, path: [...path, key] })
      } else if (isObject(child)) search(child, [...path, key])
    }
  }
  search(value, [])
  if (found.length === 1) return found[0]!
  if (found.length === 0) throw new FeedError('FEED_UNSUPPORTED_SHAPE', 'the JSON object holds no array of objects')
  throw new FeedError('FEED_UNSUPPORTED_SHAPE', `the JSON object holds several arrays of objects (${found.map((f) => f.path.join('.')).join(', ')}); which one holds the records is unclear`)
}

/** Writes an object's scalars under dotted paths, skipping the subtree at `skip` (the record array). */
function flattenInto(out: Map<string, Cell>, node: unknown, prefix: string, depth: number, skip: string | null): void {
  if (prefix === skip) return
  if (depth > MAX_DEPTH) throw new FeedError('FEED_UNSUPPORTED_SHAPE', `the JSON nests deeper than ${MAX_DEPTH} levels`)
  if (Array.isArray(node)) {
    node.forEach((child, i) => flattenInto(out, child, prefix === '' ? String(i) : `${prefix}.${i}`, depth + 1, skip))
  } else if (isObject(node)) {
    for (const [key, child] of Object.entries(node)) flattenInto(out, child, prefix === '' ? key : `${prefix}.${key}`, depth + 1, skip)
  } else if (prefix !== '') {
    out.set(prefix, typeof node === 'string' ? textCell(node) : typeof node === 'number' || typeof node === 'boolean' ? node : null)
  }
}

/** The line a JSON.parse error points at: V8 says `at position N`, newer ones `(line L column C)`. */
function lineOfJsonError(text: string, error: unknown): number | null {
  const message = error instanceof Error ? error.message : ''
  const line = /line (\d+) column \d+/.exec(message)
  if (line) return Number(line[1])
  const position = /at position (\d+)/.exec(message)
  if (position) {
    const upTo = text.slice(0, Number(position[1]))
    return upTo.split('\n').length
  }
  return null
}
