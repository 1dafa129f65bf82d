import { badUserInput } from '../../../platform/errors.ts'

/** Longest list of changes, moves or lines one mutation takes: one transaction, bounded. */
export const MAX_MUTATION_LINES = 250

export function requireBoundedList(list: readonly unknown[], argumentName: string): void {
  if (list.length > MAX_MUTATION_LINES) throw badUserInput(`'${argumentName}' takes at most ${MAX_MUTATION_LINES} entries, got ${list.length}`, argumentName)
}
