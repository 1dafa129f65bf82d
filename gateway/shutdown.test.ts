import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { testConfig } from '../platform/testing.ts'
import { composedSupergraph } from '../test/stack.ts'
import { buildGatewayApp } from './app.ts'

describe('gateway shutdown', () => {
  it('leaves SIGTERM and SIGINT to the process (Apollo would stop the server and re-raise the signal, cutting sockets)', async () => {
    // Apollo Server installs its handlers unless NODE_ENV is test: build as in development
    const nodeEnv = process.env['NODE_ENV']
    process.env['NODE_ENV'] = 'development'
    const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') }
    const app = await buildGatewayApp({ config: testConfig, supergraph: composedSupergraph() })
    try {
      await app.ready()
      assert.deepEqual({ term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') }, before)
    } finally {
      process.env['NODE_ENV'] = nodeEnv
      await app.close()
    }
  })
})
