/**
 * An HTTP proxy in front of one subgraph that fails on purpose: it answers 503 instead of
 * forwarding (the subgraph never sees the request), forwards and answers 503 instead of the
 * subgraph's answer (the subgraph did the work; its answer is lost on the way back), or forwards
 * and holds the answer until the test lets it go. It counts every GraphQL request it saw, by
 * operation kind, so a test can tell a retry from a single call.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { once } from 'node:events'

export type Fault =
  /** 503 without forwarding. */
  | 'refuse'
  /** Forward, then 503 instead of the subgraph's answer. */
  | 'lose-answer'
  /** Forward, then hold the answer until the rule's `until` settles. */
  | 'hold'

export type Kind = 'query' | 'mutation'

export interface SeenRequest {
  readonly kind: Kind | 'other'
  /** The GraphQL document (for telling operations apart). */
  readonly document: string
  readonly fault: Fault | null
}

export interface FaultRule {
  readonly kind: Kind
  readonly fault: Fault
  /** Only documents containing this text (a field name); default any of `kind`. */
  readonly matching?: string
  /** For `hold`: the answer goes back once this settles. */
  readonly until?: Promise<unknown>
}

export interface FaultProxy {
  /** http://127.0.0.1:<port>/graphql */
  readonly url: string
  /** Every GraphQL POST the proxy received, in order. */
  readonly seen: SeenRequest[]
  /** The next `count` requests the rule matches get its fault. */
  failNext(rule: FaultRule, count?: number): void
  /** From now on, one request in `every` of `kind` gets `fault` (0 stops it). */
  failEvery(kind: Kind, every: number, fault: Exclude<Fault, 'hold'>): void
  /** Where requests go from now on (a proxy may start before its subgraph does). */
  setUpstream(url: string): void
  close(): Promise<void>
}

const kindOf = (document: string): SeenRequest['kind'] => (/^\s*mutation\b/.test(document) ? 'mutation' : /^\s*(query\b|\{)/.test(document) ? 'query' : 'other')

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Hop-by-hop headers are the proxy's own business, not the subgraph's. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length', 'upgrade'])

export async function startFaultProxy(upstream?: string): Promise<FaultProxy> {
  const seen: SeenRequest[] = []
  const rules: FaultRule[] = []
  const periodic = { query: { every: 0, fault: 'refuse' as Fault, n: 0 }, mutation: { every: 0, fault: 'refuse' as Fault, n: 0 } }
  let target = upstream ? new URL(upstream) : null

  const ruleFor = (kind: SeenRequest['kind'], document: string): FaultRule | null => {
    if (kind === 'other') return null
    const index = rules.findIndex((r) => r.kind === kind && (r.matching === undefined || document.includes(r.matching)))
    if (index >= 0) return rules.splice(index, 1)[0] as FaultRule
    const rule = periodic[kind]
    return rule.every > 0 && ++rule.n % rule.every === 0 ? { kind, fault: rule.fault } : null
  }

  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request)
      let document = ''
      if (request.method === 'POST') {
        try {
          document = String((JSON.parse(body.toString('utf8')) as { query?: unknown }).query ?? '')
        } catch {
          document = ''
        }
      }
      const kind = request.method === 'POST' ? kindOf(document) : 'other'
      const rule = ruleFor(kind, document)
      if (request.method === 'POST') seen.push({ kind, document, fault: rule?.fault ?? null })
      if (rule?.fault === 'refuse') {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('injected 503')
        return
      }
      if (!target) throw new Error('the proxy has no upstream yet')
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(request.headers)) if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value
      const answer = await fetch(new URL(request.url ?? '/', target), {
        method: request.method ?? 'GET',
        headers,
        ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
      })
      const answerBody = Buffer.from(await answer.arrayBuffer())
      if (rule?.fault === 'lose-answer') {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('injected 503 after forwarding')
        return
      }
      if (rule?.fault === 'hold') await rule.until
      const answerHeaders: Record<string, string> = {}
      answer.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') answerHeaders[name] = value
      })
      response.writeHead(answer.status, answerHeaders).end(answerBody)
    })().catch(() => {
      if (!response.headersSent) response.writeHead(502).end()
      else response.destroy()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('the proxy has no port')
  return {
    url: `http://127.0.0.1:${address.port}/graphql`,
    seen,
    failNext(rule, count = 1) {
      for (let i = 0; i < count; i++) rules.push(rule)
    },
    failEvery(kind, every, fault) {
      periodic[kind] = { every, fault, n: 0 }
    },
    setUpstream(url) {
      target = new URL(url)
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
