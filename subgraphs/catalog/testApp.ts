import type { FastifyInstance } from 'fastify'
import { countingDatabase, type CountingDatabase } from '../../platform/countingDatabase.ts'
import { openTestDatabase, testConfig, type TestDatabase } from '../../platform/testing.ts'
import { catalog } from './definition.ts'

export interface CatalogTestApp {
  readonly test: TestDatabase
  readonly app: FastifyInstance
  /** The same database, counting every statement the app runs. */
  readonly db: CountingDatabase
  close(): Promise<void>
}

/** The catalog app on a database of the test file's own (migrated and seeded catalog only). */
export async function openCatalogTestApp(): Promise<CatalogTestApp> {
  const test = await openTestDatabase([catalog])
  const db = countingDatabase(test.db)
  const app = await catalog.buildApp({ config: testConfig, db })
  return {
    test,
    app,
    db,
    async close() {
      await app.close()
      await test.close()
    },
  }
}
