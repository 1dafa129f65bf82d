import { badUserInput } from '../../../platform/errors.ts'
import type { Queryable } from '../../../platform/db.ts'
import { idempotencyConflict, runIdempotent } from '../../../platform/idempotency.ts'
import { viewerScope } from '../../../platform/viewer.ts'
import type { Context } from '../context.ts'
import type { InventoryUserErrorModel } from '../models.ts'

/** Longest list of changes, moves or lines one mutation takes: one transaction, bounded. */
export const MAX_MUTATION_LINES = 250

export function requireBoundedList(list: readonly unknown[], argumentName: string): void {
  if (list.length > MAX_MUTATION_LINES) throw badUserInput(`'${argumentName}' takes at most ${MAX_MUTATION_LINES} entries, got ${list.length}`, argumentName)
}

export interface InventoryMutation<P> {
  readonly operation: string
  readonly idempotencyKey: string
  /** Where the key sits in the arguments, for IDEMPOTENCY_* userErrors. */
  readonly keyField: readonly string[]
  /** The arguments without the key: a replay must send the same. */
  readonly input: unknown
  /** The payload carrying only userErrors. */
  readonly failed: (errors: InventoryUserErrorModel[]) => P
}

/**
 * Runs a mutation body once per (viewer, idempotency key), in one transaction. A payload with
 * userErrors rolls everything back and is not stored, so the client may fix the cause and retry
 * with the same key; a stored payload (ids only) is replayed as is.
 */
export async function runInventoryMutation<P extends { readonly userErrors: readonly InventoryUserErrorModel[] }>(
  ctx: Context,
  mutation: InventoryMutation<P>,
  body: (tx: Queryable) => Promise<P>,
): Promise<P> {
  const outcome = await runIdempotent<P>(
    ctx.db,
    { schema: 'inventory', scope: viewerScope(ctx.viewer), key: mutation.idempotencyKey, operation: mutation.operation, input: mutation.input },
    async (tx) => {
      const payload = await body(tx)
      return { result: payload, store: payload.userErrors.length === 0 }
    },
  )
  switch (outcome.kind) {
    case 'executed':
    case 'replayed':
      return outcome.result
    case 'reused':
    case 'inFlight':
      return mutation.failed([idempotencyConflict(outcome.kind, mutation.keyField)])
  }
}
