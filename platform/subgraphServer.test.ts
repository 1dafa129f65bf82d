import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { catalog } from '../subgraphs/catalog/subgraph.ts'
import { inventory } from '../subgraphs/inventory/subgraph.ts'
import type { Config } from './config.ts'
import { countingDatabase } from './countingDatabase.ts'
import type { Database } from './db.ts'
import { execute, openTestDatabase, signedHeaders, staff, testConfig, type TestDatabase } from './testing.ts'
import { openRawSocket } from './wsTesting.ts'
import { CONNECTION_INIT_BODY, signViewer, VIEWER_HEADER, VIEWER_HEADER_MAX_AGE_MS } from './viewer.ts'
import { SUBGRAPHS } from '../subgraphs/registry.ts'

const PRODUCT = `query ($id: ID) { product(id: $id) { id title } }`
const PRODUCTS = `query ($first: Int) { products(first: $first) { nodes { id handle title variants(first: 5) { nodes { sku } } categories { id } } } }`
const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables })

/** The real database, each statement started `ms` later: a subgraph whose SQL is slow. */
function slowDatabase(db: Database, ms: number): Database {
  const pause = () => new Promise((resolve) => setTimeout(resolve, ms))
  return {
    driver: db.driver,
    query: async (sql, params) => {
      await pause()
      return db.query(sql, params)
    },
    exec: async (sql) => {
      await pause()
      return db.exec(sql)
    },
    transaction: (fn) => db.transaction(fn),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    close: () => db.close(),
  }
}

/** The real database, whose statements fail as PostgreSQL's do when the connection goes (pg_terminate_backend). */
function cutDatabase(db: Database, failure: () => Error): Database {
  return {
    driver: db.driver,
    query: async () => {
      throw failure()
    },
    exec: async () => {
      throw failure()
    },
    transaction: async () => {
      throw failure()
    },
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    close: () => db.close(),
  }
}

describe('a subgraph app (catalog and inventory, on one database)', () => {
  let test: TestDatabase
  const apps: FastifyInstance[] = []
  const catalogWith = async (overrides: Partial<Config>, db: Database = test.db) => {
    const app = await catalog.buildApp({ config: { ...testConfig, ...overrides }, db })
    apps.push(app)
    return app
  }
  let app: FastifyInstance
  const post = (payload: string, headers: Record<string, string>, target = app) =>
    target.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', ...headers }, payload })

  before(async () => {
    test = await openTestDatabase(SUBGRAPHS)
    app = await catalogWith({})
  })
  after(async () => {
    for (const built of apps) await built.close()
    await test.close()
  })

  describe('the signed viewer', () => {
    it('answers a request signed over its exact body', async () => {
      const payload = body(PRODUCT, { id: 'prod_0001' })
      const response = await post(payload, signedHeaders(staff(), testConfig, payload))
      assert.equal(response.statusCode, 200)
      assert.equal(response.json().data.product.id, 'prod_0001')
    })

    it('refuses a valid header replayed with another body with 401 UNAUTHENTICATED', async () => {
      const signed = body(PRODUCT, { id: 'prod_0001' })
      const other = body(PRODUCT, { id: 'prod_0002' })
      const response = await post(other, signedHeaders(staff(), testConfig, signed))
      assert.equal(response.statusCode, 401)
      assert.deepEqual(response.json().data, null)
      assert.equal(response.json().errors[0].extensions.code, 'UNAUTHENTICATED')
    })

    it('refuses the same body re-serialized differently: the signature covers bytes, not meaning', async () => {
      const signed = body(PRODUCT, { id: 'prod_0001' })
      const spaced = JSON.stringify(JSON.parse(signed), null, 2)
      assert.equal((await post(spaced, signedHeaders(staff(), testConfig, signed))).statusCode, 401)
    })

    it('refuses a stale header with 401 UNAUTHENTICATED', async () => {
      const payload = body(PRODUCT, { id: 'prod_0001' })
      const stale = signViewer(staff(), testConfig.viewerSigningSecret, payload, Date.now() - VIEWER_HEADER_MAX_AGE_MS - 1000)
      const response = await post(payload, { [VIEWER_HEADER]: stale })
      assert.equal(response.statusCode, 401)
      assert.equal(response.json().errors[0].extensions.code, 'UNAUTHENTICATED')
    })

    it('refuses a request without the header, or signed for a graphql-ws connection', async () => {
      const payload = body(PRODUCT, { id: 'prod_0001' })
      for (const headers of [{}, signedHeaders(staff(), testConfig, CONNECTION_INIT_BODY)]) {
        const response = await post(payload, headers)
        assert.equal(response.statusCode, 401)
        assert.equal(response.json().errors[0].extensions.code, 'UNAUTHENTICATED')
      }
    })

    it('refuses a body in another content type than JSON, whose bytes it does not keep', async () => {
      const query = `{ product(id: "prod_0001") { id } }`
      const response = await app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/graphql', ...signedHeaders(staff(), testConfig, query) },
        payload: query,
      })
      assert.equal(response.statusCode, 401)
    })

    it('refuses GET with BAD_REQUEST, even signed: a GET has no body to sign', async () => {
      const response = await app.inject({
        method: 'GET',
        url: `/graphql?query=${encodeURIComponent('{ __typename }')}`,
        headers: signedHeaders(staff(), testConfig, ''),
      })
      assert.equal(response.statusCode, 405)
      assert.equal(response.headers['allow'], 'POST')
      assert.equal(response.json().errors[0].extensions.code, 'BAD_REQUEST')
    })

    it('accepts a header signed with VIEWER_SIGNING_SECRET_PREVIOUS during a rotation, and no unknown secret', async () => {
      const rotated = await catalogWith({ viewerSigningSecret: 'n'.repeat(32), viewerSigningSecretPrevious: testConfig.viewerSigningSecret })
      const previous = await execute(rotated, PRODUCT, { id: 'prod_0001' }, staff(), { viewerSigningSecret: testConfig.viewerSigningSecret })
      assert.equal(previous.statusCode, 200)
      assert.equal(previous.data?.['product'].id, 'prod_0001')
      const current = await execute(rotated, PRODUCT, { id: 'prod_0001' }, staff(), { viewerSigningSecret: 'n'.repeat(32) })
      assert.equal(current.statusCode, 200)
      const unknown = await execute(rotated, PRODUCT, { id: 'prod_0001' }, staff(), { viewerSigningSecret: 'u'.repeat(32) })
      assert.equal(unknown.statusCode, 401)
      assert.equal(unknown.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    })
  })

  describe('the response size cap', () => {
    it('answers RESPONSE_TOO_LARGE with status 200 for a result over MAX_RESPONSE_BYTES, and small results as usual', async () => {
      const small = await catalogWith({ maxResponseBytes: 2048 })
      const big = await execute(small, PRODUCTS, { first: 50 }, staff())
      assert.equal(big.statusCode, 200)
      assert.deepEqual(big.data, null)
      assert.deepEqual(big.errors?.map((e) => e.extensions?.['code']), ['RESPONSE_TOO_LARGE'])
      const fits = await execute(small, PRODUCT, { id: 'prod_0001' }, staff())
      assert.equal(fits.errors, undefined)
      assert.equal(fits.data?.['product'].id, 'prod_0001')
    })
  })

  describe('a database that goes away', () => {
    it('answers SERVICE_UNAVAILABLE (retry), not INTERNAL_SERVER_ERROR, for a terminated or unreachable connection', async () => {
      const failures: (() => Error)[] = [
        () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
        () => Object.assign(new Error('connection failure'), { code: '08006' }),
        () => new Error('Connection terminated unexpectedly'),
        () => new Error('timeout exceeded when trying to connect'),
      ]
      for (const failure of failures) {
        const cut = await catalogWith({}, cutDatabase(test.db, failure))
        const answer = await execute(cut, PRODUCT, { id: 'prod_0002' }, staff())
        assert.equal(answer.statusCode, 200)
        assert.deepEqual(answer.errors?.map((e) => e.extensions?.['code']), ['SERVICE_UNAVAILABLE'], failure().message)
        assert.doesNotMatch(JSON.stringify(answer.errors), /administrator|terminated|08006|57P01/)
      }
      // any other failure stays an internal error, logged
      const broken = await catalogWith({}, cutDatabase(test.db, () => Object.assign(new Error('relation "x" does not exist'), { code: '42P01' })))
      assert.deepEqual((await execute(broken, PRODUCT, { id: 'prod_0002' }, staff())).errors?.map((e) => e.extensions?.['code']), ['INTERNAL_SERVER_ERROR'])
    })
  })

  describe('the execution deadline', () => {
    it('stops starting resolvers past SUBGRAPH_TIMEOUT_MS with REQUEST_TIMEOUT, runs less SQL, and keeps serving', async () => {
      const full = countingDatabase(test.db)
      const unhurried = await catalogWith({}, full)
      const complete = await execute(unhurried, PRODUCTS, { first: 20 }, staff())
      assert.equal(complete.errors, undefined)
      assert.ok(full.counter.queries > 1, 'the query needs more than one statement')

      // every statement waits 20 ms, so the nested resolvers start well past a 5 ms deadline
      const hurriedDb = countingDatabase(slowDatabase(test.db, 20))
      const hurried = await catalogWith({ subgraphTimeoutMs: 5 }, hurriedDb)
      const stopped = await execute(hurried, PRODUCTS, { first: 20 }, staff())
      assert.equal(stopped.statusCode, 200)
      const codes = new Set(stopped.errors?.map((e) => e.extensions?.['code']))
      assert.deepEqual([...codes], ['REQUEST_TIMEOUT'])
      assert.ok(hurriedDb.counter.queries < full.counter.queries, `${hurriedDb.counter.queries} statements, ${full.counter.queries} without a deadline`)

      // nothing without an explicit resolver is stopped, and the app goes on answering
      const typename = await execute(hurried, `{ __typename }`, {}, staff())
      assert.deepEqual(typename.data, { __typename: 'Query' })
      const again = await execute(unhurried, PRODUCT, { id: 'prod_0002' }, staff())
      assert.equal(again.data?.['product'].id, 'prod_0002')
    })
  })

  describe('subscriptions over graphql-ws', () => {
    let url: string
    before(async () => {
      const app = await inventory.buildApp({
        config: { ...testConfig, viewerSigningSecret: 'n'.repeat(32), viewerSigningSecretPrevious: testConfig.viewerSigningSecret },
        db: test.db,
      })
      apps.push(app)
      await app.listen({ port: 0, host: '127.0.0.1' })
      const address = app.server.address()
      url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`
    })
    const connectWith = async (header: string) => {
      const raw = await openRawSocket(url)
      raw.send({ type: 'connection_init', payload: { headers: { [VIEWER_HEADER]: header } } })
      return raw
    }

    it('acknowledges a connection signed over the connection_init marker, with the previous secret too', async () => {
      for (const secret of ['n'.repeat(32), testConfig.viewerSigningSecret]) {
        const raw = await connectWith(signViewer(staff(), secret, CONNECTION_INIT_BODY))
        assert.equal((await raw.nextMessage())['type'], 'connection_ack')
        raw.close()
      }
    })

    it('closes with 4403 a forged, stale, unknown-secret or body-signed connection_init', async () => {
      const now = Date.now()
      const headers = {
        forged: 'forged.signature',
        stale: signViewer(staff(), 'n'.repeat(32), CONNECTION_INIT_BODY, now - VIEWER_HEADER_MAX_AGE_MS - 1000),
        unknownSecret: signViewer(staff(), 'u'.repeat(32), CONNECTION_INIT_BODY),
        signedForABody: signViewer(staff(), 'n'.repeat(32), body(PRODUCT)),
      }
      for (const [what, header] of Object.entries(headers)) {
        const raw = await connectWith(header)
        assert.equal((await raw.closed).code, 4403, what)
      }
    })
  })
})
