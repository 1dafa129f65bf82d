import { GraphQLScalarType, Kind, type ValueNode } from 'graphql'
import { badUserInput } from './errors.ts'

/**
 * The shared scalars of the contract (shared.graphql), identical in every subgraph. Invalid
 * input values fail validation with a message naming the scalar; output values are serialized
 * canonically (Int64 and Decimal as strings, DateTime as RFC 3339 UTC).
 */
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

function literalValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.INT:
    case Kind.FLOAT:
    case Kind.BOOLEAN:
      return ast.value
    default:
      return undefined
  }
}

function parseInt64(value: unknown): string {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' ? value : null
  if (text === null || !/^-?\d{1,19}$/.test(text)) throw badUserInput(`Int64 must be an integer or a string of digits, got ${JSON.stringify(value)}`)
  const big = BigInt(text)
  if (big < INT64_MIN || big > INT64_MAX) throw badUserInput(`Int64 out of range: ${text}`)
  return big.toString()
}

export const Int64 = new GraphQLScalarType<string, string>({
  name: 'Int64',
  description: '64-bit signed integer serialized as a JSON string',
  serialize: (value) => (typeof value === 'bigint' ? value.toString() : parseInt64(value)),
  parseValue: parseInt64,
  parseLiteral: (ast) => parseInt64(ast.kind === Kind.INT || ast.kind === Kind.STRING ? ast.value : undefined),
})

/** A scalar whose one check and canonical form serve output, variables and literals alike. */
function checkedScalar(name: string, description: string, check: (value: unknown) => string): GraphQLScalarType<string, string> {
  return new GraphQLScalarType<string, string>({ name, description, serialize: check, parseValue: check, parseLiteral: (ast) => check(literalValue(ast)) })
}

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value
  if (typeof text !== 'string' || !/^-?\d+(\.\d+)?$/.test(text)) throw badUserInput(`Decimal must be a decimal string, got ${JSON.stringify(value)}`)
  return text
}

export const Decimal = checkedScalar('Decimal', 'Arbitrary-precision decimal serialized as a string', parseDecimal)

function parseCurrency(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value)) throw badUserInput(`CurrencyCode must be an ISO 4217 alpha-3 code, got ${JSON.stringify(value)}`)
  return value
}

export const CurrencyCode = checkedScalar('CurrencyCode', 'ISO 4217 alpha-3 currency code', parseCurrency)

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw badUserInput(`DateTime must be an RFC 3339 timestamp, got ${JSON.stringify(value)}`)
  }
  return new Date(value)
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'RFC 3339 timestamp',
  serialize: (value) => {
    const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null
    if (!date || Number.isNaN(date.getTime())) throw new TypeError(`DateTime cannot serialize ${String(value)}`)
    return date.toISOString()
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(literalValue(ast)),
})

function parseUri(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048 || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(value)) {
    throw badUserInput(`URI must be an absolute URI such as gid://orders/Order/1, got ${JSON.stringify(value)}`)
  }
  return value
}

export const URI = checkedScalar('URI', 'Absolute URI, e.g. gid://orders/Order/123', parseUri)

/** Resolver map entries for the shared scalars, to spread into a subgraph's resolvers. */
export const scalarResolvers = { Int64, Decimal, CurrencyCode, DateTime, URI }
