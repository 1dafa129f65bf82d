import { runSubgraphMain } from '../../platform/service.ts'
import { inventory } from './definition.ts'

await runSubgraphMain(inventory)
