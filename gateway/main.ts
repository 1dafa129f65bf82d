import { ConfigError, loadConfig } from '../platform/config.ts'
import { onShutdown } from '../platform/service.ts'
import { buildGatewayApp } from './app.ts'

let config
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message)
    process.exit(1)
  }
  throw error
}
const app = await buildGatewayApp({ config })
await app.listen({ host: config.host, port: config.gatewayPort })
onShutdown(() => app.close())
