// npm run seed: resets the demo store (every subgraph's data) to its deterministic initial state.
import { ConfigError, loadConfig } from '../platform/config.ts'
import { openDatabase } from '../platform/openDatabase.ts'
import { migrate } from '../platform/migrate.ts'
import { SUBGRAPHS } from '../subgraphs/registry.ts'

try {
  const config = loadConfig()
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  for (const subgraph of SUBGRAPHS) {
    const started = Date.now()
    await migrate(db, subgraph.name, subgraph.migrationsDir)
    await subgraph.seed(db, { reset: true })
    console.log(`${subgraph.name.padEnd(10)} seeded in ${Date.now() - started} ms`)
  }
  await db.close()
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}
