import type { FulfillmentLineResolvers } from '../generated/resolvers.ts'
import { present } from '../ownership.ts'

export const FulfillmentLine: FulfillmentLineResolvers = {
  lineItem: async (line, _args, { loaders }) => present(await loaders.lineItemById.load(line.lineItemId), `line item ${line.lineItemId}`),
}
