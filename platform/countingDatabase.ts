import type { Database, Queryable } from './db.ts'

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
