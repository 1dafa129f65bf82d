/**
 * The load the HTTP benchmarks send: POSTs on node:http keep-alive agents to 127.0.0.1, the
 * manifests' operations, and slices of load per mode measured in ABBA order.
 */
import { readFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { describeThrown, latencyFigures, round1 } from './support.ts'

// ---------------------------------------------------------------------------------------------
// HTTP (node:http keep-alive agents, 127.0.0.1 only) and the manifests

export interface Answer {
  readonly status: number
  readonly text: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

/** POSTs a JSON payload to `/graphql` on 127.0.0.1:`port`. */
export function post(agent: Agent, port: number, payload: string, headers: Readonly<Record<string, string>>, timeoutMs = 30_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(payload)
  })
}

export const keepAlive = (sockets: number) => new Agent({ keepAlive: true, maxSockets: sockets })

export async function getJson(port: number, path: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`)
  return response.json()
}

export const OPERATIONS_DIR = fileURLToPath(new URL('../operations/', import.meta.url))

export interface ManifestOperation {
  readonly client: string
  readonly id: string
  readonly name: string
  readonly type: string
  readonly body: string
}

/** The operations of `operations/<client>/manifest.json`. */
export function loadManifest(client: string): ManifestOperation[] {
  const manifest = JSON.parse(readFileSync(`${OPERATIONS_DIR}${client}/manifest.json`, 'utf8')) as { operations: Omit<ManifestOperation, 'client'>[] }
  return manifest.operations.map((op) => ({ ...op, client }))
}

// ---------------------------------------------------------------------------------------------
// load in slices

export interface Slice<M> {
  readonly mode: M
  readonly ok: number
  readonly wallMs: number
  readonly latencies: number[]
  readonly problems: Record<string, number>
}

/** `loops` loops calling `send` until `ms` have passed; `send` says what went wrong, or null. */
export async function driveSlice<M>(mode: M, loops: number, ms: number, send: (loop: number) => Promise<string | null>): Promise<Slice<M>> {
  const latencies: number[] = []
  const problems: Record<string, number> = {}
  let ok = 0
  const started = performance.now()
  const until = started + ms
  let last = started
  const loop = async (n: number) => {
    while (performance.now() < until) {
      const sent = performance.now()
      let problem: string | null
      try {
        problem = await send(n)
      } catch (error) {
        problem = describeThrown(error)
      }
      const now = performance.now()
      last = Math.max(last, now)
      if (problem === null) {
        ok++
        latencies.push(now - sent)
      } else problems[problem] = (problems[problem] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: loops }, (_, n) => loop(n)))
  return { mode, ok, wallMs: last - started, latencies, problems }
}

export interface SliceSettings {
  readonly seconds: number
  readonly warmup: number
  readonly slices: number
  readonly concurrency: number
}

/**
 * A warm-up of every mode (discarded), then `seconds` per mode cut into slices run in ABBA order
 * (`abc cba abc …`), so that drift on a shared machine falls on every mode alike.
 */
export async function measureInSlices<M>(
  label: string,
  modes: readonly M[],
  letterOf: (mode: M) => string,
  settings: SliceSettings,
  drive: (mode: M, ms: number, phase: 'warmup' | 'measured') => Promise<Slice<M>>,
): Promise<{ order: string; slices: Slice<M>[] }> {
  if (settings.warmup > 0) {
    console.log(`${label}: warm-up ${settings.warmup} s per mode (discarded) ...`)
    for (const mode of modes) await drive(mode, settings.warmup * 1000, 'warmup')
  }
  const sliceMs = (settings.seconds * 1000) / settings.slices
  const order: M[] = []
  for (let i = 0; i < settings.slices; i++) order.push(...(i % 2 === 0 ? modes : [...modes].reverse()))
  const letters = order.map(letterOf).join('')
  console.log(`${label}: ${settings.seconds} s per mode, ${settings.concurrency} in flight, slices of ${(sliceMs / 1000).toFixed(1)} s in order ${letters} ...`)
  const slices: Slice<M>[] = []
  for (const mode of order) slices.push(await drive(mode, sliceMs, 'measured'))
  return { order: letters, slices }
}

/** One mode's figures over its slices: requests that succeeded, per second overall and per slice, latency, problems. */
export function sliceFigures<M>(slices: readonly Slice<M>[]) {
  const ok = slices.reduce((n, s) => n + s.ok, 0)
  const wallMs = slices.reduce((n, s) => n + s.wallMs, 0)
  const problems: Record<string, number> = {}
  for (const s of slices) for (const [p, n] of Object.entries(s.problems)) problems[p] = (problems[p] ?? 0) + n
  return {
    requests: ok,
    errors: Object.values(problems).reduce((a, b) => a + b, 0),
    problems,
    wallMs: round1(wallMs),
    requestsPerSecond: round1(wallMs > 0 ? ok / (wallMs / 1000) : null),
    sliceRequestsPerSecond: slices.map((s) => round1(s.wallMs > 0 ? s.ok / (s.wallMs / 1000) : null)),
    latencyMs: latencyFigures(slices.flatMap((s) => s.latencies)),
  }
}
