import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { signToken, type TokenClaims } from '../gateway/auth.ts'
import type { Queryable } from '../platform/db.ts'
import { newFeedId } from '../subgraphs/inventory/partnerFeeds/receiveFeed.ts'
import { applyLevelChangesOrThrow } from '../subgraphs/inventory/store/levelChangeStore.ts'
import { insertFeed } from '../subgraphs/inventory/store/partnerFeedStore.ts'
import { feedSignedBody, PARTNER_FEED_CONTENT_TYPE, PARTNER_FEEDS_PATH } from '../platform/partnerFeedRequest.ts'
import { signViewer, VIEWER_HEADER, type Viewer } from '../platform/viewer.ts'
import { asStaff, query, stackForTests, startStack, type Stack } from './stack.ts'
import { testConfig } from '../platform/testing.ts'
import { feedCost } from '../gateway/partnerFeeds.ts'

const sample = (name: string) => readFileSync(new URL(`../subgraphs/inventory/feeds/samples/${name}`, import.meta.url))
const partner = (sub: string, extra: Partial<TokenClaims> = {}): TokenClaims => ({ sub, roles: ['partner'], scopes: ['feeds:write'], ...extra })

interface FeedAnswer {
  id: string
  status: string
  contentHash: string
  duplicateOf: string | null
  rowErrors: { row: number; line: number | null; column: string | null; code: string; reason: string }[]
  rowErrorCount: number
  summary: { idempotencyKey: string; referenceDocumentUri: string; changeCount: number; changes: { sku: string; locationId: string; name: string; delta: number }[]; skippedReferences: string[] } | null
}

async function send(stack: Stack, kind: string, content: Buffer | string, auth: TokenClaims | null, contentType = 'text/csv') {
  const token = auth ? await signToken(auth, stack.config) : null
  const response = await stack.gateway.inject({
    method: 'POST',
    url: `/partner/feeds/${kind}`,
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: content,
  })
  const body = response.json() as { feed?: FeedAnswer; errors?: { message: string; extensions: Record<string, unknown> }[] }
  return { status: response.statusCode, body, feed: body.feed as FeedAnswer }
}

type Level = Record<'available' | 'committed' | 'reserved' | 'damaged' | 'safety_stock' | 'quality_control', number> & { on_hand: number }
async function levelsOf(db: Queryable, keys: readonly string[]): Promise<Record<string, Level>> {
  const { rows } = await db.query<Level & { key: string }>(
    `select sku || '@' || location_id as key, available, committed, reserved, damaged, safety_stock, quality_control,
            available + committed + reserved + damaged + safety_stock + quality_control as on_hand
     from inventory.inventory_levels where sku || '@' || location_id = any($1::text[])`,
    [keys],
  )
  return Object.fromEntries(rows.map(({ key, ...level }) => [key, level]))
}

const count = async (db: Queryable, sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params)).rows[0]!.n

const MAPPING = `query ($partnerId: ID!, $kind: PartnerFeedKind!) {
  partnerFeedMapping(partnerId: $partnerId, kind: $kind) {
    status mapping confidence ready unmappedRequired headers
    fields { field required column transform confidence candidates { column confidence } }
    review { field reason blocking }
  }
}`
const APPROVE = `mutation ($input: PartnerFeedMappingApproveInput!) {
  partnerFeedMappingApprove(input: $input) {
    mapping { status approvedBy }
    appliedFeeds { id status rowErrorCount rowErrors { row line column code reason } summary { reason records changeCount changes { sku locationId name delta } skippedReferences } adjustmentGroup { id } }
    userErrors { code field message }
  }
}`
const FEEDS = `query ($filter: PartnerFeedFilter) { partnerFeeds(filter: $filter, first: 50) { nodes { id partnerId status } } }`
const FEED = `query ($id: ID!) { partnerFeed(id: $id) { id status duplicateOf { id } rowErrorCount summary { idempotencyKey } } }`

let keys = 0
const approve = (stack: Stack, partnerId: string, kind: string, mapping?: unknown) =>
  query(stack, APPROVE, { input: { idempotencyKey: `approve-${++keys}`, partnerId, kind, ...(mapping === undefined ? {} : { mapping: JSON.stringify(mapping) }) } }, asStaff)

/** What a reviewer does with a proposal whose location column holds the partner's codes. */
function withLocationCodes(mappingJson: string, codes: Record<string, string>) {
  const mapping = JSON.parse(mappingJson) as { fields: Record<string, { transform: unknown }> }
  mapping.fields['locationId']!.transform = { kind: 'location', codes }
  return mapping
}

describe('partner feeds through the gateway (POST /partner/feeds/<kind>)', () => {
  const stack = stackForTests()
  const db = () => stack.databases.inventory

  it('refuses a missing or invalid token, a token without the partner role or feeds:write, an unknown kind and another media type', async () => {
    const file = sample('3pl-stock-snapshot.csv')
    const cases: [number, string, Awaited<ReturnType<typeof send>>][] = [
      [401, 'UNAUTHENTICATED', await send(stack, 'stock-snapshot', file, null)],
      [403, 'FORBIDDEN', await send(stack, 'stock-snapshot', file, { sub: 'cus_1', roles: ['customer'], scopes: ['feeds:write'] })],
      [403, 'FORBIDDEN', await send(stack, 'stock-snapshot', file, partner('partner_x', { scopes: ['stock:read'] }))],
      [400, 'BAD_USER_INPUT', await send(stack, 'price-list', file, partner('partner_x'))],
      [415, 'BAD_REQUEST', await send(stack, 'stock-snapshot', file, partner('partner_x'), 'application/xml')],
    ]
    for (const [status, code, answer] of cases) {
      assert.equal(answer.status, status, JSON.stringify(answer.body))
      assert.equal(answer.body.errors?.[0]?.extensions['code'], code)
    }
    const bad = await stack.gateway.inject({ method: 'POST', url: '/partner/feeds/stock-snapshot', headers: { 'content-type': 'text/csv', authorization: 'Bearer a.b.c' }, payload: file })
    assert.equal(bad.statusCode, 401)
    assert.equal(await count(db(), 'inventory.partner_feeds'), 0)
  })

  it('answers a malformed file with its feed code and line, and stores nothing', async () => {
    const answer = await send(stack, 'stock-snapshot', 'sku,location,qty\nAPP-0001-S,loc_wh_eu,12\nAPP-0001-M,loc_wh_eu,"4\nAPP-0002-L,loc_wh_eu,1\n', partner('partner_x'))
    assert.equal(answer.status, 400)
    assert.deepEqual(answer.body.errors?.[0]?.extensions, { code: 'BAD_USER_INPUT', feedCode: 'FEED_MALFORMED', line: 3 })
    const json = await send(stack, 'stock-snapshot', '[\n{"sku": "A"},\n{"sku": "B",}\n]', partner('partner_x'), 'application/json')
    assert.deepEqual(json.body.errors?.[0]?.extensions, { code: 'BAD_USER_INPUT', feedCode: 'FEED_MALFORMED', line: 3 })
    const empty = await send(stack, 'stock-snapshot', '  \n', partner('partner_x'))
    assert.equal(empty.body.errors?.[0]?.extensions['feedCode'], 'FEED_EMPTY')
    const shape = await send(stack, 'stock-snapshot', '{"a": 1}', partner('partner_x'), 'application/json')
    assert.equal(shape.body.errors?.[0]?.extensions['feedCode'], 'FEED_UNSUPPORTED_SHAPE')
    assert.equal(await count(db(), 'inventory.partner_feeds'), 0)
  })

  it('refuses a file over PARTNER_FEED_MAX_BYTES before handing it on', async () => {
    const big = Buffer.alloc(stack.config.partnerFeedMaxBytes + 1, 'a')
    const answer = await send(stack, 'stock-snapshot', big, partner('partner_x'))
    assert.equal(answer.status, 413)
    assert.deepEqual(answer.body.errors?.[0]?.extensions, { code: 'PAYLOAD_TOO_LARGE', feedCode: 'FEED_TOO_LARGE' })
    assert.equal(await count(db(), 'inventory.partner_feeds'), 0)
  })

  describe("a 3PL's semicolon CSV counted in cases", () => {
    const touched = ['APP-0001-S@loc_wh_eu', 'APP-0001-M@loc_wh_eu', 'APP-0002-L@loc_wh_eu', 'FTW-0045-42@loc_wh_east', 'HOM-0089-SLATE@loc_wh_east', 'ELC-0133-BLACK@loc_wh_east']
    let first: FeedAnswer

    it('waits for its mapping, proposed with every canonical field found', async () => {
      const answer = await send(stack, 'stock-snapshot', sample('3pl-stock-snapshot.csv'), partner('partner_3pl'))
      assert.equal(answer.status, 202)
      first = answer.feed
      assert.equal(first.status, 'AWAITING_MAPPING')
      const { body } = await query(stack, MAPPING, { partnerId: 'partner_3pl', kind: 'STOCK_SNAPSHOT' }, asStaff)
      const mapping = body.data?.['partnerFeedMapping']
      assert.equal(mapping.status, 'PROPOSED')
      assert.deepEqual(mapping.unmappedRequired, [])
      const columns = Object.fromEntries(mapping.fields.map((f: { field: string; column: string | null }) => [f.field, f.column]))
      assert.deepEqual(columns, { sku: 'Item No.', locationId: 'Warehouse', quantity: 'Qty (cases)', asOf: 'Snapshot Date', quantityName: null, lot: null })
      for (const f of mapping.fields.filter((f: { required: boolean }) => f.required)) assert.ok(f.confidence >= 0.75, `${f.field} ${f.confidence}`)
      assert.equal(mapping.ready, false)
      assert.deepEqual(mapping.review.filter((r: { blocking: boolean }) => r.blocking).map((r: { field: string }) => r.field), ['locationId'])
    })

    it('is not approved while the blocking note stands, then applies as ON_HAND counts on approval', async () => {
      const refused = await approve(stack, 'partner_3pl', 'STOCK_SNAPSHOT')
      assert.deepEqual(refused.body.data?.['partnerFeedMappingApprove'].userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [['FEED_MAPPING_NOT_READY', ['input', 'mapping']]])
      const { body } = await query(stack, MAPPING, { partnerId: 'partner_3pl', kind: 'STOCK_SNAPSHOT' }, asStaff)
      const unknownCode = await approve(stack, 'partner_3pl', 'STOCK_SNAPSHOT', withLocationCodes(body.data?.['partnerFeedMapping'].mapping, { RTM: 'loc_nowhere' }))
      assert.equal(unknownCode.body.data?.['partnerFeedMappingApprove'].userErrors[0].code, 'FEED_MAPPING_INVALID')

      const groups = await count(db(), 'inventory.adjustment_groups')
      const approved = await approve(stack, 'partner_3pl', 'STOCK_SNAPSHOT', withLocationCodes(body.data?.['partnerFeedMapping'].mapping, { RTM: 'loc_wh_eu', NJ1: 'loc_wh_east' }))
      const payload = approved.body.data?.['partnerFeedMappingApprove']
      assert.deepEqual(payload.userErrors, [])
      assert.deepEqual(payload.mapping, { status: 'APPROVED', approvedBy: 'staff_1' })
      assert.deepEqual(payload.appliedFeeds.map((f: { id: string; status: string }) => [f.id, f.status]), [[first.id, 'APPLIED']])
      assert.equal(payload.appliedFeeds[0].summary.reason, 'CYCLE_COUNT')
      assert.equal(await count(db(), 'inventory.adjustment_groups'), groups + 1)

      const after = await levelsOf(db(), touched)
      assert.deepEqual(touched.map((key) => after[key]!.on_hand), [72, 30, 0, 28, 240, 30])
      // every level the file changed published its StockLevelChanged, with the file as the reference
      const changedLevels = new Set(payload.appliedFeeds[0].summary.changes.map((c: { sku: string; locationId: string }) => `${c.sku}@${c.locationId}`))
      const uri = `gid://partner/partner_3pl/Feed/${first.contentHash}`
      assert.equal(await count(db(), `inventory.outbox where type = 'StockLevelChanged' and payload->>'referenceDocumentUri' = $1`, [uri]), changedLevels.size)
    })

    it('is a DUPLICATE when sent again, and nothing changes', async () => {
      const before = await levelsOf(db(), touched)
      const groups = await count(db(), 'inventory.adjustment_groups')
      const answer = await send(stack, 'stock-snapshot', sample('3pl-stock-snapshot.csv'), partner('partner_3pl'))
      assert.equal(answer.status, 200)
      assert.equal(answer.feed.status, 'DUPLICATE')
      assert.equal(answer.feed.duplicateOf, first.id)
      assert.deepEqual(await levelsOf(db(), touched), before)
      assert.equal(await count(db(), 'inventory.adjustment_groups'), groups)
    })

    it('rejects a file with bad rows as a whole, every row with its reason, and changes nothing', async () => {
      const before = await levelsOf(db(), touched)
      const groups = await count(db(), 'inventory.adjustment_groups')
      const answer = await send(stack, 'stock-snapshot', sample('3pl-stock-snapshot-broken.csv'), partner('partner_3pl'))
      assert.equal(answer.status, 200)
      assert.equal(answer.feed.status, 'REJECTED')
      assert.deepEqual(answer.feed.rowErrors.map((e) => [e.row, e.line, e.code, e.column]), [
        [2, 3, 'UNKNOWN_SKU', 'Item No.'],
        [3, 4, 'INVALID_QUANTITY', 'Qty (cases)'],
        [4, 5, 'INVALID_DATE', 'Snapshot Date'],
        [5, 6, 'DUPLICATE_LEVEL', 'Item No.'],
        [6, 7, 'UNKNOWN_LOCATION', 'Warehouse'],
        [7, 8, 'INVALID_QUANTITY', 'Qty (cases)'],
        [8, 9, 'INVALID_QUANTITY', 'Qty (cases)'],
      ])
      assert.ok(answer.feed.rowErrors.every((e) => e.reason.length > 0))
      assert.equal(answer.feed.rowErrorCount, 7)
      assert.equal(answer.feed.summary, null)
      assert.deepEqual(await levelsOf(db(), touched), before)
      assert.equal(await count(db(), 'inventory.adjustment_groups'), groups)
    })

    it('applies a later file at once with the approved mapping', async () => {
      const next = sample('3pl-stock-snapshot.csv').toString('utf8').replace('APP-0001-S;"Classic Tee 001; size S";RTM;12;6', 'APP-0001-S;"Classic Tee 001; size S";RTM;13;6')
      const answer = await send(stack, 'stock-snapshot', next, partner('partner_3pl'))
      assert.equal(answer.status, 200)
      assert.equal(answer.feed.status, 'APPLIED')
      assert.deepEqual(answer.feed.summary?.changes, [{ sku: 'APP-0001-S', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: 6 }])
      assert.equal((await levelsOf(db(), ['APP-0001-S@loc_wh_eu']))['APP-0001-S@loc_wh_eu']!.on_hand, 78)
    })

    it('rejects a later file the approved mapping cannot read, naming why', async () => {
      const answer = await send(stack, 'stock-snapshot', 'Item No.;Warehouse;Qty (cases);Snapshot Date\nAPP-0001-S;RTM;12;30/09/2026\n', partner('partner_3pl'))
      assert.equal(answer.feed.status, 'REJECTED')
      const { body } = await query(stack, `query ($id: ID!) { partnerFeed(id: $id) { status rowErrorCount fileError { code problems } } }`, { id: answer.feed.id }, partner('partner_3pl'))
      assert.deepEqual(body.data?.['partnerFeed'], {
        status: 'REJECTED',
        rowErrorCount: 0,
        fileError: { code: 'FEED_MAPPING_INVALID', problems: ["quantity takes its pack size from column 'Pack Size', which the file does not have"] },
      })
    })

    it('refuses an edited mapping that is not JSON, not readable, or reads a column the file lacks', async () => {
      // approving what is approved again, as it stands, is no error (and finds no file waiting)
      const again = await approve(stack, 'partner_3pl', 'STOCK_SNAPSHOT')
      assert.deepEqual(again.body.data?.['partnerFeedMappingApprove'], { mapping: { status: 'APPROVED', approvedBy: 'staff_1' }, appliedFeeds: [], userErrors: [] })
      const garbled = await query(stack, APPROVE, { input: { idempotencyKey: 'garbled', partnerId: 'partner_3pl', kind: 'STOCK_SNAPSHOT', mapping: '{"version": 1,' } }, asStaff)
      assert.deepEqual(garbled.body.data?.['partnerFeedMappingApprove'].userErrors, [{ code: 'FEED_MAPPING_INVALID', field: ['input', 'mapping'], message: 'the mapping is not JSON' }])
      const { body } = await query(stack, MAPPING, { partnerId: 'partner_3pl', kind: 'STOCK_SNAPSHOT' }, asStaff)
      const mapping = JSON.parse(body.data?.['partnerFeedMapping'].mapping)
      mapping.fields.sku.column = 'Article'
      mapping.fields.asOf.transform.format = 'someday'
      const wrong = await approve(stack, 'partner_3pl', 'STOCK_SNAPSHOT', mapping)
      assert.deepEqual(wrong.body.data?.['partnerFeedMappingApprove'].userErrors.map((e: { code: string; message: string }) => [e.code, e.message]), [
        ['FEED_MAPPING_INVALID', 'fields.asOf.transform.format must be one of ISO, DD/MM/YYYY, MM/DD/YYYY, EPOCH_SECONDS, EPOCH_MILLIS'],
      ])
      mapping.fields.asOf.transform.format = 'DD/MM/YYYY'
      const missing = await approve(stack, 'partner_3pl', 'STOCK_SNAPSHOT', mapping)
      assert.deepEqual(missing.body.data?.['partnerFeedMappingApprove'].userErrors.map((e: { code: string; message: string }) => [e.code, e.message]), [
        ['FEED_MAPPING_INVALID', "sku reads column 'Article', which the file does not have"],
      ])
      assert.equal(missing.body.data?.['partnerFeedMappingApprove'].mapping, null)
    })

    it('refuses rows at a location the sender\'s token does not cover', async () => {
      const next = sample('3pl-stock-snapshot.csv').toString('utf8').replace(';30/09/2026', ';01/10/2026')
      const answer = await send(stack, 'stock-snapshot', next, partner('partner_3pl', { locationIds: ['loc_wh_eu'] }))
      assert.equal(answer.feed.status, 'REJECTED')
      assert.deepEqual(answer.feed.rowErrors.map((e) => [e.row, e.code]), [[4, 'LOCATION_NOT_PERMITTED'], [5, 'LOCATION_NOT_PERMITTED'], [6, 'LOCATION_NOT_PERMITTED']])
    })
  })

  describe("a marketplace's nested JSON", () => {
    it('is proposed, approved with its fulfillment centers, and sets AVAILABLE to what is sellable', async () => {
      const answer = await send(stack, 'stock-snapshot', sample('marketplace-inventory.json'), partner('partner_market'), 'application/json')
      assert.equal(answer.feed.status, 'AWAITING_MAPPING')
      const { body } = await query(stack, MAPPING, { partnerId: 'partner_market', kind: 'STOCK_SNAPSHOT' }, asStaff)
      const columns = Object.fromEntries(body.data?.['partnerFeedMapping'].fields.map((f: { field: string; column: string | null }) => [f.field, f.column]))
      assert.deepEqual(columns, { sku: 'product.sku', locationId: 'fulfillment_center', quantity: 'quantity.sellable', asOf: 'updated_at', quantityName: null, lot: null })
      const approved = await approve(stack, 'partner_market', 'STOCK_SNAPSHOT', withLocationCodes(body.data?.['partnerFeedMapping'].mapping, { RTM1: 'loc_wh_eu', EWR2: 'loc_wh_east' }))
      assert.deepEqual(approved.body.data?.['partnerFeedMappingApprove'].appliedFeeds.map((f: { status: string }) => f.status), ['APPLIED'])
      const after = await levelsOf(db(), ['APP-0001-S@loc_wh_eu', 'APP-0001-M@loc_wh_eu', 'FTW-0045-42@loc_wh_east', 'OUT-0177-SMALL@loc_wh_east'])
      assert.deepEqual(Object.values(after).length, 4)
      assert.equal(after['APP-0001-S@loc_wh_eu']!.available, 11)
      assert.equal(after['APP-0001-M@loc_wh_eu']!.available, 0)
      assert.equal(after['FTW-0045-42@loc_wh_east']!.available, 25)
      assert.equal(after['OUT-0177-SMALL@loc_wh_east']!.available, 4)
    })

    it('rejects the broken variant row by row', async () => {
      const answer = await send(stack, 'stock-snapshot', sample('marketplace-inventory-broken.json'), partner('partner_market'), 'application/json')
      assert.equal(answer.feed.status, 'REJECTED')
      assert.deepEqual(answer.feed.rowErrors.map((e) => [e.row, e.code]), [[2, 'MALFORMED_ROW'], [3, 'MISSING_VALUE'], [4, 'INVALID_QUANTITY'], [5, 'INVALID_DATE'], [6, 'UNKNOWN_LOCATION'], [6, 'INVALID_QUANTITY']])
    })
  })

  describe("a 3PL's tab-separated shipment confirmation", () => {
    const committed = [
      { sku: 'APP-0001-S', locationId: 'loc_wh_east', units: 2 },
      { sku: 'APP-0001-M', locationId: 'loc_wh_east', units: 1 },
      { sku: 'FTW-0045-42', locationId: 'loc_wh_eu', units: 3 },
    ]
    const touched = ['APP-0001-S@loc_wh_east', 'APP-0001-M@loc_wh_east', 'FTW-0045-42@loc_wh_eu', 'HOM-0089-SLATE@loc_wh_eu']

    it('is refused row by row while the orders it ships hold no COMMITTED stock', async () => {
      const answer = await send(stack, 'shipment-confirmation', sample('shipment-confirmation.tsv'), partner('partner_ship'), 'text/tab-separated-values')
      assert.equal(answer.feed.status, 'AWAITING_MAPPING')
      const before = await levelsOf(db(), touched)
      const approved = await approve(stack, 'partner_ship', 'SHIPMENT_CONFIRMATION')
      const feed = approved.body.data?.['partnerFeedMappingApprove'].appliedFeeds[0]
      assert.equal(feed.status, 'REJECTED')
      assert.deepEqual(feed.rowErrors.map((e: { row: number }) => e.row), [1, 2, 3])
      assert.deepEqual(new Set(feed.rowErrors.map((e: { code: string }) => e.code)), new Set(['INSUFFICIENT_STOCK']))
      assert.deepEqual(await levelsOf(db(), touched), before)
    })

    it('takes shipped units out of COMMITTED for our orders and AVAILABLE otherwise; a shipment sent again is skipped', async () => {
      // the orders' units committed, as OrderPlaced commits them
      await db().transaction((tx) =>
        applyLevelChangesOrThrow(tx, {
          reason: 'ORDER_PLACED',
          referenceDocumentUri: null,
          actor: null,
          changes: committed.flatMap((c) => [
            { sku: c.sku, locationId: c.locationId, name: 'AVAILABLE' as const, delta: -c.units },
            { sku: c.sku, locationId: c.locationId, name: 'COMMITTED' as const, delta: c.units },
          ]),
        }),
      )
      const before = await levelsOf(db(), touched)
      // the rejected file may be sent again: its batch key was given back
      const answer = await send(stack, 'shipment-confirmation', sample('shipment-confirmation.tsv'), partner('partner_ship'), 'text/tab-separated-values')
      assert.equal(answer.feed.status, 'APPLIED', JSON.stringify(answer.feed.rowErrors))
      const after = await levelsOf(db(), touched)
      assert.deepEqual(touched.map((k) => after[k]!.committed), [0, 0, 0, before['HOM-0089-SLATE@loc_wh_eu']!.committed])
      assert.equal(after['APP-0001-S@loc_wh_east']!.available, before['APP-0001-S@loc_wh_east']!.available - 1)
      assert.equal(after['HOM-0089-SLATE@loc_wh_eu']!.available, before['HOM-0089-SLATE@loc_wh_eu']!.available - 12)

      const again = 'shipment_id\tline\tsku\tqty_shipped\twarehouse_id\tship_ts\tcarrier\tcarrier_tracking\torder_ref\n' +
        'SHP-10003\t2\tAPP-0001-S\t1\tloc_wh_east\t1790784300\tDHL\tJJD0099887767\t\n' +
        'SHP-10004\t1\tHOM-0089-SLATE\t2\tloc_wh_eu\t1790790000\tDHL\tJJD0099887768\t\n'
      const second = await send(stack, 'shipment-confirmation', again, partner('partner_ship'), 'text/tab-separated-values')
      assert.equal(second.feed.status, 'APPLIED')
      assert.deepEqual(second.feed.summary?.skippedReferences, ['SHP-10003'])
      assert.deepEqual(second.feed.summary?.changes, [{ sku: 'HOM-0089-SLATE', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: -2 }])
      const last = await levelsOf(db(), touched)
      assert.equal(last['APP-0001-S@loc_wh_east']!.available, after['APP-0001-S@loc_wh_east']!.available)
    })
  })

  describe("a warehouse's pipe-separated count by state and lot", () => {
    it('waits with every file that comes before approval, then applies them in arrival order', async () => {
      const first = await send(stack, 'stock-snapshot', sample('warehouse-levels.psv'), partner('partner_wh'))
      assert.equal(first.feed.status, 'AWAITING_MAPPING')
      const recount = sample('warehouse-levels.psv').toString('utf8').replace('FTW-0045-42|loc_wh_east|Available|L-0930|8 pcs', 'FTW-0045-42|loc_wh_east|Available|L-0930|9 pcs')
      const second = await send(stack, 'stock-snapshot', recount, partner('partner_wh'))
      assert.equal(second.feed.status, 'AWAITING_MAPPING')
      const { body } = await query(stack, MAPPING, { partnerId: 'partner_wh', kind: 'STOCK_SNAPSHOT' }, asStaff)
      assert.equal(body.data?.['partnerFeedMapping'].ready, true)
      assert.equal(body.data?.['partnerFeedMapping'].confidence, 1)

      const input = { idempotencyKey: 'approve-wh', partnerId: 'partner_wh', kind: 'STOCK_SNAPSHOT' }
      const approved = await query(stack, APPROVE, { input }, asStaff)
      const applied = approved.body.data?.['partnerFeedMappingApprove'].appliedFeeds as { id: string; status: string; summary: { changes: unknown[] } }[]
      assert.deepEqual(applied.map((f) => [f.id, f.status]), [[first.feed.id, 'APPLIED'], [second.feed.id, 'APPLIED']])
      // the second counts what the first left, so it changes one level by one unit
      assert.deepEqual(applied[1]!.summary.changes, [{ sku: 'FTW-0045-42', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: 1 }])
      const after = await levelsOf(db(), ['APP-0001-S@loc_wh_eu', 'APP-0001-M@loc_wh_eu', 'FTW-0045-42@loc_wh_east'])
      assert.deepEqual([after['APP-0001-S@loc_wh_eu']!.available, after['APP-0001-S@loc_wh_eu']!.damaged], [24, 2])
      assert.deepEqual([after['APP-0001-M@loc_wh_eu']!.available, after['APP-0001-M@loc_wh_eu']!.quality_control], [30, 5])
      assert.equal(after['FTW-0045-42@loc_wh_east']!.available, 9)

      // the same key replays the approval without applying anything again
      const groups = await count(db(), 'inventory.adjustment_groups')
      const replay = await query(stack, APPROVE, { input }, asStaff)
      assert.deepEqual(replay.body.data?.['partnerFeedMappingApprove'].appliedFeeds.map((f: { id: string }) => f.id), [first.feed.id, second.feed.id])
      assert.equal(await count(db(), 'inventory.adjustment_groups'), groups)
    })

    it('applies a file its request left stored but not applied before the next one, in arrival order', async () => {
      const count32 = Buffer.from(sample('warehouse-levels.psv').toString('utf8').replace('APP-0001-M|loc_wh_eu|Available|L-0921|30 pcs', 'APP-0001-M|loc_wh_eu|Available|L-0921|32 pcs'))
      // what a request cut short between storing the file and applying it leaves behind
      const stuck = await insertFeed(db(), {
        id: newFeedId(), partnerId: 'partner_wh', kind: 'stock-snapshot', contentHash: createHash('sha256').update(count32).digest('hex'),
        byteSize: count32.byteLength, content: count32, status: 'RECEIVED', allowedLocationIds: null, duplicateOf: null,
      })
      const count33 = sample('warehouse-levels.psv').toString('utf8').replace('APP-0001-M|loc_wh_eu|Available|L-0921|30 pcs', 'APP-0001-M|loc_wh_eu|Available|L-0921|33 pcs')
      const answer = await send(stack, 'stock-snapshot', count33, partner('partner_wh'))
      assert.equal(answer.feed.status, 'APPLIED')
      assert.deepEqual(answer.feed.summary?.changes, [{ sku: 'APP-0001-M', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: 1 }])
      const { body } = await query(stack, FEED, { id: stuck.id }, asStaff)
      assert.equal(body.data?.['partnerFeed'].status, 'APPLIED')
      assert.equal((await levelsOf(db(), ['APP-0001-M@loc_wh_eu']))['APP-0001-M@loc_wh_eu']!.available, 33)
    })

    it('applies the same file sent twice at once exactly once', async () => {
      const file = sample('warehouse-levels.psv').toString('utf8').replace('APP-0001-M|loc_wh_eu|Available|L-0921|30 pcs', 'APP-0001-M|loc_wh_eu|Available|L-0921|34 pcs')
      const answers = await Promise.all([send(stack, 'stock-snapshot', file, partner('partner_wh')), send(stack, 'stock-snapshot', file, partner('partner_wh'))])
      assert.deepEqual(answers.map((a) => a.feed.status).sort(), ['APPLIED', 'DUPLICATE'])
      assert.equal((await levelsOf(db(), ['APP-0001-M@loc_wh_eu']))['APP-0001-M@loc_wh_eu']!.available, 34)
    })
  })

  it('the inventory subgraph takes a feed only as the gateway signed it: that kind, those bytes, a partner with feeds:write', async () => {
    const file = sample('warehouse-levels.psv')
    const call = (kind: string, body: Buffer, viewer: Viewer, signedKind = kind, signedBody = body) =>
      fetch(new URL(`${PARTNER_FEEDS_PATH}/${kind}`, stack.urls.inventory), {
        method: 'POST',
        headers: { 'content-type': PARTNER_FEED_CONTENT_TYPE, [VIEWER_HEADER]: signViewer(viewer, stack.config.viewerSigningSecret, feedSignedBody(signedKind, signedBody)) },
        body: new Uint8Array(body),
      })
    const wh: Viewer = { sub: 'partner_wh', roles: ['partner'], scopes: ['feeds:write'], locationIds: null }
    assert.equal((await call('shipment-confirmation', file, wh, 'stock-snapshot')).status, 401)
    assert.equal((await call('stock-snapshot', file, wh, 'stock-snapshot', Buffer.from('other bytes'))).status, 401)
    const forged = await fetch(new URL(`${PARTNER_FEEDS_PATH}/stock-snapshot`, stack.urls.inventory), {
      method: 'POST',
      headers: { 'content-type': PARTNER_FEED_CONTENT_TYPE, [VIEWER_HEADER]: signViewer(wh, 'not-the-secret', feedSignedBody('stock-snapshot', file)) },
      body: new Uint8Array(file),
    })
    assert.equal(forged.status, 401)
    const customer = await call('stock-snapshot', file, { sub: 'cus_1', roles: ['customer'], scopes: ['feeds:write'], locationIds: null })
    assert.equal(customer.status, 403)
  })

  describe('a file at the size limit', () => {
    it('applies every level of the store in one batch, well past the 250 changes a mutation takes', async () => {
      const { rows } = await db().query<{ sku: string; location_id: string; on_hand: number }>(
        `select sku, location_id, available + committed + reserved + damaged + safety_stock + quality_control as on_hand
         from inventory.inventory_levels order by sku, location_id`,
      )
      const header = 'sku,location_id,on_hand,counted_at,note\n'
      const line = (r: { sku: string; location_id: string; on_hand: number }, note: string) => `${r.sku},${r.location_id},${r.on_hand + 1},2026-10-01T06:00:00Z,${note}\n`
      // the first file: a mapping proposed and approved
      assert.equal((await send(stack, 'stock-snapshot', header + line(rows[0]!, 'first'), partner('partner_big'))).feed.status, 'AWAITING_MAPPING')
      const approved = await approve(stack, 'partner_big', 'STOCK_SNAPSHOT')
      assert.deepEqual(approved.body.data?.['partnerFeedMappingApprove'].userErrors, [])

      // then one of (just under) PARTNER_FEED_MAX_BYTES: every level of the store, padded with notes
      const budget = stack.config.partnerFeedMaxBytes - header.length
      const bare = rows.reduce((sum, r) => sum + Buffer.byteLength(line(r, '')), 0)
      const pad = Math.floor((budget - bare) / rows.length)
      const file = Buffer.from(header + rows.map((r) => line(r, 'x'.repeat(pad))).join(''))
      assert.ok(file.byteLength <= stack.config.partnerFeedMaxBytes && file.byteLength > stack.config.partnerFeedMaxBytes - rows.length)
      const before = await levelsOf(db(), rows.map((r) => `${r.sku}@${r.location_id}`))
      const started = performance.now()
      const answer = await send(stack, 'stock-snapshot', file, partner('partner_big'))
      const seconds = (performance.now() - started) / 1000
      assert.equal(answer.status, 200)
      assert.equal(answer.feed.status, 'APPLIED', JSON.stringify(answer.feed.rowErrors?.slice(0, 3)))
      // the first file already counted the first level one up: every other level changes
      // the answer counts every change and lists the first thousand
      assert.equal(answer.feed.summary?.changeCount, rows.length - 1)
      assert.equal(answer.feed.summary?.changes.length, Math.min(1000, rows.length - 1))
      assert.ok(rows.length - 1 > 250)
      const after = await levelsOf(db(), rows.map((r) => `${r.sku}@${r.location_id}`))
      for (const r of rows) assert.equal(after[`${r.sku}@${r.location_id}`]!.on_hand, r.on_hand + 1)
      assert.ok(rows.every((r) => after[`${r.sku}@${r.location_id}`]!.available === before[`${r.sku}@${r.location_id}`]!.available + (r === rows[0] ? 0 : 1)))
      const uri = `gid://partner/partner_big/Feed/${answer.feed.contentHash}`
      assert.equal(await count(db(), `inventory.outbox where type = 'StockLevelChanged' and payload->>'referenceDocumentUri' = $1`, [uri]), rows.length - 1)
      console.log(`a ${(file.byteLength / 1048576).toFixed(2)} MiB snapshot of ${rows.length} levels: received, applied and answered in ${seconds.toFixed(2)} s`)
    })
  })

  describe('who reads what', () => {
    it('a partner lists and reads only its own feeds and mappings; staff read all', async () => {
      const own = await query(stack, FEEDS, {}, partner('partner_market'))
      const ids = own.body.data?.['partnerFeeds'].nodes as { id: string; partnerId: string }[]
      assert.ok(ids.length > 0)
      assert.ok(ids.every((f) => f.partnerId === 'partner_market'))
      const all = await query(stack, FEEDS, {}, asStaff)
      const partners = new Set((all.body.data?.['partnerFeeds'].nodes as { partnerId: string }[]).map((f) => f.partnerId))
      assert.deepEqual([...partners].sort(), ['partner_3pl', 'partner_big', 'partner_market', 'partner_ship', 'partner_wh'])

      const other = (all.body.data?.['partnerFeeds'].nodes as { id: string; partnerId: string }[]).find((f) => f.partnerId === 'partner_3pl')!
      const peek = await query(stack, FEED, { id: other.id }, partner('partner_market'))
      assert.equal(peek.body.data?.['partnerFeed'], null)
      const mine = await query(stack, FEED, { id: other.id }, partner('partner_3pl'))
      assert.equal(mine.body.data?.['partnerFeed']?.id, other.id, JSON.stringify(mine.body))
      const mapping = await query(stack, MAPPING, { partnerId: 'partner_3pl', kind: 'STOCK_SNAPSHOT' }, partner('partner_market'))
      assert.equal(mapping.body.data?.['partnerFeedMapping'], null)
      const filtered = await query(stack, FEEDS, { filter: { partnerId: 'partner_3pl' } }, partner('partner_market'))
      assert.equal(filtered.body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    })

    it('refuses the feed queries to a customer and the approval to a partner', async () => {
      const customer = await query(stack, FEEDS, {}, { sub: 'cus_1', roles: ['customer'] })
      assert.equal(customer.body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
      const byPartner = await query(stack, APPROVE, { input: { idempotencyKey: 'p-1', partnerId: 'partner_wh', kind: 'STOCK_SNAPSHOT' } }, partner('partner_wh'))
      assert.equal(byPartner.body.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
      const unknown = await approve(stack, 'partner_nobody', 'STOCK_SNAPSHOT')
      assert.deepEqual(unknown.body.data?.['partnerFeedMappingApprove'].userErrors.map((e: { code: string }) => e.code), ['UNKNOWN_FEED_MAPPING'])
    })
  })
})

describe('partner feeds and the partner\'s budget', () => {
  // a budget of 100 units refilled by 1 a second: a 60 KiB file costs 61 of them
  const stack = stackForTests(() =>
    startStack({ bus: false, gatewayConfig: { rateLimit: { ...testConfig.rateLimit, enabled: true, perSecond: { ...testConfig.rateLimit.perSecond, partner: 1 }, burstSeconds: 100 } } }),
  )
  const sender: TokenClaims = { sub: 'partner_budget', roles: ['partner'], scopes: ['feeds:write'] }

  it('charges a file to the partner by its declared size, before reading it, and refuses with 429 and Retry-After when the budget is spent', async () => {
    const file = `sku,location,qty\n${'X'.repeat(60 * 1024)}\n`
    const first = await send(stack, 'stock-snapshot', file, sender)
    assert.notEqual(first.status, 429, JSON.stringify(first.body))
    const second = await send(stack, 'stock-snapshot', file, sender)
    assert.equal(second.status, 429, JSON.stringify(second.body))
    assert.equal(second.body.errors?.[0]?.extensions['code'], 'RATE_LIMITED')
    assert.ok(Number(second.body.errors?.[0]?.extensions['retryAfter']) >= 1)
    assert.equal(feedCost(String(10 * 1024 * 1024), 10 * 1024 * 1024), 10_240)
    assert.equal(feedCost(undefined, 10 * 1024 * 1024), 10_240, 'a file of no declared size costs the whole limit')
  })
})
