import type { ApolloServer } from '@apollo/server'
import type { FastifyInstance } from 'fastify'
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql'
import proxyAddr from '@fastify/proxy-addr'
import { CloseCode } from 'graphql-ws'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer, type WebSocket } from 'ws'
import type { IncomingMessage } from 'node:http'
import type { Config } from '../../platform/config.ts'
import { isStaff, type Viewer } from '../../platform/viewer.ts'
import { credentialsFromAuthorization, type AuthConfig } from '../auth.ts'
import type { GatewayContext } from '../context.ts'
import { formatGatewayError } from '../formatError.ts'
import { deniedError, withoutSuggestions } from '../limits/edgePlugin.ts'
import { costRoleOf, type OperationGuard } from '../limits/operationGuard.ts'
import { clientKeyOf, type RateLimiter } from '../rateLimit/rateLimiter.ts'
import { withLimitCode } from '../limits/tokenLimit.ts'
import type { TrustedDocuments } from '../trustedDocuments.ts'
import type { SubscriptionHub } from './hub.ts'
import type { SupergraphRuntime } from './runtime.ts'
import { graphqlError, type ErrorCode } from '../../platform/errors.ts'
import { timedPhase } from '../../platform/shutdown.ts'
import { logSocketErrors } from '../../platform/socketErrors.ts'

/** Close codes beyond graphql-ws's own (4400, 4401, 4403, 4408, 4409, 4429, 4500) and ws's 1009. */
export const SocketCloseCode = {
  /** Going away: the gateway is shutting down; reconnect (elsewhere) with your cursor. */
  GoingAway: 1001,
  /** Try again later: this client read too slowly and its buffer overflowed; reconnect with your cursor. */
  SlowConsumer: 1013,
  /** Too many subscriptions on this connection, or messages sent too fast. */
  TooManyRequests: CloseCode.TooManyInitialisationRequests,
} as const

export interface SocketServerOptions {
  readonly app: FastifyInstance
  readonly config: Pick<Config, 'jwtSecret' | 'jwtIssuer' | 'jwtAudience' | 'websocket' | 'shutdownDrainMs' | 'nodeEnv' | 'trustedProxies'> & AuthConfig
  readonly runtime: () => SupergraphRuntime | null
  readonly hub: SubscriptionHub
  readonly apollo: ApolloServer<GatewayContext>
  readonly trustedDocuments: TrustedDocuments | undefined
  /** Operation limits and cost budgets: subscriptions are measured here, the rest by Apollo's pipeline. */
  readonly guard: OperationGuard
  /** Charges subscriptions their cost and every message RATE_LIMIT_MIN_COST; null when rate limits are off. */
  readonly rateLimiter: RateLimiter | null
}

export interface SocketServer {
  /** Open connections now. */
  readonly connections: number
}

interface ConnectionState {
  viewer: Viewer
  /** The client's address (as HTTP's request.ip): anonymous viewers are rate limited by it. */
  clientIp: string | undefined
}

/** The operation a subscribe message resolved to, carried from onSubscribe to execute/subscribe. */
interface SocketOperation extends GatewayContext {
  readonly query: string
  readonly socket: WebSocket
}

const codedError = (message: string, code: ErrorCode) => graphqlError(code, message)

/**
 * GraphQL over WebSocket (`graphql-transport-ws`) on the gateway's `/graphql`, beside HTTP on the
 * same port. The token travels in `connection_init` (`{ authorization: 'Bearer …' }`); without
 * one the connection is an anonymous shopper's, which may run what anonymous viewers may over HTTP
 * (the storefront's `availableToSellChanged`, not the partners' stock feed, refused per operation
 * by its `@requiresScopes`). A credential that does not verify is closed with 4403, never taken
 * for anonymous.
 * Subscriptions run through the SubscriptionHub; queries and mutations through Apollo Server's
 * own pipeline (the same plans, plugins and error formatting as HTTP). Operations named by id
 * follow the trusted documents policy. Per connection: a cap on open operations and on message
 * size and rate, and a bounded buffer per subscription (a slow reader is closed with 1013).
 * On close the server stops accepting sockets, lets open ones stream for SHUTDOWN_DRAIN_MS,
 * then closes them with 1001 so clients resume elsewhere.
 */
export function serveGraphQLOverWebSocket(options: SocketServerOptions): SocketServer {
  const { app, config, hub, apollo, trustedDocuments } = options
  const limits = config.websocket
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes })
  const states = new WeakMap<object, ConnectionState>()
  let draining = false

  app.server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
      return
    }
    if (draining) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\n')
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })

  // registered before graphql-ws's own listener: counts every message, whatever its type
  const socketViewers = new WeakMap<WebSocket, Viewer>()
  const socketIps = new WeakMap<WebSocket, string | undefined>()
  const openPerClient = new Map<string, number>()
  // X-Forwarded-For names the client only when the peer is a proxy we run (as Fastify's trustProxy)
  const trusted = proxyAddr.compile([...config.trustedProxies])
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socketIps.set(socket, request.socket.remoteAddress === undefined ? undefined : proxyAddr(request, trusted))
    let windowStart = Date.now()
    let inWindow = 0
    socket.on('message', () => {
      const now = Date.now()
      if (now - windowStart >= 1000) {
        windowStart = now
        inWindow = 0
      }
      if (++inWindow > limits.maxMessagesPerSecond) {
        socket.close(SocketCloseCode.TooManyRequests, `Rate limit exceeded: at most ${limits.maxMessagesPerSecond} messages per second`)
        return
      }
      // every message after connection_init spends the viewer's budget too (the same bucket as HTTP)
      const viewer = socketViewers.get(socket)
      if (viewer && options.rateLimiter) {
        options.rateLimiter.charge(clientKeyOf(viewer, socketIps.get(socket)), costRoleOf(viewer), 0).catch(() => {
          socket.close(SocketCloseCode.TooManyRequests, 'Rate limit exceeded: the budget of this token is spent; reconnect later with your cursor')
        })
      }
    })
  })

  const server = useServer<Record<string, unknown> | undefined, { socket: WebSocket }>(
    {
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {}
        // `{ authorization }` as Apollo Client sends it; `{ headers: { authorization } }` as some clients nest it
        const headers = (params['headers'] ?? {}) as Record<string, unknown>
        const authorization = params['authorization'] ?? params['Authorization'] ?? headers['authorization'] ?? headers['Authorization']
        // no credential: an anonymous shopper; one that is empty or not a string is refused
        if (authorization !== undefined && (typeof authorization !== 'string' || authorization.trim() === '')) return false
        let viewer: Viewer
        let expiresAt: number | null
        try {
          ;({ viewer, expiresAt } = await credentialsFromAuthorization(authorization, config))
        } catch {
          return false
        }
        const clientIp = socketIps.get(ctx.extra.socket)
        // sockets open at once per client (a token's subject, else the address): anonymous
        // shoppers may connect, so one client must not hold thousands
        const client = clientKeyOf(viewer, clientIp)
        const open = openPerClient.get(client) ?? 0
        if (open >= limits.maxConnectionsPerClient) {
          ctx.extra.socket.close(SocketCloseCode.TooManyRequests, `Too many connections: at most ${limits.maxConnectionsPerClient} open at once per client`)
          return false
        }
        openPerClient.set(client, open + 1)
        ctx.extra.socket.once('close', () => {
          const left = (openPerClient.get(client) ?? 1) - 1
          if (left > 0) openPerClient.set(client, left)
          else openPerClient.delete(client)
        })
        states.set(ctx, { viewer, clientIp })
        socketViewers.set(ctx.extra.socket, viewer)
        // a token is checked once, at connect: the connection ends when it expires, so an expired
        // or rotated-out credential cannot keep streaming (clients reconnect with a fresh one)
        if (expiresAt !== null) {
          const socket = ctx.extra.socket
          const timer = setTimeout(() => socket.close(CloseCode.Forbidden, 'Token expired: reconnect with a fresh token and your last cursor'), Math.max(0, expiresAt - Date.now()))
          timer.unref()
          socket.once('close', () => clearTimeout(timer))
        }
        return true
      },
      onSubscribe: async (ctx, _id, payload) => {
        const state = states.get(ctx) as ConnectionState
        const socket = ctx.extra.socket
        // ctx.subscriptions already holds this one
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptions) {
          socket.close(SocketCloseCode.TooManyRequests, `Too many subscriptions: at most ${limits.maxSubscriptions} per connection`)
          return [codedError(`At most ${limits.maxSubscriptions} operations per connection`, 'BAD_REQUEST')]
        }
        let query = typeof payload.query === 'string' && payload.query !== '' ? payload.query : undefined
        let operationName = payload.operationName ?? undefined
        if (trustedDocuments) {
          const resolved = await trustedDocuments.resolveSocketPayload(payload as unknown as Record<string, unknown>, isStaff(state.viewer))
          if ('kind' in resolved) return [codedError(resolved.message, resolved.code)]
          query = resolved.query
          operationName = resolved.operationName
        }
        if (query === undefined || query === '') return [codedError('The operation has no document (send "query", or a known id)', 'BAD_REQUEST')]
        const runtime = options.runtime()
        if (!runtime) return [codedError('The gateway has no schema yet', 'INTERNAL_SERVER_ERROR')]
        const prepared = runtime.prepare(query)
        if ('errors' in prepared) {
          const code: ErrorCode = prepared.stage === 'parse' ? 'GRAPHQL_PARSE_FAILED' : 'GRAPHQL_VALIDATION_FAILED'
          const hideSchema = config.nodeEnv === 'production' && !isStaff(state.viewer)
          return prepared.errors.map((error) => {
            const formatted = withLimitCode({ message: hideSchema ? withoutSuggestions(error.message) : error.message, extensions: { code } })
            return new GraphQLError(formatted.message, { extensions: formatted.extensions ?? {} })
          })
        }
        const { document } = prepared
        const operation = getOperationAST(document, operationName)
        if (!operation) return [codedError('Unable to identify the operation (name it with operationName)', 'BAD_REQUEST')]
        const variables = payload.variables ?? {}
        const coerced = getVariableValues(runtime.apiSchema, operation.variableDefinitions ?? [], variables)
        if (coerced.errors) return coerced.errors.map((error) => codedError(error.message, 'BAD_USER_INPUT'))
        // queries and mutations are measured by Apollo's pipeline (the edge plugin); subscriptions here
        if (operation.operation === 'subscription') {
          try {
            const admission = options.guard.admit(runtime.apiSchema, document, operation, variables, state.viewer)
            // a subscription reads all it selects on every event, or nothing: no field is nulled
            const authorization = options.guard.authorize(runtime.apiSchema, document, operation, state.viewer)
            if (authorization.kind === 'refused') return [deniedError(authorization.denied)]
            if (authorization.kind === 'filtered' && authorization.denied[0]) return [deniedError(authorization.denied[0])]
            await options.rateLimiter?.charge(clientKeyOf(state.viewer, state.clientIp), admission.role, admission.measures.cost)
          } catch (error) {
            return [error as GraphQLError]
          }
        }
        const contextValue: SocketOperation = { viewer: state.viewer, query, socket, ...(state.clientIp === undefined ? {} : { clientIp: state.clientIp }) }
        return {
          schema: runtime.apiSchema,
          document,
          variableValues: variables,
          contextValue,
          ...(operationName ? { operationName } : {}),
        } satisfies ExecutionArgs
      },
      execute: (async (args: ExecutionArgs) => {
        const { viewer, query, clientIp } = args.contextValue as SocketOperation
        const response = await apollo.executeOperation(
          { query, variables: (args.variableValues ?? {}) as Record<string, unknown>, ...(args.operationName ? { operationName: args.operationName } : {}) },
          { contextValue: { viewer, ...(clientIp === undefined ? {} : { clientIp }) } },
        )
        if (response.body.kind !== 'single') return { errors: [codedError('Incremental delivery is not supported over graphql-ws', 'BAD_REQUEST')] }
        return response.body.singleResult as unknown as ExecutionResult
      }) as never,
      subscribe: ((args: ExecutionArgs) => {
        const { viewer, socket, query } = args.contextValue as SocketOperation
        const runtime = options.runtime()
        if (!runtime) return { errors: [codedError('The gateway has no schema yet', 'INTERNAL_SERVER_ERROR')] }
        return hub.subscribe(runtime, {
          query,
          document: args.document,
          operationName: args.operationName,
          variables: (args.variableValues ?? {}) as Record<string, unknown>,
          viewer,
          onSlowConsumer: () =>
            socket.close(SocketCloseCode.SlowConsumer, `Slow consumer: more than ${limits.maxBufferedEvents} events waiting; reconnect with your last cursor`),
        })
      }) as never,
      onNext: (_ctx, _id, _payload, _args, result) => ({
        data: (result.data ?? null) as Record<string, unknown> | null,
        ...(result.errors?.length ? { errors: result.errors.map(toFormatted).map(formatGatewayError) } : {}),
      }),
      onError: (_ctx, _id, _payload, errors) => errors.map(toFormatted).map(formatGatewayError),
    },
    wss,
  )
  logSocketErrors(wss, app.log)

  app.addHook('preClose', async () => {
    draining = true
    await timedPhase(app.log, 'sockets', async () => {
      const deadline = Date.now() + config.shutdownDrainMs
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      // sockets first, with 1001 (a close, not a completion: clients reconnect and resume), then
      // the upstream subscriptions they held
      await server.dispose()
      await hub.close()
    })
  })

  return {
    get connections() {
      return wss.clients.size
    },
  }
}

function toFormatted(error: GraphQLError | GraphQLFormattedError): GraphQLFormattedError {
  return error instanceof GraphQLError ? error.toJSON() : error
}
