// The container health check (Dockerfile HEALTHCHECK; compose.yaml asks for /readyz):
//   node --import tsx scripts/healthcheck.ts [path]      (default /healthz)
// Exits 0 when the service in this container answers GET <path> with 2xx, 1 otherwise. One image
// runs every service, each on its own port variable: the ports the configuration names are all
// asked, and in a container only the one service's answers.
import { ConfigError, loadConfig, type Config } from '../platform/config.ts'

const path = process.argv[2] ?? '/healthz'
let config: Readonly<Config>
try {
  config = loadConfig()
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}
const ports = [config.gatewayPort, ...Object.values(config.subgraphPorts)]

const answers = await Promise.all(
  ports.map(async (port) => {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) })
      return { port, status: response.status }
    } catch {
      return null
    }
  }),
)
const answered = answers.filter((answer) => answer !== null)
if (answered.length === 0) console.error(`nothing answers ${path} on ports ${ports.join(', ')}`)
for (const { port, status } of answered) if (status >= 300) console.error(`${path} on port ${port}: ${status}`)
process.exit(answered.some((answer) => answer.status >= 200 && answer.status < 300) ? 0 : 1)
