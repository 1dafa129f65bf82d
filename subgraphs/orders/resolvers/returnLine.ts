import type { ReturnLineResolvers } from '../generated/resolvers.ts'

export const ReturnLine: ReturnLineResolvers = {
  // read with the line, in the same statement
  lineItem: (line) => line.lineItem,
}
