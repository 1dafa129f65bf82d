import type { Database } from './db.ts'

// The driver factory, apart from the interface (db.ts) the drivers implement: like bus.ts and
// openBus.ts, so neither driver imports the module that loads it.
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
