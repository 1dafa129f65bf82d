import pg from 'pg'
import type { Database, Queryable, QueryResult } from './db.ts'
import { INT8_OID, NUMERIC_OID } from './db.ts'

/**
 * Statements with parameters run as named prepared statements: each connection parses and plans
 * a text once, and later runs send only Bind/Execute. Names are handed out per distinct text, up
 * to a bound (texts are parameterized, so their number is small; past the bound, unnamed).
 */
const STATEMENT_NAMES = new Map<string, string>()
const MAX_NAMED_STATEMENTS = 2000

function statementName(sql: string): string | undefined {
  let name = STATEMENT_NAMES.get(sql)
  if (name === undefined && STATEMENT_NAMES.size < MAX_NAMED_STATEMENTS) {
    name = `s${STATEMENT_NAMES.size + 1}`
    STATEMENT_NAMES.set(sql, name)
  }
  return name
}

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const name = params.length > 0 ? statementName(sql) : undefined
      const result = await client.query(name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] })
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length }
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql)
    },
  }
}

export async function openPgDatabase(connectionString: string, max: number): Promise<Database> {
  const identity = (value: string) => value
  const pool = new pg.Pool({
    connectionString,
    max,
    // same normalization as the PGlite driver: int8 and numeric stay decimal strings
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID ? identity : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  })
  // an idle client that errors (server restart) must not crash the process
  pool.on('error', () => {})
  await pool.query('select 1')
  return {
    driver: 'pg',
    ...queryable(pool),
    async transaction(fn) {
      // the pool listens for errors only on idle clients: a connection cut while this transaction
      // holds it (a server restart, pg_terminate_backend) would otherwise be an unhandled 'error'
      // event that ends the process; the next statement fails instead, and the client, no longer
      // queryable, is dropped by the pool on release. The listener goes on in the pool's callback,
      // not after an await: a new connection's ReadyForQuery and a termination can arrive in one
      // packet, and the error is emitted before any promise continuation runs.
      const onError = () => {}
      const client = await new Promise<pg.PoolClient>((resolve, reject) =>
        pool.connect((error, connected) => {
          if (error || !connected) return reject(error ?? new Error('the pool gave no connection'))
          connected.on('error', onError)
          resolve(connected)
        }),
      )
      try {
        await client.query('begin')
        const result = await fn(queryable(client))
        await client.query('commit')
        return result
      } catch (error) {
        await client.query('rollback').catch(() => {})
        throw error
      } finally {
        client.off('error', onError)
        client.release()
      }
    },
    async listen(channel, onNotify) {
      // LISTEN holds a connection of its own for as long as it lasts
      const client = new pg.Client({ connectionString })
      client.on('error', () => {})
      await client.connect()
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify()
      })
      await client.query(`listen ${pg.Client.prototype.escapeIdentifier(channel)}`)
      return async () => {
        await client.end().catch(() => {})
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    close: () => pool.end(),
  }
}
