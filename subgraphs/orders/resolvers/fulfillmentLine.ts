import type { FulfillmentLineResolvers } from '../generated/resolvers.ts'

export const FulfillmentLine: FulfillmentLineResolvers = {
  // read with the line, in the same statement
  lineItem: (line) => line.lineItem,
}
