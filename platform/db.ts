/**
 * One database interface over two drivers: embedded PGlite (default) and node-postgres
 * (`DATABASE_URL`). Both run the same SQL with `$n` parameters and return rows normalized the
 * same way: int8 and numeric as decimal strings (lossless; JSON-safe), timestamptz as Date.
 */
export type Row = Record<string, unknown>

export interface QueryResult<R> {
  readonly rows: R[]
  readonly rowCount: number
}

export interface Queryable {
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

export interface Database extends Queryable {
  readonly driver: 'pglite' | 'pg'
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /**
   * LISTENs on a channel; `onNotify` runs for every NOTIFY committed on it (the outbox relay
   * wakes this way the moment an event commits). Resolves to a function that stops listening.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

/** PostgreSQL type oids whose text form both drivers must hand back unchanged. */
export const INT8_OID = 20
export const NUMERIC_OID = 1700

export interface OpenDatabaseOptions {
  readonly databaseUrl: string | null
  readonly dataDir: string | null
  /** PGlite only: start from a data directory dump (tests restore a migrated, seeded template). */
  readonly loadDataDir?: Blob
  readonly poolSize?: number
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const { openPgDatabase } = await import('./pgDriver.ts')
    return openPgDatabase(options.databaseUrl, options.poolSize ?? 10)
  }
  const { openPgliteDatabase } = await import('./pgliteDriver.ts')
  return openPgliteDatabase(options.dataDir, options.loadDataDir)
}

/**
 * Wraps a database so that every statement is counted: tests bound the SQL a request costs
 * (no N+1) per subgraph, although all subgraphs share one database in a process.
 */
export interface CountingDatabase extends Database {
  readonly counter: { queries: number }
}

export function countingDatabase(db: Database): CountingDatabase {
  const counter = { queries: 0 }
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => {
      counter.queries++
      return q.query(sql, params)
    },
    exec: (sql) => {
      counter.queries++
      return q.exec(sql)
    },
  })
  const wrapped = wrap(db)
  return {
    driver: db.driver,
    counter,
    query: wrapped.query,
    exec: wrapped.exec,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    close: () => db.close(),
  }
}
