/**
 * What one subgraph's code calls, bound once to its schema name: its mutation runner, its event
 * publisher and its typed `userError`. Each subgraph makes its kit in `subgraphs/<name>/kit.ts`
 * (a leaf module its resolvers, mutations and consumers import), so no call site passes its
 * schema's name again.
 */
import { mutationRunner, type MutationRunner } from './mutations.ts'
import { eventPublisher, type EventAggregates, type EventPublisher } from './outbox.ts'
import type { SubgraphName } from './subgraphRegistry.ts'
import { userError, type UserError } from './userErrors.ts'

export interface SubgraphKit<Events, Code extends string> extends MutationRunner {
  readonly name: SubgraphName
  /** Appends one of this subgraph's events to its outbox, in the caller's transaction. */
  readonly publish: EventPublisher<Events>
  /** A userError with one of this subgraph's codes. */
  readonly userError: (code: Code, field: readonly (string | number)[], message: string) => UserError<Code>
}

export function subgraphKit<Events, Code extends string>(name: SubgraphName, aggregates: EventAggregates<Events>): SubgraphKit<Events, Code> {
  return { name, ...mutationRunner(name), publish: eventPublisher<Events>(name, aggregates), userError }
}
