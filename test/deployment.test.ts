// The deployment files, read as Docker would (no image can be built here): compose.yaml sets only
// configuration variables the services know (or OTEL_*), with which each service's configuration
// loads in production; every command runs an entry point that exists; each subgraph's replica URLs
// name its own containers; and the image holds every file and package the entry points load.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, it } from 'node:test'
import { parse } from 'yaml'
import { loadConfig } from '../platform/config.ts'
import { CONFIG_VARIABLES } from '../platform/configVariables.ts'
import { SUBGRAPH_DEFAULT_PORTS, SUBGRAPH_NAMES, type SubgraphName } from '../platform/subgraphRegistry.ts'

interface ComposeService {
  readonly image?: string
  readonly build?: unknown
  readonly command?: readonly string[]
  readonly environment?: Readonly<Record<string, string>>
  readonly healthcheck?: { readonly test?: readonly string[] }
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>
  readonly stop_grace_period?: string
  readonly ports?: readonly string[]
}

// compose's `<<` merge keys are YAML 1.1: the parser must be told
const compose = parse(readFileSync('compose.yaml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }
const IMAGE = 'commerce-supergraph:local'
const apps = Object.entries(compose.services).filter(([, service]) => service.image === IMAGE)
const entryOf = (service: ComposeService) => service.command?.[3] ?? ''
const subgraphOf = (service: ComposeService): SubgraphName | null => (/^subgraphs\/(\w+)\/main\.ts$/.exec(entryOf(service))?.[1] as SubgraphName | undefined) ?? null

/** What `${NAME:?message}` stands for once the operator exported it. */
const interpolated = (value: string) => value.replace(/\$\{[A-Z_]+:\?[^}]*\}/g, 'x'.repeat(40))

describe('compose.yaml', () => {
  it('runs two replicas of the gateway and of every subgraph, each an entry point of this repository', () => {
    const entries = apps.map(([, service]) => entryOf(service))
    for (const [name, service] of apps) {
      assert.deepEqual(service.command?.slice(0, 3), ['node', '--import', 'tsx'], name)
      assert.ok(existsSync(entryOf(service)), `${name} runs ${entryOf(service)}, which does not exist`)
    }
    for (const entry of ['gateway/main.ts', ...SUBGRAPH_NAMES.map((name) => `subgraphs/${name}/main.ts`)]) {
      assert.equal(entries.filter((e) => e === entry).length, 2, `two replicas run ${entry}`)
    }
  })

  it('sets only configuration variables the services know, or OTEL_*', () => {
    for (const [name, service] of apps) {
      const unknown = Object.keys(service.environment ?? {}).filter((variable) => !(variable in CONFIG_VARIABLES) && !variable.startsWith('OTEL_'))
      assert.deepEqual(unknown, [], `${name} sets variables no service reads`)
    }
  })

  it('gives every service a configuration that loads in production', () => {
    for (const [name, service] of apps) {
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolated(String(value))]))
      assert.equal(env['NODE_ENV'], 'production', name)
      assert.doesNotThrow(() => loadConfig(env), name)
    }
  })

  it("lists each subgraph's replicas by the containers that run it, on its port", () => {
    for (const [name, service] of apps) {
      const config = loadConfig(Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolated(String(value))])))
      for (const subgraph of SUBGRAPH_NAMES) {
        const urls = config.subgraphReplicaUrls[subgraph] ?? []
        const hosts = urls.map((url) => new URL(url).hostname).sort()
        const running = apps.filter(([, other]) => subgraphOf(other) === subgraph).map(([host]) => host).sort()
        assert.deepEqual(hosts, running, `${name}: SUBGRAPH_${subgraph.toUpperCase()}_URL`)
        for (const url of urls) assert.equal(Number(new URL(url).port), config.subgraphPorts[subgraph], `${name}: ${url}`)
      }
    }
  })

  it('checks each service on its own /readyz, and starts the gateways once every subgraph replica is ready', () => {
    for (const [name, service] of apps) {
      const subgraph = subgraphOf(service)
      const port = subgraph ? SUBGRAPH_DEFAULT_PORTS[subgraph] : 4000
      assert.match(service.healthcheck?.test?.join(' ') ?? '', new RegExp(`127\\.0\\.0\\.1:${port}/readyz`), name)
      for (const infrastructure of ['postgres', 'nats', 'redis']) assert.equal(service.depends_on?.[infrastructure]?.condition, 'service_healthy', `${name} waits for ${infrastructure}`)
      if (subgraph) continue
      for (const [other] of apps.filter(([, s]) => subgraphOf(s) !== null)) {
        assert.equal(service.depends_on?.[other]?.condition, 'service_healthy', `${name} waits for ${other}`)
      }
    }
  })

  it('lets a service drain within its bound before Docker kills it; a subgraph stops listening at once, a gateway waits for its load balancer', () => {
    for (const [name, service] of apps) {
      const grace = Number(/^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1] ?? 10) * 1000
      const config = loadConfig({ ...service.environment, AUTH_JWT_SECRET: 'x'.repeat(40), VIEWER_SIGNING_SECRET: 'x'.repeat(40) })
      assert.ok(grace > config.shutdownTimeoutMs, `${name}: stop_grace_period ${grace} ms must exceed SHUTDOWN_TIMEOUT_MS ${config.shutdownTimeoutMs} ms`)
      // the gateways' transports move a subgraph's calls to another replica on a refused connection, not on /readyz
      assert.equal(config.shutdownReadinessDelayMs > 0, subgraphOf(service) === null, `${name}: SHUTDOWN_READINESS_DELAY_MS ${config.shutdownReadinessDelayMs}`)
    }
  })

  it('sends traces to the collector, named per service', () => {
    assert.ok(compose.services['jaeger'], 'a jaeger service')
    for (const [name, service] of apps) {
      assert.equal(service.environment?.['OTEL_EXPORTER_OTLP_ENDPOINT'], 'http://jaeger:4318', name)
      assert.equal(service.environment?.['OTEL_SERVICE_NAME'], subgraphOf(service) ?? 'gateway', name)
    }
  })
})

describe('the Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8')
  const instruction = (name: string) => dockerfile.split('\n').filter((line) => line.startsWith(`${name} `))

  it('builds on node:20-slim with the production dependencies, runs as a user, stops on SIGTERM and checks health', () => {
    // a build stage for the browser bundles, whose ui/dist/ alone is copied into the image
    assert.deepEqual(instruction('FROM'), ['FROM node:20-slim AS ui', 'FROM node:20-slim'])
    assert.deepEqual(instruction('COPY').filter((line) => line.includes('--from')), ['COPY --from=ui /app/ui/dist ui/dist'])
    assert.ok(instruction('RUN').some((line) => line.includes('npm ci --omit=dev')))
    assert.deepEqual(instruction('USER'), ['USER node'])
    assert.deepEqual(instruction('STOPSIGNAL'), ['STOPSIGNAL SIGTERM'])
    assert.match(dockerfile, /HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "--import", "tsx", "scripts\/healthcheck\.ts", "\/healthz"\]/)
    const command = JSON.parse(instruction('CMD').at(-1)!.slice('CMD '.length)) as string[]
    assert.ok(existsSync(command.at(-1)!), `the default command runs ${command.at(-1)}`)
  })

  it('holds every file the entry points load, and every package they import is a dependency (tsx too)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'))
    const excluded = (file: string) =>
      ignored.some((pattern) => (pattern === '**/*.test.ts' ? file.endsWith('.test.ts') : file === pattern || file.startsWith(`${pattern}/`)))
    const entries = ['main.ts', 'gateway/main.ts', ...SUBGRAPH_NAMES.map((name) => `subgraphs/${name}/main.ts`), 'scripts/healthcheck.ts', 'scripts/seed.ts']
    const { files, packages } = loadedAtRunTime(entries)
    assert.ok(files.size > 50, `${files.size} files`)
    assert.deepEqual([...files].filter(excluded), [], 'files the image leaves out')
    assert.deepEqual([...packages, 'tsx'].filter((name) => !(name in pkg.dependencies)).sort(), [], 'packages npm ci --omit=dev leaves out')
  })
})

const SPECIFIER = /(?:^|\n)\s*(import|export)\s([^'";]*?\sfrom\s)?'([^']+)'|import\('([^']+)'\)/g

/** `import type { A }`, `import { type A, type B }`, `export type { A }`: gone at run time. */
function typeOnly(clause: string | undefined): boolean {
  if (!clause) return false
  const trimmed = clause.replace(/\sfrom\s$/, '').trim()
  if (trimmed.startsWith('type ')) return true
  const braces = /^\{([^}]*)\}$/.exec(trimmed)
  return braces !== null && braces[1]!.split(',').map((s) => s.trim()).filter(Boolean).every((name) => name.startsWith('type '))
}

/** The source files reachable from `entries` through imports that exist at run time, and the packages they import. */
function loadedAtRunTime(entries: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      if (typeOnly(match[2])) continue
      const specifier = (match[3] ?? match[4]) as string
      if (specifier.startsWith('.')) {
        const target = normalize(join(dirname(file), specifier))
        if (target.endsWith('.ts')) visit(target)
        else files.add(target)
      } else if (!specifier.startsWith('node:')) {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string))
      }
    }
  }
  for (const entry of entries) visit(entry)
  return { files, packages }
}
