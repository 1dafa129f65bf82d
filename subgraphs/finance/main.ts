import { runSubgraphMain } from '../../platform/service.ts'
import { finance } from './subgraph.ts'

await runSubgraphMain(finance)
