import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ConfigError, loadConfig } from './config.ts'
import { CONFIG_VARIABLES } from './configVariables.ts'
import { ERROR_CODES } from './errors.ts'

describe('loadConfig', () => {
  it('runs with no environment at all on the embedded defaults', () => {
    const config = loadConfig({})
    assert.equal(config.gatewayPort, 4000)
    assert.deepEqual(config.subgraphPorts, { catalog: 4001, inventory: 4002, orders: 4003, finance: 4004 })
    assert.equal(config.databaseUrl, null)
    assert.equal(config.seedOnStart, true)
    assert.equal(config.maxPageSize, 100)
    assert.ok(Object.isFrozen(config))
  })

  it('reports every problem at once', () => {
    assert.throws(
      () => loadConfig({ GATEWAY_PORT: 'x', MAX_PAGE_SIZE: '0', DATABASE_URL: 'mysql://h/db', LOG_LEVEL: 'loud', SUBGRAPH_ORDERS_URL: 'nope' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.equal(error.problems.length, 5)
        assert.match(error.message, /GATEWAY_PORT must be an integer/)
        assert.match(error.message, /DATABASE_URL must use postgres: or postgresql:/)
        assert.match(error.message, /SUBGRAPH_ORDERS_URL must be a URL/)
        return true
      },
    )
  })

  it('requires real secrets in production', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /AUTH_JWT_SECRET is required[\s\S]*VIEWER_SIGNING_SECRET is required/)
    assert.throws(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'short', VIEWER_SIGNING_SECRET: 'x'.repeat(32) }), /at least 32/)
    const config = loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'j'.repeat(32), VIEWER_SIGNING_SECRET: 'v'.repeat(32), DATABASE_URL: 'postgres://db/commerce' })
    assert.equal(config.seedOnStart, false)
  })

  it('takes a NATS namespace of one subject token', () => {
    assert.equal(loadConfig({}).natsNamespace, 'commerce')
    assert.equal(loadConfig({ NATS_NAMESPACE: 'shop-eu_2' }).natsNamespace, 'shop-eu_2')
    for (const bad of ['a.b', 'a>', '*', '1abc']) assert.throws(() => loadConfig({ NATS_NAMESPACE: bad }), /NATS_NAMESPACE must be/)
  })

  it('takes several replica URLs per subgraph, the first as its routing URL', () => {
    const config = loadConfig({ SUBGRAPH_INVENTORY_URL: 'http://inventory-a:4002/graphql, http://inventory-b:4002/graphql' })
    assert.equal(config.subgraphUrls.inventory, 'http://inventory-a:4002/graphql')
    assert.deepEqual(config.subgraphReplicaUrls.inventory, ['http://inventory-a:4002/graphql', 'http://inventory-b:4002/graphql'])
    assert.throws(() => loadConfig({ SUBGRAPH_INVENTORY_URL: 'http://inventory-a:4002/graphql,ftp://b/graphql' }), /SUBGRAPH_INVENTORY_URL must use http: or https:/)
  })

  it('shares queries and subgraph fetches in flight, or only the fetches, or neither', () => {
    assert.deepEqual(loadConfig({}).deduplication, { queries: true, fetches: true })
    assert.deepEqual(loadConfig({ DEDUPLICATION: 'fetches' }).deduplication, { queries: false, fetches: true })
    assert.deepEqual(loadConfig({ DEDUPLICATION: 'off' }).deduplication, { queries: false, fetches: false })
    assert.throws(() => loadConfig({ DEDUPLICATION: 'some' }), /DEDUPLICATION must be on, fetches or off, got 'some'/)
  })

  it('takes routing URL overrides per subgraph', () => {
    assert.deepEqual(loadConfig({ SUBGRAPH_CATALOG_URL: 'http://catalog:8080/graphql' }).subgraphUrls, { catalog: 'http://catalog:8080/graphql' })
  })
})

describe('the README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const tableNames = (heading: string) => {
    const section = readme.split(/^## /m).find((s) => s.startsWith(heading)) ?? ''
    return [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort()
  }

  it('documents every configuration variable, and no other', () => {
    assert.deepEqual(tableNames('Configuration'), Object.keys(CONFIG_VARIABLES).sort())
  })

  it('documents every error code, and no other', () => {
    assert.deepEqual(tableNames('Errors'), Object.keys(ERROR_CODES).sort())
  })
})
