// The dev server's demo sign-in: POST /demo/sign-in {"customer": "c_1001"} answers a customer
// token, signed on the server (the secret never reaches the browser). Customer tokens only.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Plugin } from 'vite'

/** Signs a customer token for a subject, or null when the dev server may not (then a pasted token it is). */
export type CustomerTokenSigner = ((customer: string) => Promise<string>) | null

const CUSTOMER = /^c_[A-Za-z0-9_]{1,40}$/
const MAX_BODY_BYTES = 1024

export function demoSignIn(sign: CustomerTokenSigner): Plugin {
  return {
    name: 'storefront-demo-sign-in',
    configureServer(server) {
      server.middlewares.use('/demo/sign-in', (request, response) => void answer(request, response, sign))
    },
  }
}

async function answer(request: IncomingMessage, response: ServerResponse, sign: CustomerTokenSigner): Promise<void> {
  const reply = (status: number, body: Record<string, string>) => {
    response.statusCode = status
    response.setHeader('content-type', 'application/json')
    response.setHeader('cache-control', 'no-store')
    response.end(JSON.stringify(body))
  }
  if (request.method !== 'POST') return reply(405, { error: 'POST {"customer": "c_1001"}' })
  if (!sign) return reply(404, { error: 'The demo sign-in is off here (production, or the gateway takes only JWKS-signed tokens): paste a token instead' })
  let customer: unknown
  try {
    customer = (JSON.parse(await bodyOf(request)) as { customer?: unknown }).customer
  } catch {
    return reply(400, { error: 'The body must be JSON: {"customer": "c_1001"}' })
  }
  if (typeof customer !== 'string' || !CUSTOMER.test(customer)) return reply(400, { error: 'A customer id is c_ and 1 to 40 letters, digits or _ (c_1001)' })
  return reply(200, { token: await sign(customer) })
}

function bodyOf(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => {
      text += chunk
      if (text.length > MAX_BODY_BYTES) {
        reject(new Error('body too large'))
        request.destroy()
      }
    })
    request.on('end', () => resolve(text))
    request.on('error', reject)
  })
}
