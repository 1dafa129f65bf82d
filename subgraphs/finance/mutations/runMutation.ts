import { randomUUID } from 'node:crypto'
import type { Database, Queryable } from '../../../platform/db.ts'
import { idempotencyConflict, runIdempotentSteps, type IdempotentSteps, type MutationResult } from '../../../platform/idempotency.ts'
import { viewerScope, type Viewer } from '../../../platform/viewer.ts'
import type { FinanceErrorCode, FinanceUserErrorModel } from '../models.ts'

/**
 * Runs a finance mutation at most once per (viewer, idempotency key): the key is hashed with
 * the rest of the input, so the same key with another input is IDEMPOTENCY_KEY_REUSED, and a
 * duplicate arriving while the first still runs is IDEMPOTENCY_CONCURRENT_REQUEST. `failed`
 * builds the payload that carries one userError and no record.
 */
export async function runMutation<P>(
  db: Database,
  viewer: Viewer,
  operation: string,
  input: { readonly idempotencyKey: string },
  failed: (error: FinanceUserErrorModel) => P,
  body: (tx: Queryable) => Promise<MutationResult<P>>,
): Promise<P> {
  return runMutationSteps(db, viewer, operation, input, failed, { outside: async () => undefined, inside: (tx) => body(tx) })
}

/**
 * `runMutation` for a mutation that asks the PSP first: `outside` calls it with the key claimed
 * and no transaction open, `inside` writes what it answered.
 */
export async function runMutationSteps<P, O>(
  db: Database,
  viewer: Viewer,
  operation: string,
  input: { readonly idempotencyKey: string },
  failed: (error: FinanceUserErrorModel) => P,
  steps: IdempotentSteps<P, O>,
): Promise<P> {
  const { idempotencyKey, ...rest } = input
  const outcome = await runIdempotentSteps(db, { schema: 'finance', scope: viewerScope(viewer), key: idempotencyKey, operation, input: rest }, steps)
  switch (outcome.kind) {
    case 'executed':
    case 'replayed':
      return outcome.result
    case 'reused':
    case 'inFlight':
      return failed(idempotencyConflict(outcome.kind))
  }
}

export const userError = (code: FinanceErrorCode, field: readonly string[], message: string): FinanceUserErrorModel => ({ code, field, message })

/** A business outcome that writes nothing: rolled back, and the key is freed for a retry. */
export const rejected = <P>(result: P): MutationResult<P> => ({ result, store: false })

/** Ids of records created by mutations (seeded records have readable ids instead). */
export const newId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`

/** Amounts arrive as Int64 strings (the scalar already checked the digits); callers check the sign. */
export const amountOf = (minorUnits: string) => BigInt(minorUnits)
