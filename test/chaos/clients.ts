/**
 * The chaos tests' clients over real HTTP to gateway processes: one GraphQL request that never
 * throws (a request that got no answer is an answer with status 0), tokens signed with the
 * deployment's secret, loops of concurrent clients, and readers that record every answer with
 * when it was asked and when it came. Shoppers are in shoppers.ts, the partner in partnerFeed.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { signToken, type TokenClaims } from '../../gateway/auth.ts'
import { SECRETS } from './processes.ts'

export interface GraphQLError {
  readonly message: string
  readonly extensions?: Record<string, unknown>
}

export interface Answer {
  /** HTTP status; 0 when no answer came (refused, cut, timed out). */
  readonly status: number
  readonly data: Record<string, any> | null
  readonly errors: readonly GraphQLError[]
  /** How long the client waited. */
  readonly ms: number
  /** Why no answer came, when none did. */
  readonly failure?: string
}

const tokens = new Map<string, Promise<string>>()
const SIGNING = { jwtSecret: SECRETS.AUTH_JWT_SECRET, jwtIssuer: null, jwtAudience: null }

/** A bearer token for `claims`, signed with the deployment's secret (one per subject and roles). */
export function tokenFor(claims: TokenClaims): Promise<string> {
  const key = JSON.stringify(claims)
  let token = tokens.get(key)
  if (!token) {
    token = signToken({ expiresIn: 3 * 3600, ...claims }, SIGNING)
    tokens.set(key, token)
  }
  return token
}

export const customer = (sub: string): TokenClaims => ({ sub, roles: ['customer'] })
export const STAFF: TokenClaims = { sub: 'staff_chaos', roles: ['staff'] }
export const PARTNER: TokenClaims = { sub: 'partner_chaos', roles: ['partner'], scopes: ['stock:read'] }

/** One GraphQL request over HTTP; never throws (a failed request is an answer with status 0). */
export async function post(url: string, document: string, variables: Record<string, unknown> = {}, claims?: TokenClaims, timeoutMs = 30_000): Promise<Answer> {
  const started = performance.now()
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (claims) headers['authorization'] = `Bearer ${await tokenFor(claims)}`
  try {
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: document, variables }), signal: AbortSignal.timeout(timeoutMs) })
    const text = await response.text()
    const ms = performance.now() - started
    try {
      const body = JSON.parse(text) as { data?: Record<string, any> | null; errors?: GraphQLError[] }
      return { status: response.status, data: body.data ?? null, errors: body.errors ?? [], ms }
    } catch {
      return { status: response.status, data: null, errors: [], ms, failure: `HTTP ${response.status}: ${text.slice(0, 200)}` }
    }
  } catch (error) {
    return { status: 0, data: null, errors: [], ms: performance.now() - started, failure: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
}

/** `code (serviceName)` of each error, for assertions and failure messages. */
export const errorLabels = (answer: Answer): string[] =>
  answer.errors.map((e) => `${String(e.extensions?.['code'] ?? 'NO_CODE')}${e.extensions?.['serviceName'] ? ` (${String(e.extensions['serviceName'])})` : ''}`)

/** Runs `clients` loops at once; each calls `step(client, n)` until it returns false. */
export async function runClients(clients: number, step: (client: number, n: number) => Promise<boolean>): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; await step(client, n); n++);
    }),
  )
}

/** Polls `check` every `everyMs` until it holds; fails after `timeoutMs` with `what` and the last `detail`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200, detail?: () => Promise<string> | string): Promise<number> {
  const started = performance.now()
  for (;;) {
    if (await check()) return performance.now() - started
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${detail ? `: ${await detail()}` : ''}`)
    await sleep(everyMs)
  }
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** An answer with when it was asked for and when it came (performance.now()). */
export interface TimedAnswer extends Answer {
  readonly startedAt: number
  readonly endedAt: number
}

export interface ReadLoad {
  readonly answers: TimedAnswer[]
  /** Stops asking; resolves once every request in flight has its answer. */
  stop(): Promise<void>
}

export interface ReadOptions {
  readonly clients: number
  readonly variables?: Record<string, unknown>
  readonly as?: TokenClaims
}

/** `clients` readers sending `document` to `url` one after another (with a 20 ms pause), until stopped. */
export function startReading(url: string, document: string, options: ReadOptions): ReadLoad {
  const answers: TimedAnswer[] = []
  let stopped = false
  const running = runClients(options.clients, async () => {
    const startedAt = performance.now()
    const answer = await post(url, document, options.variables ?? {}, options.as, 20_000)
    answers.push({ ...answer, startedAt, endedAt: performance.now() })
    await sleep(20)
    return !stopped
  })
  return {
    answers,
    async stop() {
      stopped = true
      await running
    },
  }
}
