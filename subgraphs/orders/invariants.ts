/** A row a foreign key guarantees; its absence is a broken invariant, not a client error. */
export function present<T>(row: T | null, what: string): T {
  if (row === null) throw new Error(`${what} is missing`)
  return row
}
