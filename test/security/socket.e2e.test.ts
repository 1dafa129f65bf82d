import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import WebSocket from 'ws'
import { signToken, type TokenClaims } from '../../gateway/auth.ts'
import { openRawSocket, type ClosedWith, type RawSocket } from '../../platform/wsTesting.ts'
import { asCustomer, asStaff, type Stack } from '../stack.ts'
import { assertAlive, assertNoLeak, handMadeToken, nowSeconds } from './attackSupport.ts'
import { defaults, startSecurityStack } from './securityStack.ts'

const PARTNER: TokenClaims = { sub: 'partner_1', roles: ['partner'], scopes: ['stock:read'] }
// small limits, so that reaching each takes a few messages (the defaults are in the README)
const WEBSOCKET = { maxSubscriptions: 3, maxMessageBytes: 2048, maxMessagesPerSecond: 10, maxBufferedEvents: 100, connectionInitTimeoutMs: 300, maxConnectionsPerClient: 20 }
const FEED = (sku: string) => `subscription { stockLevelChanged(filter: { skus: ["${sku}"] }) { sku changes { name after } } }`
/** Nine levels through variant → product → variants → product → variants. */
const TOO_DEEP = 'subscription { stockLevelChanged(filter: {skus: ["APP-0001-S"]}) { variant { product { variants(first: 100) { nodes { product { variants(first: 100) { nodes { sku } } } } } } } } }'
/** Within the depth, but 15 aliased pages of 100 variants, each with stock from inventory: over the partner budget. */
const TOO_COSTLY = `subscription { stockLevelChanged(filter: {skus: ["APP-0001-S"]}) { variant { product { ${Array.from({ length: 15 }, (_, i) => `v${i}: variants(first: 100) { nodes { availableToSell } }`).join(' ')} } } } }`

describe('graphql-ws at the gateway (attack suite)', () => {
  let stack: Stack
  let url: string
  const sockets: RawSocket[] = []
  before(async () => {
    stack = await startSecurityStack({
      gatewayConfig: { websocket: WEBSOCKET, rateLimit: { ...defaults.rateLimit, enabled: false }, anomaly: { ...defaults.anomaly, enabled: false } },
    })
    url = await stack.gatewayWsUrl()
  })
  after(async () => {
    for (const socket of sockets) socket.close()
    await stack.close()
  })

  const open = async (protocol?: string) => {
    const socket = await openRawSocket(url, protocol)
    sockets.push(socket)
    return socket
  }
  const bearer = async (claims: TokenClaims) => `Bearer ${await signToken(claims, stack.config)}`
  /** A socket past connection_ack, as a partner with stock:read. */
  const acknowledged = async () => {
    const socket = await open()
    socket.send({ type: 'connection_init', payload: { authorization: await bearer(PARTNER) } })
    assert.deepEqual(await socket.nextMessage(), { type: 'connection_ack' })
    return socket
  }
  const closedWithin = async (socket: RawSocket, ms = 5000): Promise<ClosedWith> => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still open after ${ms} ms; got ${JSON.stringify(socket.messages)}`)), ms)
    })
    try {
      return await Promise.race([socket.closed, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
  /** The socket closes with this code, no upstream was opened, and the gateway still answers. */
  async function closes(socket: RawSocket, code: number): Promise<ClosedWith> {
    const closed = await closedWithin(socket)
    assert.equal(closed.code, code, JSON.stringify(closed))
    assertNoLeak(stack, JSON.stringify([closed, socket.messages]))
    assert.equal(stack.subgraphCalls().inventory, 0, 'no upstream subscription to inventory')
    await assertAlive(stack)
    return closed
  }

  /**
   * A stock-feed subscribe on an acknowledged socket is refused with `code` and no event: by the
   * gateway (an `error` message) or by inventory (a `next` without data, then `complete`).
   */
  async function feedRefused(socket: RawSocket, code: string): Promise<void> {
    socket.send({ id: 'feed', type: 'subscribe', payload: { query: FEED('APP-0001-S') } })
    const refusal = await socket.nextMessage()
    const errors = (refusal['type'] === 'error' ? refusal['payload'] : refusal['payload']?.errors) as { extensions?: { code?: string } }[] | undefined
    assert.ok(refusal['type'] === 'error' || (refusal['type'] === 'next' && refusal['payload']?.data === null), JSON.stringify(refusal))
    assert.equal(errors?.[0]?.extensions?.code, code, JSON.stringify(refusal))
    assertNoLeak(stack, JSON.stringify(refusal))
  }

  it('closes with 4429 a client holding more than WS_MAX_CONNECTIONS_PER_CLIENT sockets, and takes one again once one closes', async () => {
    const authorization = await bearer({ sub: 'c_many', roles: ['customer'], scopes: [] })
    const connect = async () => {
      const socket = await open()
      socket.send({ type: 'connection_init', payload: { authorization } })
      return socket
    }
    const held: RawSocket[] = []
    for (let i = 0; i < WEBSOCKET.maxConnectionsPerClient; i++) {
      const socket = await connect()
      assert.deepEqual(await socket.nextMessage(), { type: 'connection_ack' })
      held.push(socket)
    }
    const extra = await connect()
    const closed = await closedWithin(extra)
    assert.equal(closed.code, 4429, JSON.stringify(closed))
    assert.match(closed.reason, /Too many connections/)
    // another client is not held back by this one
    const other = await open()
    other.send({ type: 'connection_init' })
    assert.deepEqual(await other.nextMessage(), { type: 'connection_ack' })
    other.close()
    held.pop()?.close()
    await eventuallyAcknowledged(connect)
    for (const socket of held) socket.close()
  })

  /** The server counts a socket closed when its close arrives: retries until one is acknowledged. */
  async function eventuallyAcknowledged(connect: () => Promise<RawSocket>): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const socket = await connect()
      const first = await socket.nextMessage().catch(() => null)
      if (first !== null) {
        assert.deepEqual(first, { type: 'connection_ack' })
        socket.close()
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.fail('no socket acknowledged after one of the held ones closed')
  }

  it('closes with 4403 a connection_init whose authorization is empty or not a string', async () => {
    for (const payload of [{ authorization: '' }, { authorization: '  ' }, { authorization: 12345 }, { authorization: { Bearer: 'x' } }]) {
      stack.resetCounters()
      const socket = await open()
      socket.send({ type: 'connection_init', payload })
      await closes(socket, 4403)
    }
  })

  it('opens a connection_init without a token as anonymous, and refuses it the stock feed (UNAUTHENTICATED)', async () => {
    for (const payload of [undefined, {}]) {
      stack.resetCounters()
      const socket = await open()
      socket.send({ type: 'connection_init', ...(payload === undefined ? {} : { payload }) })
      assert.deepEqual(await socket.nextMessage(), { type: 'connection_ack' })
      await feedRefused(socket, 'UNAUTHENTICATED')
      socket.close()
    }
  })

  it('opens a customer token, a partner or staff token without stock:read, and refuses them the stock feed (FORBIDDEN)', async () => {
    for (const claims of [asCustomer('c_1001'), { sub: 'partner_2', roles: ['partner'] } satisfies TokenClaims, asStaff, { sub: 'c_1001', roles: ['customer'], scopes: ['stock:read'] } satisfies TokenClaims]) {
      stack.resetCounters()
      const socket = await open()
      socket.send({ type: 'connection_init', payload: { authorization: await bearer(claims) } })
      assert.deepEqual(await socket.nextMessage(), { type: 'connection_ack' })
      await feedRefused(socket, 'FORBIDDEN')
      socket.close()
    }
  })

  it('closes with 4403 a forged, unsigned or expired partner token', async () => {
    const claims = { sub: 'partner_1', roles: ['partner'], scope: 'stock:read', iat: nowSeconds() - 3600, exp: nowSeconds() + 600 }
    const real = await signToken(PARTNER, stack.config)
    const [header, , signature] = real.split('.')
    for (const authorization of [
      `Bearer ${handMadeToken({ alg: 'none', typ: 'JWT' }, claims)}`,
      `Bearer ${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['staff'] })).toString('base64url')}.${signature}`,
      `Bearer ${await signToken({ ...PARTNER, expiresIn: -120 }, stack.config)}`,
      'Bearer garbage',
    ]) {
      stack.resetCounters()
      const socket = await open()
      socket.send({ type: 'connection_init', payload: { authorization } })
      await closes(socket, 4403)
    }
  })

  it('closes with 1009 a message over WS_MAX_MESSAGE_BYTES, before and after connection_init', async () => {
    stack.resetCounters()
    // a client's oversized frame is the client's error: a log line, not a stack trace on stderr
    const printed: unknown[][] = []
    const consoleError = console.error
    console.error = (...args: unknown[]) => void printed.push(args)
    try {
      const early = await open()
      early.send({ type: 'connection_init', payload: { authorization: 'x'.repeat(WEBSOCKET.maxMessageBytes) } })
      await closes(early, 1009)
      const late = await acknowledged()
      late.send({ id: '1', type: 'subscribe', payload: { query: FEED('APP-0001-S'), variables: { pad: 'p'.repeat(WEBSOCKET.maxMessageBytes) } } })
      await closes(late, 1009)
    } finally {
      console.error = consoleError
    }
    assert.deepEqual(printed, [])
    await assertAlive(stack)
  })

  it('closes with 4429 a client flooding more than WS_MAX_MESSAGES_PER_SECOND messages', async () => {
    stack.resetCounters()
    const socket = await acknowledged()
    for (let i = 0; i < WEBSOCKET.maxMessagesPerSecond * 3; i++) socket.send({ type: 'ping' })
    await closes(socket, 4429)
  })

  it('closes with 4429 a client opening more than WS_MAX_SUBSCRIPTIONS subscriptions', async () => {
    const socket = await acknowledged()
    for (let i = 1; i <= WEBSOCKET.maxSubscriptions + 1; i++) socket.send({ id: String(i), type: 'subscribe', payload: { query: FEED('APP-0001-S') } })
    const closed = await closedWithin(socket)
    assert.equal(closed.code, 4429, JSON.stringify(closed))
    assert.match(closed.reason, /Too many subscriptions/)
    await assertAlive(stack)
  })

  /** A subscription refused on the operation (an `error` message for its id), opening no upstream: the error's extensions. */
  const refusedSubscription = async (socket: RawSocket, id: string, query: string) => {
    stack.resetCounters()
    socket.send({ id, type: 'subscribe', payload: { query } })
    const refusal = await socket.nextMessage()
    assert.equal(refusal['type'], 'error', JSON.stringify(refusal))
    assert.equal(refusal['id'], id)
    assert.equal(stack.subgraphCalls().inventory, 0, 'no upstream subscription to inventory')
    return refusal['payload'][0].extensions
  }

  it('answers a subscription nested too deep with MAX_DEPTH_EXCEEDED, opening no upstream, and keeps the socket', async () => {
    const socket = await acknowledged()
    assert.deepEqual(await refusedSubscription(socket, 'deep', TOO_DEEP), { code: 'MAX_DEPTH_EXCEEDED', limit: 6, actual: 9 })
    assert.equal(stack.subgraphCalls().catalog, 0)
    // a refused operation is answered on the operation; the connection carries on
    socket.send({ type: 'ping' })
    assert.equal((await socket.nextMessage())['type'], 'pong')
    await assertAlive(stack)
  })

  it('answers a subscription over the partner\'s cost budget with COST_LIMIT_EXCEEDED, opening no upstream', async () => {
    const extensions = await refusedSubscription(await acknowledged(), 'costly', TOO_COSTLY)
    assert.equal(extensions.code, 'COST_LIMIT_EXCEEDED')
    assert.equal(extensions.limit, defaults.limits.maxCost.partner)
    assert.ok(extensions.actual > defaults.limits.maxCost.partner)
    await assertAlive(stack)
  })

  it('answers a query over the socket nested too deep with MAX_DEPTH_EXCEEDED, before any subgraph', async () => {
    const socket = await acknowledged()
    stack.resetCounters()
    socket.send({ id: 'q', type: 'subscribe', payload: { query: '{ products(first: 1) { nodes { variants(first: 1) { nodes { product { variants(first: 1) { nodes { sku } } } } } } } }' } })
    // a query runs through Apollo's pipeline: its refusal is a result, then the operation completes
    assert.deepEqual(await socket.nextMessage(), {
      id: 'q',
      type: 'next',
      payload: { data: null, errors: [{ message: 'The operation nests fields 8 deep; at most 6 are allowed', extensions: { code: 'MAX_DEPTH_EXCEEDED', limit: 6, actual: 8 } }] },
    })
    assert.deepEqual(await socket.nextMessage(), { id: 'q', type: 'complete' })
    assert.equal(stack.subgraphCalls().catalog, 0)
  })

  it('closes with 4408 a connection that sends no connection_init within the timeout', async () => {
    stack.resetCounters()
    const started = Date.now()
    const socket = await open()
    await closes(socket, 4408)
    assert.ok(Date.now() - started >= WEBSOCKET.connectionInitTimeoutMs - 50, 'not before the timeout')
  })

  it('closes with 4401 a subscribe before connection_ack, 4409 a reused id, 4400 a malformed message', async () => {
    stack.resetCounters()
    const early = await open()
    early.send({ id: '1', type: 'subscribe', payload: { query: FEED('APP-0001-S') } })
    await closes(early, 4401)

    const reused = await acknowledged()
    reused.send({ id: 'same', type: 'subscribe', payload: { query: FEED('APP-0002-S') } })
    reused.send({ id: 'same', type: 'subscribe', payload: { query: FEED('APP-0002-S') } })
    assert.equal((await closedWithin(reused)).code, 4409)

    for (const raw of ['not json', '{"type":"unknown"}', '[]', '{"type":"subscribe","id":1,"payload":{"query":"{ __typename }"}}']) {
      const malformed = await acknowledged()
      malformed.sendRaw(raw)
      assert.equal((await closedWithin(malformed)).code, 4400, raw)
    }
    await assertAlive(stack)
  })

  it('closes with 4406 a socket that names no graphql-transport-ws subprotocol', async () => {
    // a client asking for another subprotocol fails its own handshake; one asking for none gets in, then is closed
    const socket = new WebSocket(url)
    const closed = await new Promise<{ code: number }>((resolve, reject) => {
      socket.once('close', (code) => resolve({ code }))
      socket.once('error', reject)
    })
    assert.equal(closed.code, 4406)
    await assertAlive(stack)
  })
})
