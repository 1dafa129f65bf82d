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
let app
try {
  app = await buildGatewayApp({ config })
} catch (error) {
  // e.g. a malformed manifest in TRUSTED_DOCUMENTS=enforce: refuse to serve without a contract
  console.error(`gateway not started: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
await app.listen({ host: config.host, port: config.gatewayPort })
onShutdown(() => app.close())
