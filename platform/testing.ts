/**
 * Test support: a real database per test file (PGlite restored from a migrated, seeded template;
 * or a PostgreSQL database cloned from a template database when DATABASE_URL is set), signed
 * viewer headers, and a GraphQL helper over `app.inject` (no ports).
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql'
import { loadConfig, type Config } from './config.ts'
import { countingDatabase, type CountingDatabase } from './countingDatabase.ts'
import type { Database, Queryable } from './db.ts'
import type { EventEnvelope } from './events.ts'
import type { SubgraphName } from './subgraphRegistry.ts'
import { openDatabase } from './openDatabase.ts'
import { migrate } from './migrate.ts'
import type { SubgraphDefinition, SubgraphDeps } from './subgraph.ts'
import { ANONYMOUS, CONNECTION_INIT_BODY, signViewer, VIEWER_HEADER, type Viewer } from './viewer.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const TEMPLATE_DIR = join(ROOT, '.data', 'test-templates')

export const testConfig: Readonly<Config> = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent',
  // sockets still open when a test stops its gateway close at once
  SHUTDOWN_DRAIN_MS: '0',
  // functional suites query deeper and wider than the production defaults and send bursts from one address;
  // test/security/ runs the gateway on the defaults (securityTestConfig)
  MAX_DEPTH: '10',
  MAX_COST_ANONYMOUS: '50000',
  MAX_COST_CUSTOMER: '50000',
  MAX_COST_PARTNER: '50000',
  MAX_COST_STAFF: '50000',
  RATE_LIMIT_ENABLED: 'false',
  ANOMALY_DETECTION: 'false',
  ...(process.env['DATABASE_URL'] ? { DATABASE_URL: process.env['DATABASE_URL'] } : {}),
})

export interface TestDatabase {
  readonly db: Database
  close(): Promise<void>
}

/** Hash of everything that shapes the template: migrations and seed code. */
function templateHash(): string {
  const hash = createHash('sha256')
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry)
      if (entry === 'node_modules' || entry === '.data' || entry.startsWith('.')) continue
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.sql$|seed\.ts$|world\.ts$/.test(entry)) hash.update(path.slice(ROOT.length)).update(readFileSync(path))
    }
  }
  for (const dir of ['platform', 'seed', 'subgraphs']) if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir))
  return hash.digest('hex').slice(0, 16)
}

/** Migrates and seeds the given subgraphs into `db` (the caller names them: platform knows none). */
export async function prepareDatabase(db: Database, subgraphs: readonly SubgraphDefinition[]): Promise<void> {
  for (const subgraph of subgraphs) await migrate(db, subgraph.name, subgraph.migrationsDir)
  for (const subgraph of subgraphs) await subgraph.seed(db, { reset: false })
}

/**
 * Creates the template of these subgraphs once per content hash (the test script builds the one of
 * every subgraph before the files run); a subgraph's own tests name just it, so they do not depend
 * on the others' seeds.
 */
export async function ensureTestTemplate(subgraphs: readonly SubgraphDefinition[]): Promise<string> {
  // which subgraphs, as a short digest: PostgreSQL cuts database names at 63 characters
  const which = createHash('sha256').update(subgraphs.map((s) => s.name).join(',')).digest('hex').slice(0, 8)
  const hash = `${templateHash()}_${which}`
  if (testConfig.databaseUrl) {
    const name = `commerce_template_${hash}`
    const admin = await openDatabase({ databaseUrl: testConfig.databaseUrl, dataDir: null, poolSize: 1 })
    try {
      const exists = await admin.query(`select 1 from pg_database where datname = $1`, [name])
      if (exists.rowCount === 0) {
        const building = `${name}_building_${process.pid}`
        await admin.exec(`drop database if exists ${building}`)
        await admin.exec(`create database ${building}`)
        const db = await openDatabase({ databaseUrl: withDatabase(testConfig.databaseUrl, building), dataDir: null, poolSize: 2 })
        await prepareDatabase(db, subgraphs)
        await db.close()
        try {
          await admin.exec(`alter database ${building} rename to ${name}`)
        } catch (error) {
          // another test process finished the same template first
          await admin.exec(`drop database if exists ${building}`)
          const raced = await admin.query(`select 1 from pg_database where datname = $1`, [name])
          if (raced.rowCount === 0) throw error
        }
      }
    } finally {
      await admin.close()
    }
    return name
  }
  mkdirSync(TEMPLATE_DIR, { recursive: true })
  const file = join(TEMPLATE_DIR, `template-${hash}.tar.gz`)
  if (!existsSync(file)) {
    const db = await openDatabase({ databaseUrl: null, dataDir: null })
    await prepareDatabase(db, subgraphs)
    const dump = await (db as unknown as { pglite: { dumpDataDir(c: 'gzip'): Promise<Blob> } }).pglite.dumpDataDir('gzip')
    const partial = `${file}.${process.pid}.tmp`
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()))
    renameSync(partial, file)
    await db.close()
  }
  return file
}

/** A database of this test file's own, migrated and seeded (all subgraphs, or `only` these). */
export async function openTestDatabase(subgraphs: readonly SubgraphDefinition[]): Promise<TestDatabase> {
  const template = await ensureTestTemplate(subgraphs)
  if (testConfig.databaseUrl) {
    const name = `commerce_test_${process.pid}_${randomBytes(4).toString('hex')}`
    const admin = await openDatabase({ databaseUrl: testConfig.databaseUrl, dataDir: null, poolSize: 1 })
    await admin.exec(`create database ${name} template ${template}`)
    const db = await openDatabase({ databaseUrl: withDatabase(testConfig.databaseUrl, name), dataDir: null, poolSize: 10 })
    return {
      db,
      async close() {
        await db.close()
        await admin.exec(`drop database if exists ${name}`)
        await admin.close()
      },
    }
  }
  const loadDataDir = new Blob([readFileSync(template)])
  const db = await openDatabase({ databaseUrl: null, dataDir: null, loadDataDir })
  return { db, close: () => db.close() }
}

/** A database of this test file's own with the empty schemas `schemas` (migrated from no migrations), for platform code no subgraph owns. */
export async function openSchemaTestDatabase(schemas: readonly string[]): Promise<TestDatabase> {
  const test = await openTestDatabase([])
  for (const schema of schemas) await migrate(test.db, schema, mkdtempSync(join(tmpdir(), 'migrations-')))
  return test
}

export interface SubgraphTestApp {
  readonly test: TestDatabase
  readonly app: FastifyInstance
  /** The same database, counting every statement the app runs. */
  readonly db: CountingDatabase
  /** What the subgraph appended to its outbox after `afterPosition`, in outbox order. */
  outbox<P = any>(filter?: OutboxFilter): Promise<OutboxEvent<P>[]>
  /** The outbox's last position: pass it as `afterPosition` to see only what a step appended. */
  outboxPosition(): Promise<bigint>
  /** Closes the app, then the database. */
  close(): Promise<void>
}

export interface OutboxFilter {
  readonly type?: string
  readonly aggregateId?: string
  readonly afterPosition?: bigint
}

export interface OutboxEvent<P = any> extends EventEnvelope<P> {
  readonly position: bigint
  readonly publishedAt: Date | null
}

/** Reads a subgraph's outbox (tests only): what it appended, in order, with the envelope as published. */
export async function readOutbox<P = any>(db: Queryable, schema: SubgraphName, filter: OutboxFilter = {}): Promise<OutboxEvent<P>[]> {
  const { rows } = await db.query<{
    position: string; id: string; type: string; source: SubgraphName; aggregate_type: string; aggregate_id: string; sequence: string
    occurred_at: Date | string; trace_context: Record<string, string>; payload: P; published_at: Date | string | null
  }>(
    `select position::text, id, type, source, aggregate_type, aggregate_id, sequence::text, occurred_at, trace_context, payload, published_at
     from ${schema}.outbox
     where ($1::text is null or type = $1) and ($2::text is null or aggregate_id = $2) and position > $3::bigint
     order by position`,
    [filter.type ?? null, filter.aggregateId ?? null, String(filter.afterPosition ?? 0n)],
  )
  return rows.map((row) => ({
    position: BigInt(row.position), id: row.id, type: row.type, source: row.source, aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id, sequence: Number(row.sequence), occurredAt: new Date(row.occurred_at).toISOString(),
    traceContext: row.trace_context, payload: row.payload, publishedAt: row.published_at === null ? null : new Date(row.published_at),
  }))
}

/** The last position of a subgraph's outbox (0 when empty). */
export async function outboxPosition(db: Queryable, schema: SubgraphName): Promise<bigint> {
  const { rows } = await db.query<{ p: string | null }>(`select max(position)::text as p from ${schema}.outbox`)
  return BigInt(rows[0]?.p ?? 0)
}

/**
 * The subgraph's app on a database of the test file's own (migrated and seeded for `subgraphs`,
 * default just `definition`), built with `testConfig` and the counting database; `deps` adds the
 * rest (a `subgraphUrl`, a `bus` the caller closes after `close()`).
 */
export async function openSubgraphTestApp<Deps extends SubgraphDeps = SubgraphDeps>(
  definition: SubgraphDefinition<Deps>,
  options: { readonly subgraphs?: readonly SubgraphDefinition[]; readonly deps?: Partial<Omit<Deps, 'db'>> } = {},
): Promise<SubgraphTestApp> {
  const test = await openTestDatabase(options.subgraphs ?? [definition])
  const db = countingDatabase(test.db)
  let app: FastifyInstance
  try {
    app = await definition.buildApp({ config: testConfig, ...options.deps, db } as unknown as Deps)
  } catch (error) {
    await test.close()
    throw error
  }
  return {
    test,
    app,
    db,
    outbox: (filter) => readOutbox(test.db, definition.name, filter),
    outboxPosition: () => outboxPosition(test.db, definition.name),
    async close() {
      await app.close()
      await test.close()
    },
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

export const viewer = (overrides: Partial<Viewer> = {}): Viewer => ({ ...ANONYMOUS, ...overrides })
export const customer = (sub: string): Viewer => viewer({ sub, roles: ['customer'] })
export const staff = (sub = 'staff_1'): Viewer => viewer({ sub, roles: ['staff'] })
export const partner = (sub = 'partner_1', scopes: string[] = ['stock:read']): Viewer => viewer({ sub, roles: ['partner'], scopes })

/**
 * The viewer header for `who`, signed over `body`: the exact string the request will send. With
 * no body it is signed for a graphql-ws `connection_init` (what subscription clients send).
 */
export function signedHeaders(
  who: Viewer = ANONYMOUS,
  config: Pick<Config, 'viewerSigningSecret'> = testConfig,
  body: string = CONNECTION_INIT_BODY,
): Record<string, string> {
  return { [VIEWER_HEADER]: signViewer(who, config.viewerSigningSecret, body) }
}

export interface GraphQLResponse<D = Record<string, any>> {
  readonly statusCode: number
  readonly data: D | null | undefined
  readonly errors: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] | undefined
}

/** POSTs an operation to a subgraph app in-process, signed as `who` over the body it sends. */
export async function execute<D = Record<string, any>>(
  app: FastifyInstance,
  query: string,
  variables: Record<string, unknown> = {},
  who: Viewer = ANONYMOUS,
  config: Pick<Config, 'viewerSigningSecret'> = testConfig,
): Promise<GraphQLResponse<D>> {
  // a string payload goes out byte for byte; an object would be serialized by inject itself
  const payload = JSON.stringify({ query, variables })
  const response = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...signedHeaders(who, config, payload) },
    payload,
  })
  const body = response.json() as { data?: D | null; errors?: GraphQLResponse['errors'] }
  return { statusCode: response.statusCode, data: body.data, errors: body.errors }
}

/** Waits until `check` holds, polling every 20 ms; fails naming `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The values of an enum in an SDL text, in order (descriptions and comments aside). */
export function enumValuesOf(sdl: string, enumName: string): string[] {
  const definition = parse(sdl).definitions.find((d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === enumName)
  return definition?.values?.map((v) => v.name.value) ?? []
}

/**
 * The value of one series in a Prometheus text exposition (`GET /metrics`): the sample named
 * `name` whose labels include every one of `labels` (in any order); undefined when none does.
 */
export function metricValue(exposition: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3])
  }
  return undefined
}
