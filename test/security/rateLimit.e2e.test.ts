import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { signToken } from '../../gateway/auth.ts'
import { asCustomer, stackForTests, type Stack } from '../stack.ts'
import { defaults, noCalls, startSecurityStack } from './securityStack.ts'

async function post(stack: Stack, document: string, headers: Record<string, string> = {}) {
  const response = await stack.gateway.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: { query: document },
  })
  return { status: response.statusCode, headers: response.headers, body: response.json() as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } }
}

describe('rate limits in cost units (attack suite)', () => {
  // anonymous: 10 units/s, a bucket of 100 (10 s); every operation costs at least 10
  const rateLimit = { ...defaults.rateLimit, perSecond: { anonymous: 10, customer: 40, partner: 100, staff: 200 }, burstSeconds: 10, minCost: 10 }
  const stack = stackForTests(() => startSecurityStack({ gatewayConfig: { rateLimit, trustedProxies: ['10.0.0.0/8'] } }))

  it('answers with the remaining budget, then 429 RATE_LIMITED with Retry-After once it is spent, before any subgraph is called', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.1' }
    const first = await post(stack, '{ __typename }', headers)
    assert.equal(first.status, 200)
    assert.equal(first.headers['ratelimit-limit'], '100')
    assert.equal(first.headers['ratelimit-remaining'], '90')
    for (let i = 0; i < 9; i++) assert.equal((await post(stack, '{ __typename }', headers)).status, 200)
    stack.resetCounters()
    const refused = await post(stack, '{ locations { id } }', headers)
    assert.equal(refused.status, 429)
    assert.equal(refused.body.errors?.[0]?.extensions?.['code'], 'RATE_LIMITED')
    assert.ok(Number(refused.headers['retry-after']) >= 1)
    assert.equal(refused.body.errors?.[0]?.extensions?.['retryAfter'], Number(refused.headers['retry-after']))
    // what refilled since the last request, less than one operation's worth
    assert.ok(Number(refused.headers['ratelimit-remaining']) < 10)
    assert.deepEqual(stack.subgraphCalls(), noCalls)
  })

  it('charges an operation its estimated cost, so one expensive query spends what many cheap ones would', async () => {
    const token = await signToken({ sub: 'c_cost', roles: ['customer'] }, stack.config)
    // customer bucket 400; 1 + 24 × (1 + 2 + 1 + 1) = 121 per page
    const listing = '{ products(first: 24) { nodes { id title priceRange(currency: USD) { min { minorUnits } max { minorUnits } } } } }'
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await post(stack, listing, { authorization: `Bearer ${token}` })).status)
    assert.deepEqual(statuses, [200, 200, 200, 429])
  })

  it('keys signed-in viewers by subject, so one customer spending its budget leaves another untouched', async () => {
    const spender = await signToken(asCustomer('c_spender'), stack.config)
    const other = await signToken(asCustomer('c_other'), stack.config)
    let status = 200
    for (let i = 0; i < 50 && status === 200; i++) status = (await post(stack, '{ __typename }', { authorization: `Bearer ${spender}` })).status
    assert.equal(status, 429)
    assert.equal((await post(stack, '{ __typename }', { authorization: `Bearer ${other}` })).status, 200)
  })

  it('believes X-Forwarded-For only from a trusted proxy: a client cannot buy a fresh budget by inventing addresses', async () => {
    // inject's peer is 127.0.0.1, not in TRUSTED_PROXIES (10.0.0.0/8) of this stack... so the header is ignored
    const untrusted = await startSecurityStack({ gatewayConfig: { rateLimit } })
    try {
      let status = 200
      for (let i = 0; i < 20 && status === 200; i++) status = (await post(untrusted, '{ __typename }', { 'x-forwarded-for': `198.51.100.${i}` })).status
      assert.equal(status, 429, 'rotating X-Forwarded-For from an untrusted peer shares one bucket')
    } finally {
      await untrusted.close()
    }
  })

  it('keeps the budget of each address behind a trusted proxy apart', async () => {
    const trusted = await startSecurityStack({ gatewayConfig: { rateLimit, trustedProxies: ['127.0.0.1'] } })
    try {
      for (let i = 0; i < 10; i++) assert.equal((await post(trusted, '{ __typename }', { 'x-forwarded-for': '192.0.2.10' })).status, 200)
      assert.equal((await post(trusted, '{ __typename }', { 'x-forwarded-for': '192.0.2.10' })).status, 429)
      assert.equal((await post(trusted, '{ __typename }', { 'x-forwarded-for': '192.0.2.11' })).status, 200)
    } finally {
      await trusted.close()
    }
  })
})

describe('the flood from the issue on the default limits (attack suite)', () => {
  const stack = stackForTests(() => startSecurityStack())

  it('no longer answers 2,000 anonymous requests in a burst: most are refused with 429 and the gateway stays up', async () => {
    const statuses = new Map<number, number>()
    const started = Date.now()
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 100 }, () => post(stack, '{ __typename }')))
      for (const r of responses) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
    }
    const seconds = (Date.now() - started) / 1000
    // a bucket of RATE_LIMIT_BURST_SECONDS × RATE_LIMIT_ANONYMOUS units at RATE_LIMIT_MIN_COST per operation
    const { perSecond, burstSeconds, minCost } = defaults.rateLimit
    const burst = (perSecond.anonymous * burstSeconds) / minCost
    const allowed = statuses.get(200) ?? 0
    assert.ok(allowed >= burst && allowed <= burst + Math.ceil((seconds * perSecond.anonymous) / minCost) + 1, `allowed ${allowed} in ${seconds} s: ${JSON.stringify([...statuses])}`)
    assert.ok((statuses.get(429) ?? 0) > 0, 'some of the flood is refused')
    assert.equal(allowed + (statuses.get(429) ?? 0), 2000)
    assert.equal((await stack.gateway.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  })
})
