/**
 * The GraphQL-over-HTTP conformance audit of graphql-http (`auditServer`, the spec's own test
 * suite) against a listening gateway, in each mode it runs in. Every audit is pinned: the ones
 * that do not pass are listed with the reason, so a change in either direction is seen. The counts
 * per mode are printed as test diagnostics (ok / notice = MAY / warn = SHOULD / error = MUST).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it, type TestContext } from 'node:test'
import { auditServer, type AuditResult } from 'graphql-http'
import { signToken } from '../../gateway/auth.ts'
import type { Config } from '../../platform/config.ts'
import { asStaff, startStack, type Stack } from '../stack.ts'

type Status = AuditResult['status']

interface Audited {
  readonly counts: Readonly<Record<Status, number>>
  /** Every audit that did not pass: its status, and the error code of the answer that failed it. */
  readonly failed: ReadonlyMap<string, { readonly status: Status; readonly name: string; readonly code: unknown; readonly message: unknown }>
}

async function audit(url: string, token?: string): Promise<Audited> {
  // a viewer's token on every audit request, where a mode's answer depends on who asks
  const fetchFn = (input: string, init: RequestInit = {}) =>
    fetch(input, token ? { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } } : init)
  const results = await auditServer({ url, fetchFn })
  const counts: Record<Status, number> = { ok: 0, notice: 0, warn: 0, error: 0 }
  const failed = new Map<string, { status: Status; name: string; code: unknown; message: unknown }>()
  for (const result of results) {
    counts[result.status]++
    if (result.status === 'ok') continue
    const text = await result.response.text()
    let error: { message?: unknown; extensions?: { code?: unknown } } | undefined
    try {
      error = (JSON.parse(text) as { errors?: (typeof error)[] }).errors?.[0]
    } catch {
      error = undefined
    }
    failed.set(result.id, { status: result.status, name: result.name, code: error?.extensions?.code, message: error?.message })
  }
  return { counts, failed }
}

function report(t: TestContext, mode: string, { counts, failed }: Audited): void {
  t.diagnostic(`graphql-http audit, ${mode}: ${counts.ok} ok, ${counts.notice} notice (MAY), ${counts.warn} warn (SHOULD), ${counts.error} error (MUST)`)
  for (const [id, { status, name, code }] of failed) t.diagnostic(`  ${status} ${id} ${name}: ${String(code)}`)
}

/** Ids of the audits that did not pass, by status. */
const failedIds = ({ failed }: Audited) => {
  const byStatus: Partial<Record<Status, string[]>> = {}
  for (const [id, { status }] of failed) (byStatus[status] ??= []).push(id)
  return byStatus
}

function listening(gatewayConfig: Partial<Config>): { stack: () => Stack; url: () => string } {
  let stack: Stack | undefined
  let url = ''
  before(async () => {
    stack = await startStack({ bus: false, gatewayConfig })
    await stack.gateway.listen({ host: '127.0.0.1', port: 0 })
    const address = stack.gateway.server.address()
    if (!address || typeof address === 'string') throw new Error('no port')
    url = `http://127.0.0.1:${address.port}/graphql`
  })
  after(() => stack?.close())
  return { stack: () => stack!, url: () => url }
}

/** The audits whose requests query `__type` (2EA1, 28B9, D6D5, 6A70): introspection, which production runs for staff only. */
const INTROSPECTING = { warn: ['2EA1'], error: ['28B9'], notice: ['D6D5', '6A70'] }

describe('graphql-http audit: development (TRUSTED_DOCUMENTS=log)', () => {
  const { url } = listening({ nodeEnv: 'development' })

  it('passes every audit: each MUST, SHOULD and MAY', async (t) => {
    const audited = await audit(url())
    report(t, 'development', audited)
    assert.deepEqual(failedIds(audited), {}, JSON.stringify([...audited.failed]))
    assert.equal(audited.counts.ok, 61)
  })
})

describe('graphql-http audit: production, TRUSTED_DOCUMENTS=off', () => {
  const { stack, url } = listening({ nodeEnv: 'production', trustedDocuments: 'off' })

  it('passes every audit for staff', async (t) => {
    const audited = await audit(url(), await signToken(asStaff, stack().config))
    report(t, 'production, TRUSTED_DOCUMENTS=off, staff', audited)
    assert.deepEqual(failedIds(audited), {}, JSON.stringify([...audited.failed]))
  })

  it('fails, for anyone else, only the audits that query __type: introspection is refused outside staff', async (t) => {
    const audited = await audit(url())
    report(t, 'production, TRUSTED_DOCUMENTS=off, anonymous', audited)
    assert.deepEqual(failedIds(audited), INTROSPECTING, JSON.stringify([...audited.failed]))
    for (const [id, { code, message }] of audited.failed) {
      assert.equal(code, 'GRAPHQL_VALIDATION_FAILED', id)
      assert.match(String(message), /introspection is not allowed/, id)
    }
  })
})

describe('graphql-http audit: production, TRUSTED_DOCUMENTS=enforce', () => {
  const { url } = listening({ nodeEnv: 'production', trustedDocuments: 'enforce' })

  it('fails only the audits that need a free-form document to run, each refused with PERSISTED_QUERY_REQUIRED', async (t) => {
    const audited = await audit(url())
    report(t, 'production, TRUSTED_DOCUMENTS=enforce', audited)
    // the audits send documents of their own; enforce runs manifest operations only. Those that
    // pass either check a refusal (400 for a parse error, a GET mutation, malformed parameters) or
    // only the status and media type of an application/json answer, which is 200 for a refusal
    assert.deepEqual(
      failedIds(audited),
      {
        warn: ['22EB', '34A2', '8161', '94B0', '94B1', '94B2', '2EA1', '428F'],
        error: ['13EE', 'B8B3', '0220', '0221', '0222', '28B9', '1B7A'],
        notice: ['D6D5', '6A70'],
      },
      JSON.stringify([...audited.failed]),
    )
    for (const [id, { code }] of audited.failed) assert.equal(code, 'PERSISTED_QUERY_REQUIRED', id)
  })
})
