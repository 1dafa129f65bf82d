/**
 * The deployment the chaos tests break: every service as a process of its own (bench/processes.ts
 * spawns them on free ports with a clean environment), on the test file's database
 * (chaosDatabase.ts) and NATS JetStream in a namespace of the file's own, on the machine's NATS
 * or a nats-server the file starts itself (natsServer.ts). A process can be killed, paused
 * (SIGSTOP) and resumed, and started again on its port with its settings.
 */
import { randomBytes } from 'node:crypto'
import { answersOk, freePort, serviceEnv, startService, waitUntilReady, type Service } from '../../bench/processes.ts'
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/subgraphRegistry.ts'

/** Why the chaos tests cannot run here (they need the PostgreSQL and NATS of `npm run test:pg`), or null. */
export function chaosSkipReason(): string | null {
  const missing = ['DATABASE_URL', 'NATS_URL'].filter((name) => !process.env[name])
  return missing.length === 0 ? null : `needs PostgreSQL and NATS JetStream (${missing.join(' and ')} unset): runs in npm run test:pg`
}

/** The secrets every process of a deployment shares, so the test can sign its clients' tokens. */
export const SECRETS = {
  AUTH_JWT_SECRET: `chaos-jwt-${randomBytes(12).toString('hex')}`,
  VIEWER_SIGNING_SECRET: `chaos-viewer-${randomBytes(12).toString('hex')}`,
} as const

/** One service process that can be crashed, hung, and started again on its port with its settings. */
export interface ChaosProcess {
  readonly name: string
  readonly port: number
  /** http://127.0.0.1:<port>/graphql */
  readonly url: string
  readonly pid: number
  /** SIGKILL. */
  kill(): Promise<void>
  /** SIGSTOP: the process holds its sockets and answers nothing. */
  pause(): void
  /** SIGCONT. */
  resume(): void
  /** A new process on the same port with the same settings; resolves once it is ready. */
  restart(): Promise<void>
  /** SIGTERM (after SIGCONT, in case it is paused). */
  stop(): Promise<void>
  /** Its last lines when it exited without being asked to (a crash), else null. */
  crashed(): string | null
  /** Its last lines (stdout and stderr), for a failure message. */
  tail(): string
}

async function startProcess(name: string, file: string, env: Record<string, string>, port: number, readyPath: string): Promise<ChaosProcess> {
  const launch = async () => {
    const service = startService(name, file, [], serviceEnv(env), port)
    try {
      await waitUntilReady(service, readyPath, answersOk(port, readyPath), 90_000)
    } catch (error) {
      // never left running when it was not ready in time
      await service.kill()
      throw error
    }
    return service
  }
  let current: Service = await launch()
  let paused = false
  // set when this side ends the process: an exit then is no crash
  let ending = false
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    get pid() {
      return current.pid
    },
    kill: () => {
      ending = true
      return current.kill()
    },
    pause() {
      paused = true
      process.kill(current.pid, 'SIGSTOP')
    },
    resume() {
      paused = false
      process.kill(current.pid, 'SIGCONT')
    },
    async restart() {
      ending = true
      if (!current.exited()) await current.kill()
      current = await launch()
      ending = false
    },
    async stop() {
      ending = true
      if (paused && !current.exited()) process.kill(current.pid, 'SIGCONT')
      await current.stop(10_000)
    },
    crashed: () => (current.exited() && !ending ? current.tail() : null),
    tail: () => current.tail(),
  }
}

export interface BusSettings {
  readonly natsUrl: string
  /** Subjects and streams of this deployment only (NATS_NAMESPACE). */
  readonly namespace: string
}

/** What every service process of a deployment gets. */
const commonEnv = (bus: BusSettings): Record<string, string> => ({
  ...SECRETS,
  NATS_URL: bus.natsUrl,
  NATS_NAMESPACE: bus.namespace,
  LOG_LEVEL: 'error',
  SHUTDOWN_DRAIN_MS: '0',
})

/** SUBGRAPH_<NAME>_URL for every subgraph, each listing its replicas (comma-separated). */
export const routingEnv = (urls: Readonly<Record<SubgraphName, readonly string[]>>): Record<string, string> =>
  Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, urls[name].join(',')]))

export interface SubgraphOptions extends BusSettings {
  readonly databaseUrl: string
  /** Processes per subgraph (default 1 each). */
  readonly replicas?: Partial<Record<SubgraphName, number>>
  readonly env?: Record<string, string>
  /** Settings of one subgraph's processes only (over `env`). */
  readonly envFor?: Partial<Record<SubgraphName, Record<string, string>>>
}

/**
 * One process of subgraph `name` on `port`, on the database (already migrated and seeded: nothing
 * is seeded on start), knowing every subgraph's replicas at `urls` (orders reserves stock in inventory).
 */
export async function startSubgraph(name: SubgraphName, label: string, port: number, urls: Readonly<Record<SubgraphName, readonly string[]>>, options: SubgraphOptions): Promise<ChaosProcess> {
  const env = {
    ...commonEnv(options),
    ...routingEnv(urls),
    DATABASE_URL: options.databaseUrl,
    SEED_ON_START: 'false',
    [`${name.toUpperCase()}_PORT`]: String(port),
    ...options.env,
    ...options.envFor?.[name],
  }
  return startProcess(label, `subgraphs/${name}/main.ts`, env, port, '/healthz')
}

/** Every subgraph as `replicas` processes (named `inventory#2` when there are several). */
export async function startSubgraphs(options: SubgraphOptions): Promise<Record<SubgraphName, ChaosProcess[]>> {
  const ports = {} as Record<SubgraphName, number[]>
  for (const name of SUBGRAPH_NAMES) {
    ports[name] = []
    for (let i = 0; i < (options.replicas?.[name] ?? 1); i++) ports[name].push(await freePort())
  }
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, ports[name].map((port) => `http://127.0.0.1:${port}/graphql`)])) as Record<SubgraphName, string[]>
  const starts = SUBGRAPH_NAMES.flatMap((name) =>
    ports[name].map((port, i) =>
      startSubgraph(name, ports[name].length > 1 ? `${name}#${i + 1}` : name, port, urls, options).then((process) => ({ name, process })),
    ),
  )
  const started = await Promise.allSettled(starts)
  const processes = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, [] as ChaosProcess[]])) as Record<SubgraphName, ChaosProcess[]>
  for (const result of started) if (result.status === 'fulfilled') processes[result.value.name].push(result.value.process)
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failed) {
    await stopAll(Object.values(processes).flat())
    throw failed.reason
  }
  return processes
}

/** The GraphQL URLs of each subgraph's processes. */
export const urlsOf = (processes: Readonly<Record<SubgraphName, readonly ChaosProcess[]>>): Record<SubgraphName, string[]> =>
  Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, processes[name].map((p) => p.url)])) as Record<SubgraphName, string[]>

export interface GatewayOptions extends BusSettings {
  /** Where the gateway calls each subgraph (its replicas, or a proxy in front of them). */
  readonly urls: Readonly<Record<SubgraphName, readonly string[]>>
  readonly env?: Record<string, string>
  readonly name?: string
}

/** The gateway as a process (gateway/main.ts, one worker), ready once its /readyz answers. */
export async function startGateway(options: GatewayOptions): Promise<ChaosProcess> {
  const port = await freePort()
  const env = {
    ...commonEnv(options),
    ...routingEnv(options.urls),
    GATEWAY_PORT: String(port),
    RATE_LIMIT_ENABLED: 'false',
    ANOMALY_DETECTION: 'false',
    TRUSTED_DOCUMENTS: 'off',
    MAX_DEPTH: '10',
    ...options.env,
  }
  return startProcess(options.name ?? 'gateway', 'gateway/main.ts', env, port, '/readyz')
}

/** Stops every process, each even when another's stop fails. */
export async function stopAll(processes: readonly ChaosProcess[]): Promise<void> {
  await Promise.allSettled(processes.map((p) => p.stop()))
}

/** The first of `processes` that crashed, with its last lines, or null. */
export function firstCrash(processes: readonly ChaosProcess[]): string | null {
  for (const p of processes) {
    const tail = p.crashed()
    if (tail !== null) return `${p.name} (pid ${p.pid}) crashed; its last lines:\n${tail}`
  }
  return null
}

/** `GET /metrics` of a process (Prometheus text). */
export async function scrapeMetrics(target: Pick<ChaosProcess, 'port'>): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${target.port}/metrics`, { signal: AbortSignal.timeout(5000) })
  return response.text()
}

/** A namespace no other run uses (NATS_NAMESPACE). */
export const chaosNamespace = (what: string): string => `chaos_${what}_${process.pid}_${randomBytes(3).toString('hex')}`
