// `npm run start:gateway` with GATEWAY_WORKERS=2, as its own process over a running set of
// subgraphs: two workers share the port, a subscription works through a worker, a worker that dies
// is replaced while the others answer, and SIGTERM drains every worker and ends the primary.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { freePort, nodeChildren, ROOT } from '../bench/processes.ts'
import { signToken } from '../gateway/auth.ts'
import { eventually } from '../platform/testing.ts'
import { collect, wsClient } from '../platform/wsTesting.ts'
import { buildWorld } from '../seed/world.ts'
import { asStaff, stackForTests } from './stack.ts'

const world = buildWorld()

describe('the gateway on two workers (GATEWAY_WORKERS=2)', () => {
  const stack = stackForTests()
  let primary: ChildProcess
  let port: number
  let exited: Promise<number | null>
  const output: string[] = []

  before(async () => {
    port = await freePort()
    primary = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'],
        GATEWAY_WORKERS: '2',
        GATEWAY_PORT: String(port),
        LOG_LEVEL: 'warn',
        RATE_LIMIT_ENABLED: 'false',
        ANOMALY_DETECTION: 'false',
        SHUTDOWN_DRAIN_MS: '500',
        ...Object.fromEntries(Object.entries(stack.urls).map(([name, url]) => [`SUBGRAPH_${name.toUpperCase()}_URL`, url])),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    primary.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    primary.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    exited = new Promise((resolve) => primary.once('exit', (code) => resolve(code)))
    await eventually('both workers ready', async () => nodeChildren(primary.pid!).length === 2 && (await ready()), 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; workers ${nodeChildren(primary.pid!).length}; output: ${output.join('')}`)
    })
  })
  after(async () => {
    if (primary.exitCode === null) primary.kill('SIGKILL')
  })

  const ready = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200
    } catch {
      return false
    }
  }
  const ask = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(10_000),
    })
    return { status: response.status, body: (await response.json()) as { data?: Record<string, any>; errors?: unknown[] } }
  }

  it('answers on both workers, each connection on one of them', async () => {
    const product = world.products.find((p) => p.status === 'ACTIVE')!
    const answers = await Promise.all(Array.from({ length: 8 }, () => ask(`query ($h: String!) { product(handle: $h) { id } }`, { h: product.handle })))
    for (const { status, body } of answers) {
      assert.equal(status, 200)
      assert.deepEqual(body.data, { product: { id: product.id } })
    }
  })

  it('streams a subscription through the worker that holds its socket', async () => {
    const level = world.stockLevels.find((l) => l.available > 5)!
    const client = wsClient(`ws://127.0.0.1:${port}/graphql`, {
      authorization: `Bearer ${await signToken({ sub: 'partner_cluster', roles: ['partner'], scopes: ['stock:read'] }, stack.config)}`,
    })
    const feed = collect(client, `subscription ($filter: StockLevelFilterInput!) { stockLevelChanged(filter: $filter) { sku location { id } } }`, {
      filter: { skus: [level.sku] },
    })
    // the upstream subscription is open once the gateway's hub counts it; adjust until the feed sees a change
    const staff = await signToken(asStaff, stack.config)
    let n = 0
    await eventually('the stock change on the stream', async () => {
      const { body } = await ask(
        `mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }`,
        { input: { idempotencyKey: `cluster-${process.pid}-${n++}`, reason: 'CORRECTION', changes: [{ sku: level.sku, locationId: level.locationId, name: 'AVAILABLE', delta: -1, changeFromQuantity: null }] } },
        staff,
      )
      assert.deepEqual(body.data?.['inventoryAdjustQuantities'].userErrors, [])
      await stack.flushEvents()
      await new Promise((resolve) => setTimeout(resolve, 100))
      return feed.results.length > 0
    }, 20_000)
    assert.equal(feed.results[0]?.data?.['stockLevelChanged'].sku, level.sku)
    await client.dispose()
  })

  it('replaces a worker that dies while the other answers', async () => {
    const [victim, survivor] = nodeChildren(primary.pid!)
    process.kill(victim!, 'SIGKILL')
    // a connection handed to the worker as it died is lost (a client or balancer retries it); the survivor answers
    await eventually('an answer from the surviving worker', async () => (await ask('{ __typename }').catch(() => ({ status: 0 }))).status === 200, 30_000)
    await eventually('a new worker', () => {
      const now = nodeChildren(primary.pid!)
      return now.length === 2 && now.includes(survivor!) && !now.includes(victim!)
    }, 60_000)
    await eventually('the new worker ready', ready, 30_000)
  })

  it('drains every worker on SIGTERM and exits 0', async () => {
    const workers = nodeChildren(primary.pid!)
    primary.kill('SIGTERM')
    assert.equal(await exited, 0, output.join(''))
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), 'the worker is gone')
  })
})
