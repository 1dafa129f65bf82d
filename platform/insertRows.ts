/**
 * One statement for many rows: `insert … select … from unnest($1::text[], $2::bigint[], …)`, the
 * one bulk insert every store uses (seeds, consumers, mutations). Columns are named in camelCase
 * (the SQL name is its snake_case) with their SQL type: a bare type reads the row's property of
 * that name (`{ id: 'text', customerId: 'text', total: 'bigint' }`), a tuple says how to read it
 * (`locationId: ['text', (f) => f.location.id]`). Values are normalized on the way (a `bigint` or
 * a `Date` becomes its text, a `jsonb` value its JSON), so stores never spell out parameter arrays.
 */
import type { Queryable } from './db.ts'

/** `[sqlType, valueOf]` or `[sqlType, valueOf, selectExpression]` (e.g. `coalesce(created_at, now())`). */
export type ColumnOf<Row> = readonly [sqlType: string, valueOf: (row: Row) => unknown, select?: string]

/** A column: its SQL type alone (the value is the row's property named like the column), or a tuple. */
export type ColumnSpec<Row> = string | ColumnOf<Row>

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)

export interface InsertOptions {
  /** Appended after the select, e.g. `on conflict (id) do nothing`. */
  readonly onConflict?: string
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/

/** Inserts `rows` into `table` (schema-qualified); does nothing for an empty list. Returns the rows inserted. */
export async function insertRows<Row>(
  db: Queryable,
  table: string,
  rows: readonly Row[],
  columns: { readonly [column: string]: ColumnSpec<Row> },
  options: InsertOptions = {},
): Promise<number> {
  if (rows.length === 0) return 0
  const keys = Object.keys(columns)
  const names = keys.map(snakeCase)
  for (const name of [table, ...names]) if (!IDENTIFIER.test(name)) throw new Error(`insertRows: '${name}' is not an identifier`)
  const specs = keys.map((key): ColumnOf<Row> => {
    const spec = columns[key] as ColumnSpec<Row>
    if (typeof spec !== 'string') return spec
    return [
      spec,
      (row) => {
        // a misspelt column would otherwise insert nulls
        if (!(key in (row as object))) throw new Error(`insertRows: rows of ${table} have no '${key}'`)
        return (row as Record<string, unknown>)[key]
      },
    ]
  })
  const arrays = specs.map(([type]) => `${isJson(type) ? 'text' : type}[]`)
  const selects = names.map((name, i) => {
    const [type, , select] = specs[i] as ColumnOf<Row>
    return select ?? (isJson(type) ? `${name}::${type}` : name)
  })
  const result = await db.query(
    `insert into ${table} (${names.join(', ')})
     select ${selects.join(', ')}
     from unnest(${arrays.map((array, i) => `$${i + 1}::${array}`).join(', ')}) as r (${names.join(', ')})
     ${options.onConflict ?? ''}`,
    specs.map(([type, valueOf]) => rows.map((row) => normalize(valueOf(row), isJson(type)))),
  )
  return result.rowCount ?? 0
}

const isJson = (type: string) => type === 'jsonb' || type === 'json'

function normalize(value: unknown, json: boolean): unknown {
  if (value === null || value === undefined) return null
  if (json) return JSON.stringify(value)
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Date) return value.toISOString()
  return value
}
