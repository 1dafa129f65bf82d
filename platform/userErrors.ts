/**
 * A mutation's business refusal: `{ code, field, message }` in its payload's `userErrors`, where
 * `field` is the path of the offending input (`['input', 'lines', '2', 'quantity']`). Every
 * subgraph's error enum holds the codes its mutations return; the factory is typed by it.
 */
export interface UserError<Code extends string = string> {
  readonly code: Code
  /** null when the error is about the request as a whole. */
  readonly field: readonly string[] | null
  readonly message: string
}

/** A payload that can carry userErrors; it is stored for replay only when it carries none. */
export interface MutationPayload {
  readonly userErrors: readonly UserError[]
}

export function userError<Code extends string>(code: Code, field: readonly (string | number)[], message: string): UserError<Code> {
  return { code, field: field.map(String), message }
}
