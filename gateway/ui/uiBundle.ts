import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ASSET_HEADERS, pageHeaders } from './securityHeaders.ts'

/** Where `npm run build:ui` writes the browser bundles (gitignored; built by `npm install`'s `prepare`). */
export const UI_DIST = fileURLToPath(new URL('../../ui/dist/', import.meta.url))

/** The URL prefix of the bundles' hashed files (Vite's `base` in ui/vite.config.ts). */
export const ASSETS_PREFIX = '/ui/assets/'

/** The pages the bundle holds, each `<dist>/<page>/index.html`. */
export type UiPage = 'graphiql' | 'console'

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

// Vite's output is flat under assets/ and named name-hash.ext: nothing else is served
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/

const missing = (what: string) =>
  `The ${what} bundle is not built: run \`npm run build:ui\` (npm install runs it when dev dependencies are installed), then reload.\n`

/**
 * Serves the bundles' hashed files at `/ui/assets/<file>`: cached for a year (a new build has new
 * names), precompressed `.br` / `.gz` siblings when the build wrote them and the client takes them.
 */
export function serveUiAssets(app: FastifyInstance, distDir: string = UI_DIST): void {
  app.get<{ Params: { file: string } }>(`${ASSETS_PREFIX}:file`, { logLevel: 'warn' }, async (request, reply) => {
    const { file } = request.params
    const type = CONTENT_TYPES[extname(file)]
    if (!ASSET_NAME.test(file) || file.includes('..') || !type) return notFound(reply)
    const path = join(distDir, 'assets', file)
    const encoding = await precompressed(request, path)
    const served = encoding ? `${path}.${encoding === 'br' ? 'br' : 'gz'}` : path
    const size = await stat(served).then((s) => (s.isFile() ? s.size : null), () => null)
    if (size === null) return notFound(reply)
    reply.headers(ASSET_HEADERS).header('content-type', type).header('content-length', size).header('vary', 'accept-encoding')
    if (encoding) reply.header('content-encoding', encoding)
    return reply.send(createReadStream(served))
  })
}

/**
 * Serves one page of the bundle at `path` with its security headers; 503 saying how to build it
 * when the bundle is missing (a clone where `npm run build:ui` has not run), never a crash. The
 * file is read per request: a rebuild shows on the next reload.
 */
export function serveUiPage(app: FastifyInstance, path: string, page: UiPage, distDir: string = UI_DIST): void {
  app.get(path, async (_request, reply) => {
    let html: string
    try {
      html = await readFile(join(distDir, page, 'index.html'), 'utf8')
    } catch {
      return reply.code(503).header('retry-after', '60').type('text/plain; charset=utf-8').send(missing(page === 'graphiql' ? 'GraphiQL' : 'operator console'))
    }
    return reply.headers(pageHeaders()).type('text/html; charset=utf-8').send(html)
  })
}

/** `br` or `gzip` when the client accepts it and the build left that sibling file. */
async function precompressed(request: FastifyRequest, path: string): Promise<'br' | 'gzip' | null> {
  const header = String(request.headers['accept-encoding'] ?? '')
  for (const [encoding, suffix] of [['br', 'br'], ['gzip', 'gz']] as const) {
    if (accepts(header, encoding) && (await stat(`${path}.${suffix}`).then((s) => s.isFile(), () => false))) return encoding
  }
  return null
}

/** Whether an Accept-Encoding header names `coding` with a quality above 0. */
function accepts(header: string, coding: string): boolean {
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (name?.trim() !== coding) return false
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('application/json; charset=utf-8').send({ errors: [{ message: 'Not found', extensions: { code: 'BAD_REQUEST' } }] })
}
