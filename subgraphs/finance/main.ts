import { runSubgraphMain } from '../../platform/service.ts'
import { finance } from './definition.ts'

await runSubgraphMain(finance)
