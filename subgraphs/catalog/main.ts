import { runSubgraphMain } from '../../platform/service.ts'
import { catalog } from './definition.ts'

await runSubgraphMain(catalog)
