import { runSubgraphMain } from '../../platform/service.ts'
import { orders } from './subgraph.ts'

await runSubgraphMain(orders)
