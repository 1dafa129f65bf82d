/**
 * What every attack case checks after its refusal: the exact code and status, that no subgraph
 * was reached, that nothing internal leaked (stack traces, subgraph URLs), and that the gateway
 * still answers its liveness probe. Plus the attacker's tools: raw requests to the gateway and
 * to a subgraph, with or without a viewer signature of our own making.
 */
import assert from 'node:assert/strict'
import type { InjectOptions } from 'fastify'
import type { SubgraphName } from '../../platform/subgraphRegistry.ts'
import { testConfig } from '../../platform/testing.ts'
import { signViewer, VIEWER_HEADER, type Viewer } from '../../platform/viewer.ts'
import type { Stack } from '../stack.ts'
import { noCalls } from './securityStack.ts'

export interface Answer {
  readonly status: number
  readonly headers: Record<string, unknown>
  /** The parsed body; null when it is not JSON (itself a finding: every refusal should be). */
  readonly body: { data?: Record<string, any> | null; errors?: { message: string; path?: unknown[]; extensions?: Record<string, any> }[] } | null
  readonly raw: string
}

const parsed = (raw: string): Answer['body'] => {
  try {
    return JSON.parse(raw) as Answer['body']
  } catch {
    return null
  }
}

/** One request to the gateway's `/graphql` (or another path), exactly as given. */
export async function send(stack: Stack, options: InjectOptions): Promise<Answer> {
  const response = await stack.gateway.inject({ url: '/graphql', ...options })
  return { status: response.statusCode, headers: response.headers, body: parsed(response.body), raw: response.body }
}

/** A JSON POST of `payload` (an object, or a string sent as it is) with extra headers. */
export function post(stack: Stack, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return send(stack, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  })
}

export const codeOf = (answer: Pick<Answer, 'body'>): unknown => answer.body?.errors?.[0]?.extensions?.['code']

// `at fn (file:line:col)` or `at file:line:col`, as V8 prints a frame
const STACK_FRAME = /\bat (?:.+ \()?(?:file:\/\/|\/|node:)[^\s)]*:\d+:\d+\)?/

/** No stack frame, no loopback URL, no subgraph's host:port, no database error text. */
export function assertNoLeak(stack: Stack, raw: string): void {
  assert.doesNotMatch(raw, STACK_FRAME, `a stack trace leaked: ${raw.slice(0, 300)}`)
  assert.doesNotMatch(raw, /https?:\/\/(?:127\.0\.0\.1|localhost)/i, `an internal URL leaked: ${raw.slice(0, 300)}`)
  for (const url of Object.values(stack.urls)) assert.ok(!raw.includes(new URL(url).host), `a subgraph address leaked: ${raw.slice(0, 300)}`)
  assert.doesNotMatch(raw, /invalid byte sequence|syntax error at or near|relation ".*" does not exist/i, 'a database error leaked')
}

/** The refusal a client must see: this status, this code first, no data, nothing leaked. */
export function assertRefused(stack: Stack, answer: Answer, status: number, code: string): void {
  assert.ok(answer.body, `the refusal is not JSON: ${answer.status} ${answer.raw.slice(0, 300)}`)
  assert.equal(codeOf(answer), code, `${answer.status} ${answer.raw.slice(0, 500)}`)
  assert.equal(answer.status, status, answer.raw.slice(0, 500))
  assert.equal(answer.body.data ?? null, null)
  assertNoLeak(stack, answer.raw)
}

export function assertNoSubgraphCalled(stack: Stack): void {
  assert.deepEqual(stack.subgraphCalls(), noCalls, 'no subgraph is called for a refused request')
}

/** The process survived: the gateway's liveness probe answers. */
export async function assertAlive(stack: Stack): Promise<void> {
  const health = await stack.gateway.inject({ method: 'GET', url: '/healthz' })
  assert.equal(health.statusCode, 200)
  assert.deepEqual(health.json(), { status: 'ok' })
}

/**
 * Sends a request (or runs one) that the gateway must refuse before Apollo runs anything: this
 * status and code, no subgraph called, nothing leaked, and the gateway still up.
 */
export async function refusedCleanly(stack: Stack, request: InjectOptions | (() => Promise<Answer>), status: number, code: string): Promise<Answer> {
  stack.resetCounters()
  const answer = typeof request === 'function' ? await request() : await send(stack, request)
  assertRefused(stack, answer, status, code)
  assertNoSubgraphCalled(stack)
  await assertAlive(stack)
  return answer
}

// ── straight at a subgraph, as an attacker inside the network would ──────────────────────────

export interface SubgraphAnswer {
  readonly status: number
  readonly headers: Headers
  readonly body: Answer['body']
  readonly raw: string
}

export interface SubgraphCall {
  readonly method?: 'GET' | 'POST'
  /** The body sent (the bytes the signature is checked against). */
  readonly body?: string
  /** The viewer header, or undefined to send none. */
  readonly viewerHeader?: string
  readonly contentType?: string
  /** Appended to the URL (a GET's query string). */
  readonly search?: string
}

/** One raw HTTP request to a subgraph's `/graphql`, over its real port. */
export async function callSubgraph(stack: Stack, name: SubgraphName, call: SubgraphCall): Promise<SubgraphAnswer> {
  const method = call.method ?? 'POST'
  const response = await fetch(`${stack.urls[name]}${call.search ?? ''}`, {
    method,
    headers: {
      ...(call.contentType !== undefined ? { 'content-type': call.contentType } : method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...(call.viewerHeader !== undefined ? { [VIEWER_HEADER]: call.viewerHeader } : {}),
    },
    ...(method === 'POST' ? { body: call.body ?? '' } : {}),
  })
  const raw = await response.text()
  return { status: response.status, headers: response.headers, body: parsed(raw), raw }
}

export const viewerOf = (sub: string | null, roles: Viewer['roles'] = sub ? ['customer'] : [], scopes: string[] = []): Viewer => ({ sub, roles, scopes, locationIds: null })

/** A header the gateway would have made for this viewer and body (the subgraphs' shared secret). */
export const signedFor = (viewer: Viewer, body: string, now = Date.now()): string => signViewer(viewer, testConfig.viewerSigningSecret, body, now)

export const graphqlBody = (document: string, variables: Record<string, unknown> = {}): string => JSON.stringify({ query: document, variables })

// ── hand-made tokens ─────────────────────────────────────────────────────────────────────────

export const base64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** A JWT assembled by hand: any header, any claims, any signature (none by default). */
export const handMadeToken = (header: Record<string, unknown>, claims: Record<string, unknown>, signature = ''): string =>
  `${base64url(header)}.${base64url(claims)}.${signature}`

export const nowSeconds = (): number => Math.floor(Date.now() / 1000)
