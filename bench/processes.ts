/**
 * Services as child processes, for the benchmarks that measure one process per service: free
 * ports, starting a TypeScript entry point (`node --import tsx <file>`, so the pid is the service
 * itself, not a tsx wrapper), waiting until it answers, stopping it, and what it costs — CPU
 * seconds and peak RSS of it and the processes it forks, read from /proc (Linux). Every child still running when this process
 * exits, however it exits, is killed.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { CONFIG_VARIABLES } from '../platform/configVariables.ts'

export const ROOT = fileURLToPath(new URL('../', import.meta.url))

// ---------------------------------------------------------------------------------------------
// ports and environment

/** Ports a developer's `npm start` holds (gateway and subgraph defaults): never handed out. */
const RESERVED_PORTS = new Set([4000, 4001, 4002, 4003, 4004])

/** A TCP port free on 127.0.0.1 now (the system's pick, never one of 4000-4004). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        server.close(() => (address && typeof address !== 'string' ? resolve(address.port) : reject(new Error('no port'))))
      })
    })
    if (!RESERVED_PORTS.has(port)) return port
  }
}

/**
 * This process's environment without any of the services' configuration variables (so a
 * developer's shell cannot change what a run measures), plus `settings`.
 */
export function serviceEnv(settings: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!(name in CONFIG_VARIABLES)) env[name] = value
  return { ...env, ...settings }
}

// ---------------------------------------------------------------------------------------------
// child processes

export interface Service {
  readonly name: string
  readonly pid: number
  readonly port: number
  /** The last lines it wrote (stdout and stderr), for a failure report. */
  tail(): string
  /** Whether it has exited (by itself or stopped). */
  exited(): boolean
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>
  /** SIGKILL (a crash on purpose, not reported as an exit by itself); resolves once it has exited. */
  kill(): Promise<void>
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

/** The last resort, synchronous: whatever is still running when this process exits is killed. */
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}

const TAIL_LINES = 40

/**
 * `BENCH_CPU_PROF=<dir>` writes a V8 CPU profile of every service a benchmark starts into that
 * directory when it exits, one folder per service (`<dir>/<name>/CPU.*.cpuprofile`, a file per
 * thread: the largest is the main thread, the small one tsx's loader; open it in Chrome's
 * DevTools). Node refuses `--cpu-prof` in NODE_OPTIONS, hence a variable of the benchmarks' own.
 */
const profileFlags = (name: string): string[] => {
  const dir = process.env['BENCH_CPU_PROF']
  if (!dir) return []
  return ['--cpu-prof', `--cpu-prof-dir=${join(dir, name.replace(/[^A-Za-z0-9_-]/g, '_'))}`]
}

/**
 * Starts `node --import tsx <file> ...args` in the repository root with `env`; `port` is only
 * recorded (the caller puts it in `env` under the name the service reads). An exit nobody asked
 * for is reported on stderr with the service's last lines.
 */
export function startService(name: string, file: string, args: readonly string[], env: NodeJS.ProcessEnv, port: number): Service {
  installExitHook()
  const child = spawn(process.execPath, [...profileFlags(name), '--import', 'tsx', file, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) throw new Error(`${name}: could not start ${file}`)
  running.add(child)
  const lines: string[] = []
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let stopping = false
  let exitCode: number | string | null = null
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child)
      exitCode = code ?? signal
      if (!stopping) console.error(`\n${name} (pid ${child.pid}) exited by itself (${exitCode}); its last lines:\n${lines.join('\n')}`)
      resolve()
    }),
  )
  return {
    name,
    pid: child.pid,
    port,
    tail: () => lines.join('\n'),
    exited: () => exitCode !== null,
    async stop(graceMs = 20_000) {
      stopping = true
      if (exitCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => {
        console.error(`${name} (pid ${child.pid}) did not exit within ${graceMs / 1000} s of SIGTERM: killed`)
        child.kill('SIGKILL')
      }, graceMs)
      await exit
      clearTimeout(timer)
    },
    async kill() {
      stopping = true
      if (exitCode === null) child.kill('SIGKILL')
      await exit
    },
  }
}

/** Polls `check` every 100 ms until it holds; fails after `timeoutMs`, or at once when `service` exits. */
export async function waitUntilReady(service: Service, what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (service.exited()) throw new Error(`${service.name} exited before it was ready (${what}); its last lines:\n${service.tail()}`)
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`${service.name} was not ready (${what}) within ${timeoutMs / 1000} s; its last lines:\n${service.tail()}`)
    await sleep(100)
  }
}

/** GET `path` on 127.0.0.1:`port` answers 2xx. */
export const answersOk = (port: number, path: string) => async () => (await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) })).ok

// ---------------------------------------------------------------------------------------------
// what a process costs (Linux /proc)

let clockTicks: number | undefined

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

/** User + system CPU seconds the process has used since it started (all its threads). */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid)
  // fields 14 and 15 of proc(5) (utime, stime); this array starts at field 3
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond()
}

/** The fields of /proc/<pid>/stat from field 3 on (the command name, which may hold spaces and parentheses, cut off). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** The node processes `pid` started itself (a cluster primary's workers; not tsx's esbuild service). */
export function nodeChildren(pid: number): number[] {
  const children: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      if (command === 'node' && Number(statFields(Number(entry))[1]) === pid) children.push(Number(entry))
    } catch {
      // the process ended while /proc was read
    }
  }
  return children
}

/**
 * `pid` and every process below it (a service that forks workers, such as the gateway with
 * GATEWAY_WORKERS > 1, costs what all of them cost).
 */
export function withDescendants(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const parent = Number(statFields(Number(entry))[1])
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)])
    } catch {
      // the process ended while /proc was read
    }
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []))
  return tree
}

/** A `VmXXX:` line of /proc/<pid>/status, in bytes. */
function statusBytes(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) * 1024 : 0
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS, so that the peak read later is that
 * of the window since; false when the kernel refuses (the peak is then the peak since start).
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/**
 * Waits until `pids` together use less than `idleShare` of one core over a quarter of a second
 * (a load generator that stops leaves requests behind that the services still work through);
 * false when they are still busy after `timeoutMs`.
 */
export async function waitUntilQuiet(services: readonly number[], idleShare = 0.15, timeoutMs = 15_000): Promise<boolean> {
  const pids = services.flatMap(withDescendants)
  const sum = () => pids.reduce((total, pid) => total + readOr(() => cpuSeconds(pid), 0), 0)
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const before = sum()
    await sleep(250)
    if (sum() - before < 0.25 * idleShare) return true
  }
  return false
}

/** What `read` returns, or `fallback` when the process has gone (its /proc entry with it). */
function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read()
  } catch {
    return fallback
  }
}

/** CPU seconds and peak RSS of some processes over a window: `start()` before, `end()` after. */
export interface UsageWindow {
  end(): { readonly cpuSeconds: number; readonly peakRssBytes: number; readonly rssBytes: number; readonly peakSinceWindow: boolean }
}

/** Starts measuring `services` with the processes below them (their sums); the peak RSS is the sum of each one's peak. */
export function startUsageWindow(services: readonly number[]): UsageWindow {
  const pids = services.flatMap(withDescendants)
  const cpuBefore = pids.map(cpuSeconds)
  const reset = pids.map(resetPeakRss).every(Boolean)
  return {
    end: () => ({
      cpuSeconds: pids.reduce((sum, pid, i) => sum + readOr(() => cpuSeconds(pid), cpuBefore[i] ?? 0) - (cpuBefore[i] ?? 0), 0),
      peakRssBytes: pids.reduce((sum, pid) => sum + readOr(() => statusBytes(pid, 'VmHWM'), 0), 0),
      rssBytes: pids.reduce((sum, pid) => sum + readOr(() => statusBytes(pid, 'VmRSS'), 0), 0),
      peakSinceWindow: reset,
    }),
  }
}
