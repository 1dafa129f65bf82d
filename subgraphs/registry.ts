import type { SubgraphDefinition } from '../platform/subgraph.ts'
import { catalog } from './catalog/subgraph.ts'
import { finance } from './finance/subgraph.ts'
import { inventory } from './inventory/subgraph.ts'
import { orders } from './orders/subgraph.ts'

/** Every subgraph, in the order the one-process mode starts them. */
export const SUBGRAPHS: readonly SubgraphDefinition[] = [catalog, inventory, orders, finance]
