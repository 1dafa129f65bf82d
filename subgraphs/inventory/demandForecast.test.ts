import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { customer, execute, partner, staff, viewer } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { dayOfInstant, outlook } from './demand.ts'
import { isoDateOf } from './forecast/day.ts'
import { stockoutRisk } from './forecast/stockout.ts'
import { DEFAULT_LEAD_TIME_DAYS } from './resolvers/productVariant.ts'
import { demandOf } from './seed.ts'
import { inventoryAppForSuite } from './testSupport.ts'

const world = buildWorld()
// a demo level with order history: the seed fitted a model on it
const demand = demandOf(world).find((d) => d.state.model.kind !== 'NONE' && d.locationId === 'loc_wh_east')!
const level = world.stockLevels.find((s) => s.sku === demand.sku && s.locationId === demand.locationId)!
const OTHER = 'loc_wh_eu'

const FORECAST = `query($r: [_Any!]!, $loc: [ID!], $days: Int!) { _entities(representations: $r) { ... on ProductVariant {
  stock(locationIds: $loc) { nodes { id forecast(days: $days) { model fittedThrough holdoutDays mape wape intervalLevel points { date expected lower upper } } } } } } }`
const RISK = `query($r: [_Any!]!, $loc: ID!) { _entities(representations: $r) { ... on ProductVariant {
  stockoutRisk(locationId: $loc) { available daysOfCover projectedStockoutDate probabilityWithinLeadTime leadTimeDays } } } }`
const forecastOf = (who = staff(), days = 7, sku = demand.sku, locationId = demand.locationId) =>
  execute(inventoryApp.app, FORECAST, { r: [{ __typename: 'ProductVariant', sku }], loc: [locationId], days }, who)
const riskOf = (who = staff(), locationId = demand.locationId, sku = demand.sku) =>
  execute(inventoryApp.app, RISK, { r: [{ __typename: 'ProductVariant', sku }], loc: locationId }, who)
const codesOf = (errors: readonly { extensions?: Record<string, unknown> }[] | undefined) => (errors ?? []).map((e) => e.extensions?.['code'])

let inventoryApp: ReturnType<typeof inventoryAppForSuite>

describe('demand forecasts on the graph', () => {
  inventoryApp = inventoryAppForSuite()

  it('answers a level\'s forecast from its stored model, one point a day from today', async () => {
    const { data, errors } = await forecastOf(staff(), 7)
    assert.equal(errors, undefined)
    const today = dayOfInstant(new Date())
    const expected = outlook(demand.state, today, 7)
    const node = data?.['_entities'][0].stock.nodes[0]
    assert.equal(node.id, `${demand.sku}@${demand.locationId}`)
    assert.deepEqual(node.forecast, {
      model: expected.model.kind,
      fittedThrough: isoDateOf(demand.state.model.fittedThrough),
      holdoutDays: demand.state.holdout?.days ?? 0,
      mape: demand.state.holdout?.mape ?? null,
      wape: demand.state.holdout?.wape ?? null,
      intervalLevel: 0.8,
      points: expected.points.map((p) => ({ date: isoDateOf(p.day), expected: p.mean, lower: p.lower, upper: p.upper })),
    })
    assert.equal(node.forecast.points[0].date, isoDateOf(today))
  })

  it('says NONE for a level without demand', async () => {
    const quiet = world.stockLevels.find((s) => !demandOf(world).some((d) => d.sku === s.sku && d.locationId === s.locationId))!
    const { data, errors } = await forecastOf(staff(), 3, quiet.sku, quiet.locationId)
    assert.equal(errors, undefined)
    const forecast = data?.['_entities'][0].stock.nodes[0].forecast
    assert.equal(forecast.model, 'NONE')
    assert.equal(forecast.fittedThrough, null)
    assert.deepEqual(forecast.points.map((p: { expected: number }) => p.expected), [0, 0, 0])
  })

  it('lets a partner with stock:read read its own location', async () => {
    const own = viewer({ sub: 'partner_3pl', roles: ['partner'], scopes: ['stock:read'], locationIds: [demand.locationId] })
    const { data, errors } = await forecastOf(own)
    assert.equal(errors, undefined)
    assert.equal(data?.['_entities'][0].stock.nodes[0].forecast.points.length, 7)
    const risk = await riskOf(own)
    assert.equal(risk.errors, undefined)
    assert.equal(risk.data?.['_entities'][0].stockoutRisk.available, level.available)
  })

  it('refuses stock-out risk at another location to a partner limited to its own, and to viewers without stock:read', async () => {
    const limited = viewer({ sub: 'partner_3pl', roles: ['partner'], scopes: ['stock:read'], locationIds: [OTHER] })
    for (const [who, code] of [[limited, 'FORBIDDEN'], [partner('partner_1', []), 'FORBIDDEN'], [customer('c_1001'), 'FORBIDDEN'], [viewer(), 'UNAUTHENTICATED']] as const) {
      const { data, errors } = await riskOf(who)
      assert.deepEqual(codesOf(errors), [code], `${who.sub}`)
      assert.equal(data?.['_entities'][0].stockoutRisk, null)
    }
  })

  it('refuses forecasts to customers (FORBIDDEN) and anonymous viewers (UNAUTHENTICATED), leaving the rest of the level', async () => {
    for (const [who, code] of [[customer('c_1001'), 'FORBIDDEN'], [viewer(), 'UNAUTHENTICATED'], [partner('partner_1', []), 'FORBIDDEN']] as const) {
      const { data, errors } = await forecastOf(who)
      assert.deepEqual(codesOf(errors), [code])
      assert.deepEqual(data?.['_entities'][0].stock.nodes[0], { id: `${demand.sku}@${demand.locationId}`, forecast: null })
    }
  })

  it('takes 1 to 90 days, and BAD_USER_INPUT otherwise', async () => {
    for (const days of [0, -1, 91]) {
      const { errors } = await forecastOf(staff(), days)
      assert.deepEqual(codesOf(errors), ['BAD_USER_INPUT'], `days ${days}`)
    }
    const longest = await forecastOf(staff(), 90)
    assert.equal(longest.errors, undefined)
    assert.equal(longest.data?.['_entities'][0].stock.nodes[0].forecast.points.length, 90)
  })

  it('answers stock-out risk from AVAILABLE against the 90-day forecast, over the default lead time', async () => {
    const { data, errors } = await riskOf()
    assert.equal(errors, undefined)
    const points = outlook(demand.state, dayOfInstant(new Date()), 90).points
    const risk = stockoutRisk(level.available, points, DEFAULT_LEAD_TIME_DAYS)
    assert.deepEqual(data?.['_entities'][0].stockoutRisk, {
      available: level.available,
      daysOfCover: risk.daysOfCover,
      projectedStockoutDate: risk.stockoutDay === null ? null : isoDateOf(risk.stockoutDay),
      probabilityWithinLeadTime: risk.probabilityWithinLeadTime,
      leadTimeDays: DEFAULT_LEAD_TIME_DAYS,
    })
  })

  it('answers null stock-out risk where the variant has no level', async () => {
    const nowhere = world.variants.find((v) => !world.stockLevels.some((s) => s.sku === v.sku && s.locationId === 'loc_store_nyc'))
    assert.ok(nowhere, 'the demo store stocks some variants nowhere near the flagship store')
    const { data, errors } = await riskOf(staff(), 'loc_store_nyc', nowhere.sku)
    assert.equal(errors, undefined)
    assert.equal(data?.['_entities'][0].stockoutRisk, null)
  })
})
