import { badUserInput } from '../../platform/errors.ts'
import type { PageRequest } from '../../platform/pagination.ts'

/**
 * The (timestamp, id) keyset position a connection's `after` cursor holds. The cursor decodes
 * (pagination.ts checks kind and arity), but its values still come from the client: a timestamp
 * that does not parse is a bad cursor, not a database error.
 */
export function timeIdAfter(request: PageRequest): readonly [string, string] | null {
  if (!request.after) return null
  const [at, id] = request.after
  if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at))) {
    throw badUserInput(`'after' is not a valid cursor for this connection`, 'after')
  }
  return [at, id]
}

export const timeIdKeyOf = (at: Date, id: string): readonly [string, string] => [at.toISOString(), id]
