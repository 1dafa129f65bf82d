import type { LocationResolvers } from '../generated/resolvers.ts'

export const Location: LocationResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.location.load(ref.id),
}
