import type { FastifyInstance } from 'fastify'

/**
 * Caps what `path` sends: a serialized answer over `maxBytes` is replaced by one
 * RESPONSE_TOO_LARGE error. Status 200 like every other subgraph error: a non-2xx makes
 * @apollo/gateway treat it as a transport failure and bury the code. The check runs on the
 * serialized payload (`onSend`), the only place its size is known; the execution that built it
 * is already done, so this bounds what crosses the network and the gateway's memory, not the
 * subgraph's work (SUBGRAPH_TIMEOUT_MS and the operation limits do that).
 */
export function limitResponseSize(app: FastifyInstance, options: { readonly path: string; readonly maxBytes: number }): void {
  const tooLarge = JSON.stringify({
    data: null,
    errors: [{ message: 'The response is too large; ask for less (smaller pages, fewer fields)', extensions: { code: 'RESPONSE_TOO_LARGE' } }],
  })
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== options.path) return payload
    const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : Buffer.isBuffer(payload) ? payload.length : 0
    if (bytes <= options.maxBytes) return payload
    reply.log.warn({ bytes, maxBytes: options.maxBytes }, 'response over MAX_RESPONSE_BYTES replaced by RESPONSE_TOO_LARGE')
    reply.code(200).header('content-type', 'application/json; charset=utf-8')
    return tooLarge
  })
}
