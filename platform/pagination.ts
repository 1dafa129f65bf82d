import { badUserInput } from './errors.ts'

/**
 * Relay cursor connections (https://relay.dev/graphql/connections.htm) over keyset pagination.
 * A cursor is opaque to clients: base64url of `[kind, ...sortKey]`. The kind stops a cursor of one
 * connection being replayed against another; a cursor that does not decode is BAD_USER_INPUT.
 */
export type CursorKey = readonly (string | number)[]

export interface ConnectionArgs {
  readonly first?: number | null | undefined
  readonly after?: string | null | undefined
  readonly last?: number | null | undefined
  readonly before?: string | null | undefined
}

export interface PageRequest<Key extends CursorKey = CursorKey> {
  /** Rows to return; fetch `limit + 1` to learn whether another page exists. */
  readonly limit: number
  /** true: ascending from `after`; false: descending from `before` (rows are reversed back). */
  readonly forward: boolean
  readonly after: Key | null
  readonly before: Key | null
}

export interface Edge<T> {
  readonly cursor: string
  readonly node: T
}

export interface Connection<T> {
  readonly edges: Edge<T>[]
  readonly nodes: T[]
  readonly pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }
}

export function encodeCursor(kind: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url')
}

export function decodeCursor(kind: string, cursor: string, argumentName: string, arity: number): CursorKey {
  let decoded: unknown
  try {
    decoded = cursor.length <= 1024 ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : null
  } catch {
    decoded = null
  }
  if (
    !Array.isArray(decoded) ||
    decoded[0] !== kind ||
    decoded.length !== arity + 1 ||
    !decoded.slice(1).every((part) => typeof part === 'string' || (typeof part === 'number' && Number.isFinite(part)))
  ) {
    throw badUserInput(`'${argumentName}' is not a valid cursor for this connection`, argumentName)
  }
  return decoded.slice(1) as CursorKey
}

export interface PageOptions {
  readonly kind: string
  readonly maxPageSize: number
  readonly defaultPageSize?: number
  /** Number of values in this connection's sort key. */
  readonly arity?: number
}

/** Validates connection arguments once, before any SQL runs. */
export function pageRequest(args: ConnectionArgs, options: PageOptions): PageRequest {
  const { kind, maxPageSize } = options
  const arity = options.arity ?? 1
  const defaultPageSize = Math.min(options.defaultPageSize ?? 20, maxPageSize)
  const checkSize = (name: 'first' | 'last', value: number) => {
    if (!Number.isInteger(value) || value < 0) throw badUserInput(`'${name}' must be a non-negative integer`, name)
    if (value > maxPageSize) throw badUserInput(`'${name}' must be at most ${maxPageSize}, got ${value}`, name)
  }
  const hasFirst = args.first !== null && args.first !== undefined
  const hasLast = args.last !== null && args.last !== undefined
  if (hasFirst && hasLast) throw badUserInput(`pass 'first' or 'last', not both`, 'last')
  if (hasFirst) checkSize('first', args.first as number)
  if (hasLast) checkSize('last', args.last as number)
  const after = args.after ? decodeCursor(kind, args.after, 'after', arity) : null
  const before = args.before ? decodeCursor(kind, args.before, 'before', arity) : null
  const forward = !hasLast && !(before && !after)
  const limit = hasFirst ? (args.first as number) : hasLast ? (args.last as number) : defaultPageSize
  return { limit, forward, after, before }
}

/**
 * Builds the connection from rows fetched with `limit + 1` in the request's direction
 * (ascending when forward, descending otherwise).
 */
export function toConnection<T>(rows: readonly T[], request: PageRequest, kind: string, keyOf: (row: T) => CursorKey): Connection<T> {
  const hasMore = rows.length > request.limit
  const page = rows.slice(0, request.limit)
  if (!request.forward) page.reverse()
  const edges = page.map((node) => ({ cursor: encodeCursor(kind, keyOf(node)), node }))
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: request.forward ? hasMore : request.before !== null,
      hasPreviousPage: request.forward ? request.after !== null : hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  }
}

/**
 * The type of one value of a sort key: `integer` a safe integer, `int32` one that fits a
 * PostgreSQL `integer`, `instant` an RFC 3339 date-time that exists on the calendar (PostgreSQL
 * refuses 2026-02-30 where JavaScript rolls it over).
 */
export type KeyPart = 'string' | 'integer' | 'int32' | 'instant'
type ValueOf<Part extends KeyPart> = Part extends 'integer' | 'int32' ? number : string

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/

function isInstant(value: string): boolean {
  const match = RFC3339.exec(value)
  if (!match) return false
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const offsetOk = match[8] === 'Z' || (Number(match[9]) < 24 && Number(match[10]) < 60)
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60 && offsetOk
}

function isOfPart(part: KeyPart, value: string | number | undefined): boolean {
  switch (part) {
    case 'string':
      return typeof value === 'string'
    case 'instant':
      return typeof value === 'string' && isInstant(value)
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value)
    case 'int32':
      return typeof value === 'number' && Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647
  }
}
export type KeyOf<Parts extends readonly KeyPart[]> = { readonly [I in keyof Parts]: ValueOf<Parts[I]> }

/**
 * One connection's cursors: its kind and the types of its sort key. Every connection of every
 * subgraph declares one (`connectionKind('orders', ['instant', 'string'])`) and pages through it,
 * so a cursor is checked once, here: it decodes, is of this connection, has the key's arity, and
 * each value has the key's type, or the argument is BAD_USER_INPUT before any SQL runs.
 */
export interface ConnectionKind<Key extends CursorKey> {
  readonly kind: string
  /** Validates `first`/`after`/`last`/`before` against the page size and this key. */
  page(args: ConnectionArgs, options: Omit<PageOptions, 'kind' | 'arity'>): PageRequest<Key>
  /** The connection over rows fetched with `limit + 1` in the request's direction. */
  connection<T>(rows: readonly T[], request: PageRequest<Key>, keyOf: (row: T) => Key): Connection<T>
  encode(key: Key): string
  decode(cursor: string, argumentName: string): Key
}

export function connectionKind<const Parts extends readonly KeyPart[]>(kind: string, parts: Parts): ConnectionKind<KeyOf<Parts>> {
  type Key = KeyOf<Parts>
  const decode = (cursor: string, argumentName: string): Key => {
    const key = decodeCursor(kind, cursor, argumentName, parts.length)
    if (!parts.every((part, i) => isOfPart(part, key[i]))) throw badUserInput(`'${argumentName}' is not a valid cursor for this connection`, argumentName)
    return key as unknown as Key
  }
  return {
    kind,
    decode,
    encode: (key) => encodeCursor(kind, key as CursorKey),
    page(args, options) {
      const request = pageRequest(args, { ...options, kind, arity: parts.length })
      return {
        ...request,
        after: args.after ? decode(args.after, 'after') : null,
        before: args.before ? decode(args.before, 'before') : null,
      }
    },
    connection: (rows, request, keyOf) => toConnection(rows, request as PageRequest, kind, (row) => keyOf(row) as CursorKey),
  }
}
