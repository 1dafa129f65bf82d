import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Database } from './db.ts'

const PLATFORM_MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url))
const MIGRATION_FILE = /^(\d{4})_[a-z0-9_]+\.sql$/

export interface Migration {
  readonly name: string
  readonly sql: string
}

/** Numbered `.sql` files of a folder, in order. Names must be `NNNN_words.sql`. */
export function readMigrations(dir: string, prefix = ''): Migration[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      if (!MIGRATION_FILE.test(file)) throw new Error(`migration file name must look like 0001_name.sql: ${join(dir, file)}`)
      return { name: `${prefix}${file}`, sql: readFileSync(join(dir, file), 'utf8') }
    })
}

/**
 * Applies a subgraph's migrations in its own PostgreSQL schema: first the platform's shared
 * tables (idempotency keys, ...), then the subgraph's numbered files. Each migration runs in its
 * own transaction with `search_path` set to the schema, under an advisory lock so that replicas
 * starting together apply each file once. Applied migrations are append-only: never edit one.
 */
export async function migrate(db: Database, schema: string, dir: string): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name '${schema}'`)
  const migrations = [...readMigrations(PLATFORM_MIGRATIONS, 'platform/'), ...readMigrations(dir)]
  await db.exec(`create schema if not exists ${schema};
    create table if not exists ${schema}.schema_migrations (name text primary key, applied_at timestamptz not null default now())`)
  const applied: string[] = []
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`migrate:${schema}`])
      const done = await tx.query(`select 1 from ${schema}.schema_migrations where name = $1`, [migration.name])
      if (done.rowCount > 0) return false
      await tx.exec(`set local search_path to ${schema}, public;\n${migration.sql}`)
      await tx.query(`insert into ${schema}.schema_migrations (name) values ($1)`, [migration.name])
      return true
    })
    if (ran) applied.push(migration.name)
  }
  return applied
}
