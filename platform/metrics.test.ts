import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Fastify from 'fastify'
import { boundedLabel, countedElsewhere, gaugeOf, serveMetrics } from './metrics.ts'
import { metricValue } from './testing.ts'

describe('Prometheus metrics', () => {
  it('keeps at most so many label values from clients, the rest as other', () => {
    const label = boundedLabel(2)
    assert.deepEqual(['a', 'b', 'c', 'a', 'd', 'b'].map(label), ['a', 'b', 'other', 'a', 'other', 'b'])
  })

  it('serves the text format with the process, every request by route pattern, and numbers read at scrape time', async () => {
    const app = Fastify()
    const registry = serveMetrics(app, 'demo')
    let hits = 3
    countedElsewhere(registry, { name: 'demo_hits_total', help: 'hits', labelNames: ['kind'] }, () => [[{ kind: 'page' }, hits]])
    gaugeOf(registry, { name: 'demo_backlog', help: 'backlog' }, async () => [[{}, 7]])
    app.get('/items/:id', async () => ({ ok: true }))
    await app.inject({ url: '/items/1' })
    await app.inject({ url: '/items/2' })
    await app.inject({ url: '/nowhere/at/all' })
    hits = 5
    const response = await app.inject({ url: '/metrics' })
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/)
    const text = response.body
    assert.ok((metricValue(text, 'process_cpu_user_seconds_total', { service: 'demo' }) ?? 0) > 0)
    assert.equal(metricValue(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/items/:id', status_code: '200', service: 'demo' }), 2)
    assert.equal(metricValue(text, 'http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' }), 1)
    assert.doesNotMatch(text, /nowhere/)
    assert.equal(metricValue(text, 'demo_hits_total', { kind: 'page', service: 'demo' }), 5)
    assert.equal(metricValue(text, 'demo_backlog', { service: 'demo' }), 7)
    assert.equal(metricValue(text, 'demo_backlog', { service: 'other' }), undefined)
    await app.close()
  })
})
