import { runSubgraphMain } from '../../platform/service.ts'
import { inventory } from './subgraph.ts'

await runSubgraphMain(inventory)
