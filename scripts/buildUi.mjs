// npm run build:ui: builds the gateway's browser bundles (GraphiQL and the operator console) from
// ui/ into ui/dist/ with Vite, then writes a brotli and a gzip copy of each text file beside it
// (the gateway serves those to browsers that take them).
//   node scripts/buildUi.mjs [--if-possible]
// --if-possible (npm's `prepare`, after every npm install / npm ci): when the dev dependencies are
// not installed (npm ci --omit=dev), says so and succeeds instead of failing the install.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const ifPossible = process.argv.includes('--if-possible')
const require = createRequire(import.meta.url)
let vite
try {
  vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js')
} catch {
  const message = 'UI bundles not built: Vite (a dev dependency) is not installed. The gateway answers 503 on /graphiql and /console until `npm run build:ui` runs.'
  if (ifPossible) {
    console.warn(message)
    process.exit(0)
  }
  console.error(message)
  process.exit(1)
}

const built = spawnSync(process.execPath, [vite, 'build', '--config', 'ui/vite.config.ts'], { stdio: 'inherit' })
if (built.status !== 0) process.exit(built.status ?? 1)

const assets = join('ui', 'dist', 'assets')
let raw = 0
let compressed = 0
for (const name of readdirSync(assets)) {
  if (!/\.(js|css|svg|json)$/.test(name)) continue
  const path = join(assets, name)
  const content = readFileSync(path)
  const br = brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: content.length } })
  writeFileSync(`${path}.br`, br)
  writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }))
  raw += statSync(path).size
  compressed += br.length
}
console.log(`UI bundles in ui/dist/: ${(raw / 1024).toFixed(0)} kB of scripts and styles, ${(compressed / 1024).toFixed(0)} kB with brotli`)
