import { defineSubgraph, type RequestBase } from '../../platform/subgraph.ts'
import { catalogCache } from './cache.ts'
import { kit } from './kit.ts'
import { createLoaders, type Loaders } from './loaders.ts'
import { resolvers } from './resolvers.ts'
import { seedCatalog } from './seed.ts'

export interface Context extends RequestBase {
  readonly loaders: Loaders
}

/** Products, variants, prices and categories; consumes nothing, publishes VariantPricesChanged. */
export const catalog = defineSubgraph<Context, null>({
  name: kit.name,
  folder: new URL('./', import.meta.url),
  resolvers,
  seed: seedCatalog,
  services: () => null,
  context: (request) => ({ ...request, loaders: createLoaders(request.db, request.viewer, request.cache) }),
  cache: catalogCache,
})
