import { badUserInput } from '../../platform/errors.ts'
import type { CursorKey } from '../../platform/pagination.ts'
import type { VariantKey } from './store/variantStore.ts'

/*
 * pageRequest checks that a cursor decodes and has the connection's arity; these check that its
 * values have the sort key's types, so that a forged cursor is BAD_USER_INPUT and not a SQL error.
 */
const malformed = (argumentName: string) => badUserInput(`'${argumentName}' is not a valid cursor for this connection`, argumentName)

/** A connection sorted by id. */
export function idKey(key: CursorKey | null, argumentName: 'after' | 'before'): string | null {
  if (key === null) return null
  const [id] = key
  if (typeof id !== 'string') throw malformed(argumentName)
  return id
}

/** Product.variants, sorted by (position, id). */
export function variantKey(key: CursorKey | null): VariantKey | null {
  if (key === null) return null
  const [position, id] = key
  if (typeof position !== 'number' || !Number.isInteger(position) || typeof id !== 'string') throw malformed('after')
  return [position, id]
}
