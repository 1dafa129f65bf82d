import type { FastifyBaseLogger } from 'fastify'
import { CloseCode } from 'graphql-ws'
import type { WebSocket, WebSocketServer } from 'ws'

/**
 * graphql-ws's `ws` adapter answers an error on a socket by printing it with its stack to stderr
 * ("Internal error emitted on a WebSocket socket") and closing with 1011. The commonest such error
 * is a client's: a frame over `maxPayload` (ws has already closed that socket with 1009), an
 * invalid frame, a reset connection. Call after `useServer`: each new socket's error listeners
 * are replaced by one log line (the error's code and message, no stack), and a socket still open
 * is closed with 1011.
 */
export function logSocketErrors(wss: WebSocketServer, log: FastifyBaseLogger): void {
  wss.on('connection', (socket: WebSocket) => {
    for (const listener of socket.listeners('error')) socket.off('error', listener as (error: Error) => void)
    socket.on('error', (error: Error & { code?: string }) => {
      log.info({ code: error.code, reason: error.message }, 'websocket closed on a protocol error')
      if (socket.readyState === socket.OPEN) socket.close(CloseCode.InternalServerError, 'Internal server error')
    })
  })
}
