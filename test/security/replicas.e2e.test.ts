import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildGatewayApp } from '../../gateway/app.ts'
import { redisSkip, testRedisUrl } from '../../gateway/rateLimit/redisTesting.ts'
import { composedSupergraph, type Stack } from '../stack.ts'
import { defaults, startSecurityStack } from './securityStack.ts'

const skip = await redisSkip()

describe('rate limits shared by gateway replicas through Redis (attack suite)', { skip }, () => {
  let stack: Stack
  let replica: FastifyInstance
  // anonymous: a bucket of 100 units at 10 per operation
  const rateLimit = { ...defaults.rateLimit, perSecond: { ...defaults.rateLimit.perSecond, anonymous: 1 }, burstSeconds: 100, minCost: 10 }
  before(async () => {
    stack = await startSecurityStack({ gatewayConfig: { rateLimit, redisUrl: testRedisUrl, trustedProxies: ['127.0.0.1'] } })
    replica = await buildGatewayApp({ config: stack.config, supergraph: composedSupergraph() })
    await replica.ready()
  })
  after(async () => {
    await replica.close()
    await stack.close()
  })

  it('spends one budget per client whichever replica answers', async () => {
    // a /64 of its own per run: buckets in Redis outlive the test
    const client = `2001:db8:${randomInt(0, 0xffff).toString(16)}:${randomInt(0, 0xffff).toString(16)}::1`
    const headers = { 'content-type': 'application/json', 'x-forwarded-for': client }
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) {
      const gateway = i % 2 === 0 ? stack.gateway : replica
      statuses.push((await gateway.inject({ method: 'POST', url: '/graphql', headers, payload: { query: '{ __typename }' } })).statusCode)
    }
    // 10 operations fill the bucket of 100 across both replicas; each alone would have allowed 10
    assert.deepEqual(statuses, [...Array(10).fill(200), 429, 429])
  })
})
