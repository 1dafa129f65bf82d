/**
 * The PostgreSQL database of one chaos test file: `chaos_<pid>`, a copy of the migrated, seeded
 * test template on the server at DATABASE_URL, dropped at the end. The test reads it over a
 * connection of its own, which `terminateBackends` spares when it cuts the services' connections.
 */
import pg from 'pg'

/** What the test itself connects as: the connections `terminateBackends` leaves alone. */
const OBSERVER = 'chaos_observer'

export interface ChaosDatabase {
  /** What the services get as DATABASE_URL. */
  readonly url: string
  readonly name: string
  /** The test's own connection, for reading what the services wrote. */
  query<R extends pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>
  /**
   * pg_terminate_backend on every connection to this database but the test's own (with
   * `waitingOnLock`, only those waiting for a lock); how many it cut.
   */
  terminateBackends(options?: { waitingOnLock?: boolean }): Promise<number>
  /** Runs `sql` (a `select ... for update`) in a transaction of the test's own, held open until `release`. */
  lockRows(sql: string, params: readonly unknown[]): Promise<{ release(): Promise<void> }>
  /** Drops the database (connections still open to it are cut first). */
  close(): Promise<void>
}

const withDatabase = (url: string, database: string, applicationName?: string): string => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  if (applicationName) parsed.searchParams.set('application_name', applicationName)
  return parsed.toString()
}

/** Creates `chaos_<pid>` from the test template (built first when missing). */
export async function createChaosDatabase(): Promise<ChaosDatabase> {
  const serverUrl = process.env['DATABASE_URL'] as string
  // platform/testing.ts reads DATABASE_URL when first imported: only now, in a run that has it
  const { ensureTestTemplate } = await import('../../platform/testing.ts')
  const { SUBGRAPHS } = await import('../../subgraphs/registry.ts')
  const template = await ensureTestTemplate(SUBGRAPHS)
  const name = `chaos_${process.pid}`
  const admin = new pg.Client({ connectionString: serverUrl })
  admin.on('error', () => {})
  await admin.connect()
  await admin.query(`drop database if exists ${name} with (force)`)
  await admin.query(`create database ${name} template ${template}`)
  const observer = new pg.Pool({ connectionString: withDatabase(serverUrl, name, OBSERVER), max: 2 })
  observer.on('error', () => {})
  return {
    url: withDatabase(serverUrl, name),
    name,
    query: async <R extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []) => (await observer.query<R>(sql, params as unknown[])).rows,
    async terminateBackends(options = {}) {
      const { rows } = await admin.query<{ cut: boolean }>(
        `select pg_terminate_backend(pid) as cut from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid() and application_name <> $2 and (not $3 or wait_event_type = 'Lock')`,
        [name, OBSERVER, options.waitingOnLock ?? false],
      )
      return rows.filter((r) => r.cut).length
    },
    async lockRows(sql, params) {
      const client = await observer.connect()
      await client.query('begin')
      await client.query(sql, params as unknown[])
      return {
        async release() {
          await client.query('rollback')
          client.release()
        },
      }
    },
    async close() {
      await observer.end().catch(() => {})
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}
