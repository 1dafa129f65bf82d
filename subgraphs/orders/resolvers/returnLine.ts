import type { ReturnLineResolvers } from '../generated/resolvers.ts'
import { present } from '../ownership.ts'

export const ReturnLine: ReturnLineResolvers = {
  lineItem: async (line, _args, { loaders }) => present(await loaders.lineItemById.load(line.lineItemId), `line item ${line.lineItemId}`),
}
