import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatGatewayError } from './formatError.ts'

describe('formatGatewayError', () => {
  it('keeps the subgraph code and the service name', () => {
    const formatted = formatGatewayError({ message: "'first' must be at most 100", path: ['products'], extensions: { code: 'BAD_USER_INPUT', serviceName: 'catalog', argumentName: 'first' } })
    assert.deepEqual(formatted, { message: "'first' must be at most 100", path: ['products'], extensions: { code: 'BAD_USER_INPUT', serviceName: 'catalog', argumentName: 'first' } })
  })

  it('strips subgraph URLs, response bodies and stack traces', () => {
    const formatted = formatGatewayError({
      message: 'request to http://10.0.0.7:4001/graphql failed',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'catalog', response: { url: 'http://10.0.0.7:4001/graphql', body: 'secret' }, stacktrace: ['at x'] },
    })
    assert.equal(formatted.message, 'request to [redacted] failed')
    assert.deepEqual(formatted.extensions, { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'catalog' })
  })

  it('answers unknown failures generically', () => {
    const formatted = formatGatewayError({ message: 'relation "orders.orders" does not exist', extensions: { code: 'SOMETHING_ODD' } })
    assert.deepEqual(formatted, { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } })
    assert.equal(formatGatewayError({ message: 'TypeError: x is undefined' }).message, 'Internal server error')
  })
})
