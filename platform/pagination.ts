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

export interface PageRequest {
  /** Rows to return; fetch `limit + 1` to learn whether another page exists. */
  readonly limit: number
  /** true: ascending from `after`; false: descending from `before` (rows are reversed back). */
  readonly forward: boolean
  readonly after: CursorKey | null
  readonly before: CursorKey | null
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
