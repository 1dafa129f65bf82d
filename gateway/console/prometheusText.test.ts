import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { labelValues, parseExposition, sumOf } from './prometheusText.ts'

const TEXT = `# HELP events_consumed_total Event deliveries
# TYPE events_consumed_total counter
events_consumed_total{consumer="inventory.order-events",outcome="applied",service="inventory"} 12
events_consumed_total{consumer="inventory.order-events",outcome="retry",service="inventory"} 2
events_consumed_total{consumer="inventory.returns",outcome="applied",service="inventory"} 3
outbox_unpublished_events{service="inventory"} 4
event_consumer_lag_seconds_bucket{le="+Inf",consumer="inventory.order-events",service="inventory"} 12
odd_label{path="a \\"quoted\\" \\\\ value"} 1 1700000000000
not a sample line
`

describe('reading a Prometheus text exposition', () => {
  const samples = parseExposition(TEXT)

  it('reads every sample with its labels, skipping comments and malformed lines', () => {
    assert.equal(samples.length, 6)
    assert.deepEqual(samples[0], { name: 'events_consumed_total', labels: { consumer: 'inventory.order-events', outcome: 'applied', service: 'inventory' }, value: 12 })
    assert.equal(samples.find((s) => s.name === 'event_consumer_lag_seconds_bucket')?.labels['le'], '+Inf')
    assert.equal(samples.find((s) => s.name === 'odd_label')?.labels['path'], 'a "quoted" \\ value')
  })

  it('sums the samples matching some labels, and lists a label\'s values', () => {
    assert.equal(sumOf(samples, 'events_consumed_total'), 17)
    assert.equal(sumOf(samples, 'events_consumed_total', { outcome: 'applied' }), 15)
    assert.equal(sumOf(samples, 'events_consumed_total', { consumer: 'inventory.order-events', outcome: 'retry' }), 2)
    assert.equal(sumOf(samples, 'missing_metric'), 0)
    assert.deepEqual(labelValues(samples, 'events_consumed_total', 'consumer'), ['inventory.order-events', 'inventory.returns'])
  })
})
