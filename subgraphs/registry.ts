import type { SubgraphDefinition } from '../platform/subgraph.ts'
import { catalog } from './catalog/definition.ts'
import { finance } from './finance/definition.ts'
import { inventory } from './inventory/definition.ts'
import { orders } from './orders/definition.ts'

/** Every subgraph, in the order the one-process mode starts them. */
export const SUBGRAPHS: readonly SubgraphDefinition[] = [catalog, inventory, orders, finance]
