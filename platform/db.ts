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
  /** The connection pool now (node-postgres); PGlite has one connection and no pool. */
  poolStats?(): { readonly total: number; readonly idle: number; readonly waiting: number; readonly max: number }
  close(): Promise<void>
}

/** PostgreSQL type oids whose text form both drivers must hand back unchanged. */
export const INT8_OID = 20
export const NUMERIC_OID = 1700

/** A savepoint in the caller's transaction: keep what ran since (`release`) or undo it (`rollback`). */
export interface Savepoint {
  release(): Promise<void>
  rollback(): Promise<void>
}

export async function savepoint(tx: Queryable, name: string): Promise<Savepoint> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`savepoint: '${name}' is not an identifier`)
  await tx.query(`savepoint ${name}`)
  return {
    release: async () => void (await tx.query(`release savepoint ${name}`)),
    rollback: async () => void (await tx.query(`rollback to savepoint ${name}`)),
  }
}
