// Runs every *.test.ts file with node's test runner. Node 20's --test does not expand globs, so
// the files are listed here. The migrated, seeded database template is built once, first.
//   node scripts/test.mjs [--pg] [files or folders...]
// --pg runs against PostgreSQL (DATABASE_URL, default postgres://127.0.0.1:5432/test).
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const args = process.argv.slice(2)
const env = { ...process.env, NODE_ENV: 'test' }
if (args.includes('--pg')) env.DATABASE_URL ||= 'postgres://postgres@127.0.0.1:5432/test'
const roots = args.filter((a) => !a.startsWith('--'))

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue
      collect(join(path, entry), out)
    }
  } else if (path.endsWith('.test.ts')) out.push(path)
  return out
}
const files = (roots.length ? roots : ['platform', 'contracts', 'subgraphs', 'gateway', 'scripts', 'test']).flatMap((root) => {
  try { return collect(root, []) } catch { return [] }
})
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}

const prepared = spawnSync(process.execPath, ['--import', 'tsx', '-e', "const { SUBGRAPHS } = await import('./subgraphs/registry.ts'); await (await import('./platform/testing.ts')).ensureTestTemplate(SUBGRAPHS)"], { env, stdio: 'inherit' })
if (prepared.status !== 0) process.exit(prepared.status ?? 1)

const concurrency = process.env.TEST_CONCURRENCY ?? '2'
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { env, stdio: 'inherit' })
process.exit(result.status ?? 1)
