import { createHash } from 'node:crypto'
import type { Database, Queryable } from './db.ts'

/**
 * A claim is leased, and its holder renews the lease every third of it while the request runs:
 * a claim whose lease ran out belonged to a process that died (or lost its database connection)
 * before it could complete or release it, and the next request with the key takes it over. Short,
 * so a client retrying after such a failure waits seconds, not a minute.
 */
const LEASE_SECONDS = 10
const RENEW_EVERY_MS = (LEASE_SECONDS * 1000) / 3
/** Pauses before each further attempt to free a claim whose release failed (a connection cut). */
const RELEASE_RETRY_MS = [100, 400, 1500]

export type IdempotencyOutcome<T> =
  | { readonly kind: 'executed'; readonly result: T }
  | { readonly kind: 'replayed'; readonly result: T }
  /** same key, other operation or input */
  | { readonly kind: 'reused' }
  /** same key, first request still running */
  | { readonly kind: 'inFlight' }

/** What a mutation body returns: `store: false` (a userError) rolls back and frees the key. */
export interface MutationResult<T> {
  readonly result: T
  readonly store: boolean
}

export interface IdempotentRequest {
  /** The subgraph's schema, which holds its idempotency_keys table. */
  readonly schema: string
  /** Keys are scoped to the viewer: another viewer's key never collides. */
  readonly scope: string
  readonly key: string
  readonly operation: string
  /** The mutation input without the key; compared by a canonical hash. */
  readonly input: unknown
}

/**
 * Runs a mutation at most once per (viewer, key). The claim is taken in its own statement so a
 * concurrent duplicate sees it at once; the effect and the stored result commit in one
 * transaction, so "completed" implies the effect happened. Results carrying userErrors are not
 * stored (nothing was written), so a client may fix the cause and retry with the same key.
 * Stored results must be JSON: return ids, and let field resolvers load current state.
 */
export async function runIdempotent<T>(
  db: Database,
  request: IdempotentRequest,
  body: (tx: Queryable) => Promise<MutationResult<T>>,
): Promise<IdempotencyOutcome<T>> {
  return runIdempotentSteps(db, request, { outside: async () => undefined, inside: (tx) => body(tx) })
}

/** A mutation whose effect needs a call to another service before its own transaction. */
export interface IdempotentSteps<T, Outside> {
  /**
   * Runs once the key is claimed, outside any transaction: a call to another service (PGlite has
   * one connection, so a transaction must never wait on the network). Must itself be idempotent.
   */
  readonly outside: () => Promise<Outside>
  /** The effect and the stored result, in one transaction. */
  readonly inside: (tx: Queryable, outside: Outside) => Promise<MutationResult<T>>
  /**
   * Undoes `outside` when `inside` throws or returns userErrors. If compensation itself fails the
   * error is rethrown; what `outside` did must then expire on its own (reservations have a TTL).
   */
  readonly compensate?: (outside: Outside) => Promise<void>
}

/** `runIdempotent` with a step outside the transaction, and its compensation. */
export async function runIdempotentSteps<T, Outside>(
  db: Database,
  request: IdempotentRequest,
  steps: IdempotentSteps<T, Outside>,
): Promise<IdempotencyOutcome<T>> {
  const table = `${request.schema}.idempotency_keys`
  const hash = requestHash(request.operation, request.input)
  const claimed = await db.query(
    `insert into ${table} (scope, key, operation, request_hash, state, locked_until)
     values ($1, $2, $3, $4, 'in_flight', now() + make_interval(secs => $5))
     on conflict (scope, key) do nothing returning key`,
    [request.scope, request.key, request.operation, hash, LEASE_SECONDS],
  )
  if (claimed.rowCount === 0) {
    const { rows } = await db.query<{ request_hash: string; state: string; response: unknown }>(
      `select request_hash, state, response from ${table} where scope = $1 and key = $2`,
      [request.scope, request.key],
    )
    const existing = rows[0]
    if (existing && existing.request_hash !== hash) return { kind: 'reused' }
    if (existing?.state === 'completed') return { kind: 'replayed', result: existing.response as T }
    const reclaimed = await db.query(
      `update ${table} set locked_until = now() + make_interval(secs => $3)
       where scope = $1 and key = $2 and state = 'in_flight' and locked_until < now() returning key`,
      [request.scope, request.key, LEASE_SECONDS],
    )
    if (reclaimed.rowCount === 0) return { kind: 'inFlight' }
  }

  const release = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await db.query(`delete from ${table} where scope = $1 and key = $2 and state = 'in_flight'`, [request.scope, request.key])
        return
      } catch (error) {
        // past the last retry the lease frees the key on its own
        const pause = RELEASE_RETRY_MS[attempt]
        if (pause === undefined) throw error
        await new Promise((resolve) => setTimeout(resolve, pause))
      }
    }
  }
  // renewed while this request runs; a renewal that fails leaves the lease to run out
  const renewal = setInterval(() => {
    db.query(
      `update ${table} set locked_until = now() + make_interval(secs => $3) where scope = $1 and key = $2 and state = 'in_flight'`,
      [request.scope, request.key, LEASE_SECONDS],
    ).catch(() => {})
  }, RENEW_EVERY_MS)
  renewal.unref()
  try {
    return await runClaimed(db, table, request, steps, release)
  } finally {
    clearInterval(renewal)
  }
}

/** The steps of a request that holds its key's claim. */
async function runClaimed<T, Outside>(
  db: Database,
  table: string,
  request: IdempotentRequest,
  steps: IdempotentSteps<T, Outside>,
  release: () => Promise<void>,
): Promise<IdempotencyOutcome<T>> {
  let outside: Outside
  try {
    outside = await steps.outside()
  } catch (error) {
    await release()
    throw error
  }
  let outcome: MutationResult<T>
  try {
    outcome = await db.transaction(async (tx) => {
      const produced = await steps.inside(tx, outside)
      if (!produced.store) throw new RollbackWith(produced)
      await tx.query(
        `update ${table} set state = 'completed', response = $3::jsonb, completed_at = now() where scope = $1 and key = $2`,
        [request.scope, request.key, JSON.stringify(produced.result ?? null)],
      )
      return produced
    })
  } catch (error) {
    try {
      await steps.compensate?.(outside)
    } finally {
      await release()
    }
    if (error instanceof RollbackWith) return { kind: 'executed', result: (error.outcome as MutationResult<T>).result }
    throw error
  }
  return { kind: 'executed', result: outcome.result }
}

class RollbackWith extends Error {
  constructor(readonly outcome: MutationResult<unknown>) {
    super('rolled back: the mutation returned userErrors')
  }
}

export function requestHash(operation: string, input: unknown): string {
  return createHash('sha256').update(operation).update('\0').update(canonicalJson(input)).digest('hex')
}

/** JSON with object keys sorted, so that field order does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null'
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (value === null || typeof value !== 'object') return JSON.stringify(typeof value === 'bigint' ? String(value) : value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export interface IdempotencyConflict {
  readonly code: 'IDEMPOTENCY_KEY_REUSED' | 'IDEMPOTENCY_CONCURRENT_REQUEST'
  readonly field: string[]
  readonly message: string
}

/**
 * The userError every domain answers with when a key was used with other input (`reused`) or is
 * held by a request still running (`inFlight`). Both codes are in every domain's error enum.
 */
export function idempotencyConflict(kind: 'reused' | 'inFlight', field: readonly string[] = ['input', 'idempotencyKey']): IdempotencyConflict {
  return kind === 'reused'
    ? { code: 'IDEMPOTENCY_KEY_REUSED', field: [...field], message: 'This idempotency key was used for another request' }
    : { code: 'IDEMPOTENCY_CONCURRENT_REQUEST', field: [...field], message: 'A request with this idempotency key is still running; retry later' }
}
