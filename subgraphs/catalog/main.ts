import { runSubgraphMain } from '../../platform/service.ts'
import { catalog } from './subgraph.ts'

await runSubgraphMain(catalog)
