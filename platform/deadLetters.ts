import { SUBGRAPH_NAMES, type SubgraphName } from './subgraphRegistry.ts'
import type { Database } from './db.ts'
import type { EventEnvelope } from './events.ts'
import { insertOutboxRow } from './outbox.ts'

export interface DeadLetter {
  readonly schema: string
  readonly id: string
  readonly consumer: string
  readonly event: EventEnvelope
  readonly error: string
  readonly attempts: number
  readonly failedAt: Date
  readonly replayedAt: Date | null
}

interface DeadLetterRow {
  id: string
  consumer: string
  event: EventEnvelope
  error: string
  attempts: number
  failed_at: Date
  replayed_at: Date | null
}

const COLUMNS = 'id::text, consumer, event, error, attempts, failed_at, replayed_at'

const letterOf = (schema: string, r: DeadLetterRow): DeadLetter => ({
  schema,
  id: r.id,
  consumer: r.consumer,
  event: r.event,
  error: r.error,
  attempts: r.attempts,
  failedAt: new Date(r.failed_at),
  replayedAt: r.replayed_at ? new Date(r.replayed_at) : null,
})

/** Every subgraph's dead letters, newest first. */
export async function listDeadLetters(db: Database, consumer?: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = []
  for (const schema of SUBGRAPH_NAMES) {
    const exists = await db.query(`select 1 from information_schema.tables where table_schema = $1 and table_name = 'dead_letters'`, [schema])
    if (exists.rowCount === 0) continue
    const { rows } = await db.query<DeadLetterRow>(
      `select ${COLUMNS} from ${schema}.dead_letters
       where ($1::text is null or consumer = $1) order by failed_at desc, id desc`,
      [consumer ?? null],
    )
    letters.push(...rows.map((r) => letterOf(schema, r)))
  }
  return letters
}

/** One subgraph's newest dead letters (at most `limit`), and how many are not replayed yet. */
export async function recentDeadLetters(db: Database, schema: SubgraphName, limit: number): Promise<{ letters: DeadLetter[]; unreplayed: number }> {
  const { rows } = await db.query<DeadLetterRow>(`select ${COLUMNS} from ${schema}.dead_letters order by failed_at desc, id desc limit $1`, [limit])
  const count = await db.query<{ n: number }>(`select count(*)::int as n from ${schema}.dead_letters where replayed_at is null`)
  return { letters: rows.map((r) => letterOf(schema, r)), unreplayed: count.rows[0]?.n ?? 0 }
}

/** One dead letter of a subgraph by id, or null. */
export async function deadLetterById(db: Database, schema: SubgraphName, id: string): Promise<DeadLetter | null> {
  const { rows } = await db.query<DeadLetterRow>(`select ${COLUMNS} from ${schema}.dead_letters where id = $1::bigint`, [id])
  return rows[0] ? letterOf(schema, rows[0]) : null
}

/**
 * Puts a dead letter back on the bus: the original event (same id) is appended to the consuming
 * subgraph's outbox, whose relay publishes it. Consumers that applied it skip it by id; the one
 * that gave up applies it now. Marked replayed in the same transaction.
 */
export async function replayDeadLetter(db: Database, letter: Pick<DeadLetter, 'schema' | 'id' | 'event'>): Promise<void> {
  await db.transaction(async (tx) => {
    await insertOutboxRow(tx, letter.schema, letter.event)
    await tx.query(`update ${letter.schema}.dead_letters set replayed_at = now() where id = $1`, [letter.id])
  })
}
