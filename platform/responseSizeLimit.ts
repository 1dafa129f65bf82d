import type { FastifyInstance } from 'fastify'
import { APPLICATION_JSON, negotiate } from './mediaType.ts'

/**
 * Caps what `path` sends, at the gateway and in every subgraph: a serialized answer over
 * `maxBytes` is replaced by one RESPONSE_TOO_LARGE error. Status 200 like every other execution
 * error (a non-2xx from a subgraph makes @apollo/gateway treat it as a transport failure and bury
 * the code). The check runs on the serialized payload (`onSend`), the only place its size is known
 * without serializing it twice; the execution that built it is already done, so this bounds what
 * crosses the network, not the work (deadlines and the operation limits do that).
 */
export function limitResponseSize(
  app: FastifyInstance,
  options: { readonly path: string; readonly maxBytes: number; readonly onRefused?: () => void },
): void {
  const tooLarge = JSON.stringify({
    data: null,
    errors: [
      {
        message: `The response is larger than ${options.maxBytes} bytes; ask for less (smaller pages, fewer fields)`,
        extensions: { code: 'RESPONSE_TOO_LARGE', limit: options.maxBytes },
      },
    ],
  })
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== options.path) return payload
    const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : Buffer.isBuffer(payload) ? payload.length : 0
    if (bytes <= options.maxBytes) return payload
    reply.log.warn({ bytes, maxBytes: options.maxBytes }, 'response over MAX_RESPONSE_BYTES replaced by RESPONSE_TOO_LARGE')
    options.onRefused?.()
    // an answer that ran: 200 in whichever GraphQL media type the request negotiated
    reply.code(200).header('content-type', `${negotiate(request.headers.accept) ?? APPLICATION_JSON}; charset=utf-8`)
    return tooLarge
  })
}
