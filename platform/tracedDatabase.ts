import type { Database, Queryable } from './db.ts'
import { SpanKind, traced, tracingEnabled } from './tracing.ts'

/** Statement text kept on a span (parameters never are: they carry customers' data). */
const MAX_STATEMENT_CHARS = 2000

/** `SELECT catalog.products` from the statement's first keyword and first table, as OTel's database conventions name spans. */
export function statementSpanName(sql: string): string {
  const text = sql.trimStart()
  const operation = (/^[a-z]+/i.exec(text)?.[0] ?? 'SQL').toUpperCase()
  const target = /\b(?:from|into|update|join)\s+([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)/i.exec(text)?.[1]
  return target ? `${operation} ${target}` : operation
}

/**
 * The database with a CLIENT span for every statement and an INTERNAL one around each
 * transaction (its statements nest under it). Without tracing, the database itself.
 */
export function tracedDatabase(db: Database): Database {
  if (!tracingEnabled()) return db
  const statement = (sql: string) => ({
    kind: SpanKind.CLIENT,
    onlyInTrace: true,
    attributes: { 'db.system.name': 'postgresql', 'db.query.text': sql.length > MAX_STATEMENT_CHARS ? `${sql.slice(0, MAX_STATEMENT_CHARS)}…` : sql },
  })
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => traced(statementSpanName(sql), statement(sql), () => q.query(sql, params)),
    exec: (sql) => traced(statementSpanName(sql), statement(sql), () => q.exec(sql)),
  })
  const wrapped = wrap(db)
  return {
    driver: db.driver,
    query: wrapped.query,
    exec: wrapped.exec,
    transaction: (fn) => traced('transaction', { onlyInTrace: true, attributes: { 'db.system.name': 'postgresql' } }, () => db.transaction((tx) => fn(wrap(tx)))),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    ...(db.poolStats ? { poolStats: db.poolStats.bind(db) } : {}),
    close: () => db.close(),
  }
}
