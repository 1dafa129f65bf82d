import { defineSubgraph, subgraphUrlFrom, type RequestBase } from '../../platform/subgraph.ts'
import { catalogEvents } from './consumers/catalogEvents.ts'
import { inventoryEvents } from './consumers/inventoryEvents.ts'
import { paymentEvents } from './consumers/paymentEvents.ts'
import { createInventoryClient, type InventoryClient } from './inventoryClient.ts'
import { kit } from './kit.ts'
import { createLoaders, type Loaders } from './loaders.ts'
import { resolvers } from './resolvers.ts'
import { seedOrders } from './seed.ts'

export interface Context extends RequestBase {
  readonly loaders: Loaders
  /** Stock reservation at checkout, the one synchronous call to another subgraph. */
  readonly inventory: InventoryClient
}

interface Services {
  readonly inventory: InventoryClient
}

/**
 * Carts, orders, fulfillment and returns; consumes finance's payment events, inventory's
 * AllocationFailed and catalog's prices, and publishes the order's events.
 */
export const orders = defineSubgraph<Context, Services>({
  name: kit.name,
  folder: new URL('./', import.meta.url),
  resolvers,
  seed: seedOrders,
  services: (deps) => {
    // per call: test stacks learn inventory's port after building orders
    const urlOf = deps.subgraphUrl ?? subgraphUrlFrom(deps.config)
    return {
      inventory: createInventoryClient({
        // every replica of SUBGRAPH_INVENTORY_URL when it lists several
        urls: () => deps.config.subgraphReplicaUrls.inventory ?? [urlOf('inventory')],
        signingSecret: deps.config.viewerSigningSecret,
        timeoutMs: deps.config.subgraphTimeoutMs,
      }),
    }
  },
  context: (request, { inventory }) => ({ ...request, loaders: createLoaders(request.db), inventory }),
  consumers: () => [paymentEvents, inventoryEvents, catalogEvents],
})
