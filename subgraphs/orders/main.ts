import { runSubgraphMain } from '../../platform/service.ts'
import { orders } from './definition.ts'

await runSubgraphMain(orders)
