import { GraphQLScalarType, Kind } from 'graphql'
import { badUserInput } from '../../platform/errors.ts'

/** YYYY-MM-DD, and a real day of the calendar (2026-02-30 is refused, not rolled over). */
function parseDate(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const date = new Date(`${value}T00:00:00Z`)
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value) return value
  }
  throw badUserInput(`Date must be a calendar day in ISO 8601 form (2026-12-07), got ${JSON.stringify(value)}`)
}

/**
 * A calendar day, finance's only: reconciliation works on UTC days, so a period is given as days
 * rather than instants that would carry an offset.
 */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'Calendar day in ISO 8601 form (2026-12-07)',
  serialize: (value) => parseDate(value),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
})
