/**
 * The house's idempotent mutation: every subgraph's mutations run through `runMutation` (or
 * `runMutationSteps` when a call to another service comes first), bound to the subgraph's schema
 * by its kit (`subgraphs/<name>/kit.ts`), so no call site names a schema or switches on outcomes.
 *
 * A mutation runs at most once per (viewer, idempotency key): the key is hashed with the rest of
 * the input, so the same key with other input is IDEMPOTENCY_KEY_REUSED, and a duplicate arriving
 * while the first still runs is IDEMPOTENCY_CONCURRENT_REQUEST. A payload without userErrors is
 * stored and replayed as is (ids only; field resolvers load current state); a payload with
 * userErrors rolls everything back and is not stored, so the client may fix the cause and retry
 * with the same key.
 */
import type { Database, Queryable } from './db.ts'
import { idempotencyConflict, runIdempotentSteps, type IdempotencyConflict } from './idempotency.ts'
import type { SubgraphName } from './subgraphRegistry.ts'
import type { MutationPayload } from './userErrors.ts'
import type { EventEnvelope } from './events.ts'
import { publishedIn } from './outbox.ts'
import { viewerScope, type Viewer } from './viewer.ts'

export interface MutationRequest<P> {
  /** The mutation's name, part of the request hash. */
  readonly operation: string
  readonly idempotencyKey: string
  /** Where the key sits in the arguments, for IDEMPOTENCY_* userErrors; default `['input', 'idempotencyKey']`. */
  readonly keyField?: readonly string[]
  /** The arguments without the key, as the request hash sees them: a replay must send the same. */
  readonly input: unknown
  /** The payload that carries only these userErrors and no record. */
  readonly failed: (errors: IdempotencyConflict[]) => P
}

/** A mutation whose effect needs a call to another service before its own transaction. */
export interface MutationSteps<P, Outside> {
  /** Runs once the key is claimed, outside any transaction; must itself be idempotent. */
  readonly outside: () => Promise<Outside>
  /** The effect and the payload, in one transaction. */
  readonly inside: (tx: Queryable, outside: Outside) => Promise<P>
  /** Undoes `outside` when `inside` throws or returns userErrors. */
  readonly compensate?: (outside: Outside) => Promise<void>
}

/** What a mutation resolver hands the runner: the request's database and viewer (and the subgraph's cache). */
export interface MutationContext {
  readonly db: Database
  readonly viewer: Viewer
  /** Told the events a committed mutation published, before the mutation answers. */
  readonly cache?: { committed(events: readonly EventEnvelope[]): Promise<void> }
}

export interface MutationRunner {
  runMutation<P extends MutationPayload>(ctx: MutationContext, request: MutationRequest<P>, body: (tx: Queryable) => Promise<P>): Promise<P>
  runMutationSteps<P extends MutationPayload, Outside>(ctx: MutationContext, request: MutationRequest<P>, steps: MutationSteps<P, Outside>): Promise<P>
}

/** The runner of one subgraph's mutations, over the idempotency keys in its schema. */
export function mutationRunner(schema: SubgraphName): MutationRunner {
  async function runMutationSteps<P extends MutationPayload, Outside>(
    { db, viewer, cache }: MutationContext,
    request: MutationRequest<P>,
    steps: MutationSteps<P, Outside>,
  ): Promise<P> {
    let published: readonly EventEnvelope[] = []
    const outcome = await runIdempotentSteps<P, Outside>(
      db,
      { schema, scope: viewerScope(viewer), key: request.idempotencyKey, operation: request.operation, input: request.input },
      {
        outside: steps.outside,
        inside: async (tx, outside) => {
          const payload = await steps.inside(tx, outside)
          published = publishedIn(tx)
          return { result: payload, store: payload.userErrors.length === 0 }
        },
        ...(steps.compensate ? { compensate: steps.compensate } : {}),
      },
    )
    // what the committed events change leaves the cache before anyone reads the payload
    if (outcome.kind === 'executed' && published.length > 0) await cache?.committed(published)
    switch (outcome.kind) {
      case 'executed':
      case 'replayed':
        return outcome.result
      case 'reused':
      case 'inFlight':
        return request.failed([idempotencyConflict(outcome.kind, request.keyField)])
    }
  }
  return {
    runMutationSteps,
    runMutation: (ctx, request, body) => runMutationSteps(ctx, request, { outside: async () => undefined, inside: (tx) => body(tx) }),
  }
}
