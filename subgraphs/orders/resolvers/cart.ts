import { money } from '../../../platform/money.ts'
import type { CartResolvers } from '../generated/resolvers.ts'
import { cartTotals, type CartTotals } from '../mutations/cartTotals.ts'
import type { CartModel } from '../models.ts'
import type { Context } from '../subgraph.ts'
import { visibleTo } from '../../../platform/viewer.ts'

async function totalsOf(cart: CartModel, { loaders }: Context): Promise<CartTotals> {
  const [lines, taxRate] = await Promise.all([loaders.cartLinesByCartId.load(cart.id), loaders.taxRateByCountry.load(cart.countryCode)])
  return cartTotals(lines, taxRate)
}

export const Cart: CartResolvers = {
  __resolveReference: async ({ id }, { viewer, loaders }) => visibleTo(viewer, await loaders.cartById.load(id)),
  lines: (cart, _args, { loaders }) => loaders.cartLinesByCartId.load(cart.id),
  subtotal: async (cart, _args, context) => money((await totalsOf(cart, context)).subtotal, cart.currency),
  taxTotal: async (cart, _args, context) => money((await totalsOf(cart, context)).taxTotal, cart.currency),
  total: async (cart, _args, context) => money((await totalsOf(cart, context)).total, cart.currency),
}
