import { mkdirSync } from 'node:fs'
import { PGlite, types } from '@electric-sql/pglite'
import type { Database, Queryable, QueryResult } from './db.ts'
import { INT8_OID, NUMERIC_OID } from './db.ts'

type PgliteLike = Pick<PGlite, 'query' | 'exec'>

function queryable(pg: PgliteLike): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await pg.query<R>(sql, params as unknown[])
      // PGlite reports affectedRows 0 for a SELECT; pg's rowCount counts the rows returned
      return { rows: result.rows, rowCount: Math.max(result.rows.length, result.affectedRows ?? 0) }
    },
    async exec(sql: string): Promise<void> {
      await pg.exec(sql)
    },
  }
}

/**
 * Embedded PostgreSQL. One instance costs seconds and hundreds of MB, so a process opens one and
 * every subgraph uses its own schema inside it. PGlite has a single connection: transactions are
 * serialized by PGlite itself, which makes conditional updates trivially race-free here.
 */
export async function openPgliteDatabase(dataDir: string | null, loadDataDir?: Blob): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true })
  const identity = (value: string) => value
  const pg = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: { [INT8_OID]: identity, [NUMERIC_OID]: identity },
    serializers: { [types.INT8]: (value: unknown) => String(value) },
  })
  const base = queryable(pg)
  return {
    driver: 'pglite',
    ...base,
    transaction: (fn) => pg.transaction((tx) => fn(queryable(tx))),
    async listen(channel, onNotify) {
      const stop = await pg.listen(channel, () => onNotify())
      return async () => {
        if (!pg.closed) await stop()
      }
    },
    close: () => pg.close(),
    // exposed for the test template (dumpDataDir); not part of the Database interface
    ...({ pglite: pg } as object),
  }
}
