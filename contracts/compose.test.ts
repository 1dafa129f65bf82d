import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { composeFromConfig, formatProblems } from './compose.ts'

describe('composeFromConfig', () => {
  it('composes the four subgraphs of supergraph.yaml', () => {
    const result = composeFromConfig('supergraph.yaml')
    assert.ok(result.ok)
    for (const name of ['CATALOG', 'INVENTORY', 'ORDERS', 'FINANCE']) assert.match(result.supergraphSdl, new RegExp(`${name} @join__graph`))
  })

  it('lists composition errors with the service, the code and the message', () => {
    // finance extends Order with a field whose type conflicts with the orders subgraph's
    const finance = readFileSync('subgraphs/finance/schema.graphql', 'utf8').replace(/financialStatus: FinancialStatus\b/, 'financialStatus: FinancialStatus\n  currency: Int!')
    const result = composeFromConfig('supergraph.yaml', { finance })
    assert.equal(result.ok, false)
    if (result.ok) return
    const problem = result.problems.find((p) => p.message.includes('Order.currency'))
    assert.ok(problem, formatProblems(result.problems))
    assert.match(problem.service, /finance|orders/)
    assert.match(problem.code, /^[A-Z_]+$/)
    assert.match(formatProblems(result.problems), /^1\. \[[a-z, ]+\] [A-Z_]+: /)
  })

  it('names the subgraph whose schema does not parse', () => {
    const result = composeFromConfig('supergraph.yaml', { catalog: 'type Query {' })
    assert.deepEqual(result.ok ? null : result.problems.map((p) => [p.service, p.code]), [['catalog', 'INVALID_GRAPHQL']])
  })
})
