import { loadConfigOrExit, onShutdown } from '../platform/service.ts'
import { buildGatewayAppOrExit } from './app.ts'

const config = loadConfigOrExit()
const app = await buildGatewayAppOrExit({ config })
await app.listen({ host: config.host, port: config.gatewayPort })
onShutdown(() => app.close())
