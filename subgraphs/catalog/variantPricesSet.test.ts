import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { requestHash } from '../../platform/idempotency.ts'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import type { Viewer } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { catalog } from './subgraph.ts'
import { variantPricesSetRequest } from './mutations/variantPricesSet.ts'

const world = buildWorld()

const SET = `mutation ($input: VariantPricesSetInput!) {
  variantPricesSet(input: $input) {
    variant { id sku }
    userErrors { code field message }
  }
}`

const PRICES = `query ($sku: String!, $channelId: ID, $at: DateTime) {
  variant(sku: $sku) {
    usd: price(currency: "USD", channelId: $channelId, at: $at) { id amount { minorUnits } compareAtAmount { minorUnits } channelId taxIncluded validFrom validUntil }
    eur: price(currency: "EUR", channelId: $channelId, at: $at) { id amount { minorUnits } }
    product { id }
  }
}`

const usd = (minorUnits: string) => ({ minorUnits, currency: 'USD' })
const eur = (minorUnits: string) => ({ minorUnits, currency: 'EUR' })
const listPriceId = (sku: string, currency: string) =>
  world.prices.find((p) => p.sku === sku && p.currency === currency && p.validFrom === null)!.id

describe('variantPricesSet', () => {
  let t: SubgraphTestApp
  let keys = 0
  before(async () => {
    t = await openSubgraphTestApp(catalog)
  })
  after(() => t.close())

  const set = async (input: Record<string, unknown>, who: Viewer = staff()) => {
    const { data, errors } = await execute(t.app, SET, { input: { idempotencyKey: `key_${++keys}`, ...input } }, who)
    return { payload: data?.['variantPricesSet'], errors }
  }
  const pricesOf = async (sku: string, variables: Record<string, unknown> = {}) => {
    const { data, errors } = await execute(t.app, PRICES, { sku, ...variables }, staff())
    assert.equal(errors, undefined, JSON.stringify(errors))
    return data?.['variant']
  }

  describe('success', () => {
    it('replaces the default USD prices and leaves EUR alone', async () => {
      const sku = 'APP-0010-M' // has a list price and a scheduled change in USD
      const { payload } = await set({ sku, prices: [{ amount: usd('5000'), compareAtAmount: usd('6000'), taxIncluded: false }] })
      assert.deepEqual(payload, { variant: { id: 'var_0010_2', sku }, userErrors: [] })
      const now = await pricesOf(sku)
      assert.equal(now.usd.amount.minorUnits, '5000')
      assert.equal(now.usd.compareAtAmount.minorUnits, '6000')
      assert.match(now.usd.id, /^price_/)
      assert.notEqual(now.usd.id, listPriceId(sku, 'USD'))
      assert.equal(now.eur.id, listPriceId(sku, 'EUR'))
      // the scheduled change of the same pair was replaced too
      const later = await pricesOf(sku, { at: '2027-12-01T00:00:00Z' })
      assert.equal(later.usd.id, now.usd.id)
    })

    it('appends VariantPricesChanged with the complete price list in the same transaction', async () => {
      const sku = 'APP-0001-S'
      const { payload } = await set({ sku, prices: [{ amount: usd('4242'), taxIncluded: false }] })
      assert.deepEqual(payload.userErrors, [])
      const { rows } = await t.test.db.query<{ type: string; aggregate_id: string; payload: any }>(
        `select type, aggregate_id, payload from catalog.outbox where aggregate_id = $1 order by position`,
        [sku],
      )
      assert.equal(rows.length, 1)
      assert.equal(rows[0]?.type, 'VariantPricesChanged')
      const event = rows[0]?.payload
      assert.equal(event.sku, sku)
      assert.equal(event.productTitle, 'Classic Tee 001')
      assert.equal(event.variantTitle, 'S')
      assert.deepEqual(
        event.prices.map((p: any) => [p.currency, p.amount, p.channelId, p.taxIncluded]),
        [['EUR', String(world.prices.find((p) => p.sku === sku && p.currency === 'EUR')!.amount), null, true], ['USD', '4242', null, false]],
      )
    })

    it('appends no event when the request is refused', async () => {
      const before = (await t.test.db.query(`select 1 from catalog.outbox`)).rowCount
      const { payload } = await set({ sku: 'NO-SUCH-SKU', prices: [{ amount: usd('1'), taxIncluded: false }] })
      assert.equal(payload.userErrors[0].code, 'NOT_FOUND')
      assert.equal((await t.test.db.query(`select 1 from catalog.outbox`)).rowCount, before)
    })

    it('adds channel prices that win over the default, without touching the default', async () => {
      const sku = 'APP-0001-L'
      await set({ sku, prices: [{ amount: usd('3900'), channelId: 'ch_pos', taxIncluded: false }] })
      const inChannel = await pricesOf(sku, { channelId: 'ch_pos' })
      assert.equal(inChannel.usd.amount.minorUnits, '3900')
      assert.equal(inChannel.usd.channelId, 'ch_pos')
      assert.equal(inChannel.eur.id, listPriceId(sku, 'EUR'), 'no channel price in EUR: the default applies')
      assert.equal((await pricesOf(sku)).usd.id, listPriceId(sku, 'USD'))
    })

    it('stores consecutive validity windows, each effective in its own time', async () => {
      const sku = 'FTW-0045-41'
      const { payload } = await set({
        sku,
        prices: [
          { amount: eur('9000'), taxIncluded: true, validUntil: '2027-01-01T00:00:00Z' },
          { amount: eur('8000'), taxIncluded: true, validFrom: '2027-01-01T00:00:00Z', validUntil: '2027-02-01T00:00:00Z' },
          { amount: eur('9500'), taxIncluded: true, validFrom: '2027-02-01T00:00:00Z' },
        ],
      })
      assert.deepEqual(payload.userErrors, [])
      const at = async (instant: string) => (await pricesOf(sku, { at: instant })).eur.amount.minorUnits
      assert.equal(await at('2026-12-31T23:59:59Z'), '9000')
      assert.equal(await at('2027-01-01T00:00:00Z'), '8000')
      assert.equal(await at('2027-01-31T12:00:00Z'), '8000')
      assert.equal(await at('2027-02-01T00:00:00Z'), '9500')
    })

    it("bumps the product's updatedAt", async () => {
      const sku = 'HOM-0090-SLATE'
      const since = new Date().toISOString()
      const UPDATED = `query ($since: DateTime) { products(first: 100, filter: { updatedSince: $since }) { nodes { id } } }`
      assert.deepEqual((await execute(t.app, UPDATED, { since })).data?.['products'].nodes, [])
      await set({ sku, prices: [{ amount: usd('1000'), taxIncluded: false }] })
      assert.deepEqual((await execute(t.app, UPDATED, { since })).data?.['products'].nodes, [{ id: 'prod_0090' }])
    })
  })

  describe('userErrors', () => {
    const sku = 'ELC-0133-BLACK'
    const rejects = async (input: Record<string, unknown>, expected: { code: string; field: string[] }[]) => {
      const { payload, errors } = await set(input)
      assert.equal(errors, undefined)
      assert.equal(payload.variant, null)
      assert.deepEqual(
        payload.userErrors.map(({ code, field }: { code: string; field: string[] }) => ({ code, field })),
        expected,
      )
      assert.equal((await pricesOf(sku)).usd.id, listPriceId(sku, 'USD'), 'nothing was written')
    }
    const ok = { amount: usd('1000'), taxIncluded: false }

    it('reports an unknown sku at input.sku', async () => {
      await rejects({ sku: 'NOPE-1', prices: [ok] }, [{ code: 'NOT_FOUND', field: ['input', 'sku'] }])
    })

    it('reports a currency that is not enabled at its amount', async () => {
      await rejects({ sku, prices: [ok, { amount: { minorUnits: '1000', currency: 'GBP' }, taxIncluded: true }] }, [
        { code: 'CURRENCY_NOT_ENABLED', field: ['input', 'prices', '1', 'amount', 'currency'] },
      ])
    })

    it('reports a negative amount', async () => {
      await rejects({ sku, prices: [{ amount: usd('-1'), taxIncluded: false }] }, [
        { code: 'INVALID', field: ['input', 'prices', '0', 'amount', 'minorUnits'] },
      ])
    })

    it('reports a compare-at amount in another currency or below the amount', async () => {
      await rejects(
        {
          sku,
          prices: [
            { amount: usd('1000'), compareAtAmount: eur('2000'), taxIncluded: false },
            { amount: eur('1000'), compareAtAmount: eur('999'), taxIncluded: true },
          ],
        },
        [
          { code: 'INVALID', field: ['input', 'prices', '0', 'compareAtAmount', 'currency'] },
          { code: 'INVALID', field: ['input', 'prices', '1', 'compareAtAmount', 'minorUnits'] },
        ],
      )
    })

    it('reports a window that ends before it starts', async () => {
      await rejects({ sku, prices: [{ ...ok, validFrom: '2027-01-01T00:00:00Z', validUntil: '2027-01-01T00:00:00Z' }] }, [
        { code: 'INVALID', field: ['input', 'prices', '0', 'validUntil'] },
      ])
    })

    it('reports an empty price list', async () => {
      await rejects({ sku, prices: [] }, [{ code: 'INVALID', field: ['input', 'prices'] }])
    })

    it('reports overlapping windows of the same currency and channel', async () => {
      await rejects(
        {
          sku,
          prices: [
            { ...ok, validUntil: '2027-03-01T00:00:00Z' },
            { ...ok, channelId: 'ch_pos' }, // another channel: no clash
            { ...ok, validFrom: '2027-02-01T00:00:00Z' },
          ],
        },
        [{ code: 'OVERLAPPING_VALIDITY', field: ['input', 'prices', '2', 'validFrom'] }],
      )
    })

    it('reports every problem at once, the unknown sku first', async () => {
      await rejects({ sku: 'NOPE-2', prices: [{ amount: usd('-5'), taxIncluded: false }] }, [
        { code: 'NOT_FOUND', field: ['input', 'sku'] },
        { code: 'INVALID', field: ['input', 'prices', '0', 'amount', 'minorUnits'] },
      ])
    })
  })

  describe('idempotency', () => {
    const sku = 'OUT-0180-SMALL'
    const input = (idempotencyKey: string, minorUnits: string) => ({
      idempotencyKey,
      sku,
      prices: [{ amount: usd(minorUnits), taxIncluded: false, validFrom: '2026-01-01T00:00:00Z' }],
    })
    const send = async (variables: Record<string, unknown>, who: Viewer = staff()) =>
      (await execute(t.app, SET, { input: variables }, who)).data?.['variantPricesSet']

    it('replays the same request without writing twice', async () => {
      const first = await send(input('replay-1', '4100'))
      const priceId = (await pricesOf(sku)).usd.id
      const second = await send(input('replay-1', '4100'))
      assert.deepEqual(second, first)
      assert.deepEqual(first.userErrors, [])
      assert.equal((await pricesOf(sku)).usd.id, priceId, 'the replay created no new price')
    })

    it('refuses the same key with another input', async () => {
      await send(input('reuse-1', '4200'))
      const reused = await send(input('reuse-1', '4300'))
      assert.deepEqual(reused, {
        variant: null,
        userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'], message: reused.userErrors[0].message }],
      })
      assert.equal((await pricesOf(sku)).usd.amount.minorUnits, '4200')
    })

    it('tells windows apart in the request hash', async () => {
      await send(input('window-1', '4400'))
      const otherWindow = { ...input('window-1', '4400'), prices: [{ amount: usd('4400'), taxIncluded: false, validFrom: '2026-02-01T00:00:00Z' }] }
      assert.equal((await send(otherWindow)).userErrors[0]?.code, 'IDEMPOTENCY_KEY_REUSED')
    })

    it('lets a request that returned userErrors be fixed and retried with the same key', async () => {
      const failed = await send(input('retry-1', '-1'))
      assert.equal(failed.userErrors[0].code, 'INVALID')
      const fixed = await send(input('retry-1', '4500'))
      assert.deepEqual(fixed.userErrors, [])
      assert.equal((await pricesOf(sku)).usd.amount.minorUnits, '4500')
    })

    it('scopes keys to the viewer', async () => {
      await send(input('scoped-1', '4600'), staff('staff_a'))
      const other = await send(input('scoped-1', '4700'), staff('staff_b'))
      assert.deepEqual(other.userErrors, [])
      assert.equal((await pricesOf(sku)).usd.amount.minorUnits, '4700')
    })

    it('answers IDEMPOTENCY_CONCURRENT_REQUEST while the first request with the key runs', async () => {
      const running = input('running-1', '4800')
      const parsed = { ...running, prices: running.prices.map((p) => ({ ...p, validFrom: new Date(p.validFrom) })) }
      await t.test.db.query(
        `insert into catalog.idempotency_keys (scope, key, operation, request_hash, state, locked_until)
         values ($1, $2, 'variantPricesSet', $3, 'in_flight', now() + interval '1 minute')`,
        ['staff_1', 'running-1', requestHash('variantPricesSet', variantPricesSetRequest(parsed))],
      )
      assert.deepEqual(await send(running), {
        variant: null,
        userErrors: [
          { code: 'IDEMPOTENCY_CONCURRENT_REQUEST', field: ['input', 'idempotencyKey'], message: (await send(running)).userErrors[0].message },
        ],
      })
    })
  })

  describe('authorization', () => {
    const sku = 'APP-0002-S'
    const input = { sku, prices: [{ amount: usd('1'), taxIncluded: false }] }

    it('refuses anonymous viewers with UNAUTHENTICATED and customers with FORBIDDEN, writing nothing', async () => {
      for (const [who, code] of [
        [undefined, 'UNAUTHENTICATED'],
        [customer('c_1001'), 'FORBIDDEN'],
      ] as const) {
        const { data, errors } = await execute(t.app, SET, { input: { idempotencyKey: `auth_${code}`, ...input } }, who)
        assert.equal(data, null)
        assert.equal(errors?.[0]?.extensions?.['code'], code)
        assert.deepEqual(errors?.[0]?.path, ['variantPricesSet'])
      }
      assert.equal((await pricesOf(sku)).usd.id, listPriceId(sku, 'USD'))
    })
  })
})
