import { performance } from 'node:perf_hooks'
import { dayOfInstant, demandStateOf, outlook } from '../../subgraphs/inventory/demand.ts'
import { demandByLevels } from '../../subgraphs/inventory/store/demandStore.ts'
import { insertItems } from '../../subgraphs/inventory/store/itemStore.ts'
import { insertLevels, levelsByKeys, type LevelKey } from '../../subgraphs/inventory/store/levelStore.ts'
import { draftsByLevels, insertDraftForNeed, replenishmentLinesByIds } from '../../subgraphs/inventory/store/replenishmentStore.ts'
import { baselineOrder, baselineRate } from './baseline.ts'
import { expectedDemand, type SkuProfile } from './demand.ts'
import {
  approvePurchaseOrder, openInventoryService, receivePurchaseOrder, sellAndShip, setPolicy, stockUp, type InventoryService, type SaleLine,
} from './inventoryService.ts'
import { accountingProblems, ledgerAccount, type LedgerAccount } from './ledger.ts'

/**
 * One scenario of the season, through the inventory service on a database of its own. Each
 * simulated day:
 *   1. morning: purchase orders due today are received (`purchaseOrderReceive`); the shelf is read;
 *      the forecast for today is noted (the service's, or the baseline's own);
 *   2. the day's demand is sold as far as AVAILABLE allows, as order events the inventory consumer
 *      applies (`OrderPlaced` dated that day, then `FulfillmentCreated`); the rest is lost;
 *   3. evening: orders are placed, the one step where the scenarios differ (`placeOrders`).
 * The clock is the events' and orders' dates, not the machine's: a year runs in minutes.
 */
export type Strategy = 'forecast' | 'baseline'

export interface ScenarioInput {
  readonly strategy: Strategy
  readonly profiles: readonly SkuProfile[]
  /** Units asked for, [sku][day]. */
  readonly demand: readonly (readonly number[])[]
  /** The first simulated day (days since 1970-01-01, UTC). */
  readonly firstDay: number
  readonly days: number
  /** The baseline's buffer on top of its order-up-to level (baseline.ts); 0: none. */
  readonly baselineBuffer?: number
  /** Told after each simulated day (progress on a terminal). */
  readonly onDay?: (day: number) => void
}

export interface ScenarioRecord {
  readonly strategy: Strategy
  /** [sku][day]: units sold; AVAILABLE when the day closed; the forecast of that day's demand made that morning. */
  readonly sold: number[][]
  readonly closingStock: number[][]
  readonly forecast: number[][]
  /** SKU-mornings with nothing to sell and nothing on order. */
  readonly strandedSkuDays: number
  readonly openingUnits: number
  readonly purchaseOrders: number
  readonly unitsOrdered: number
  readonly unitsReceived: number
  readonly account: LedgerAccount
  /** Empty when the inventory's books agree with themselves and with what the season counted. */
  readonly accountingProblems: readonly string[]
  readonly cost: ScenarioCost
}

export interface ScenarioCost {
  readonly seconds: number
  readonly orderEvents: number
  /** Order lines in those events: one per SKU sold on a day, in `OrderPlaced` and again in `FulfillmentCreated`. */
  readonly orderLines: number
  readonly orderEventSeconds: number
  readonly mutations: number
  readonly mutationSeconds: number
}

export const LOCATION_ID = 'loc_wh_east'
export const SUPPLIER_ID = 'sup_season'
/** Lines per order event: a day's sales of many SKUs go out as a few orders. */
export const LINES_PER_ORDER = 100
/** Opening stock: this many days of each SKU's expected demand. */
export const OPENING_DAYS = 21

const DAY_MS = 86_400_000

interface PlacedOrder {
  readonly id: string
  readonly arrivalDay: number
}

export async function runScenario(input: ScenarioInput): Promise<ScenarioRecord> {
  const { strategy, profiles, demand, firstDay, days } = input
  const started = performance.now()
  const service = await openInventoryService()
  try {
    const keys: LevelKey[] = profiles.map((p) => ({ sku: p.sku, locationId: LOCATION_ID }))
    const opening = profiles.map((p) => ({ sku: p.sku, quantity: Math.max(1, Math.round(sum(Array.from({ length: OPENING_DAYS }, (_, d) => expectedDemand(p, d))))) }))
    await service.db.transaction(async (tx) => {
      await insertItems(tx, profiles.map((p) => ({ sku: p.sku, tracked: true })))
      await insertLevels(tx, keys.map((k) => ({ ...k, available: 0, committed: 0, reserved: 0, damaged: 0, safetyStock: 0, qualityControl: 0, incoming: 0 })), new Date(firstDay * DAY_MS))
    })
    const meter = meterOf(service)
    await stockUp(meter.service, LOCATION_ID, opening, 'gid://simulate/OpeningStock/1')
    if (strategy === 'forecast') for (const p of profiles) await setPolicy(meter.service, p.sku, LOCATION_ID, SUPPLIER_ID, p.policy)

    const grid = () => profiles.map(() => new Array<number>(days).fill(0))
    const sold = grid()
    const closingStock = grid()
    const forecast = grid()
    let open: PlacedOrder[] = []
    let stranded = 0
    let unitsOrdered = 0
    let unitsReceived = 0
    let purchaseOrders = 0

    for (let d = 0; d < days; d++) {
      const day = firstDay + d
      const due = open.filter((o) => o.arrivalDay <= day)
      open = open.filter((o) => o.arrivalDay > day)
      unitsReceived += await receiveAll(meter.service, due.map((o) => o.id))

      const morning = await shelf(service, keys)
      const expected = strategy === 'forecast' ? await serviceForecasts(service, keys, day) : profiles.map((_, s) => baselineRate(sold[s]!.slice(0, d)))
      const lines: SaleLine[] = []
      profiles.forEach((p, s) => {
        const level = morning.get(p.sku)!
        forecast[s]![d] = expected[s]!
        if (level.available === 0 && level.incoming === 0) stranded++
        const units = Math.min(demand[s]![d]!, level.available)
        sold[s]![d] = units
        if (units > 0) lines.push({ sku: p.sku, quantity: units })
      })
      for (let i = 0; i < lines.length; i += LINES_PER_ORDER) {
        await meter.sell(`ord_${strategy}_${d + 1}_${i / LINES_PER_ORDER + 1}`, day, lines.slice(i, i + LINES_PER_ORDER))
      }

      const evening = await shelf(service, keys)
      profiles.forEach((p, s) => void (closingStock[s]![d] = evening.get(p.sku)!.available))
      const placed = strategy === 'forecast'
        ? await placeDrafted(meter.service, keys)
        : await placeBaseline(meter.service, profiles, input.baselineBuffer ?? 0, d, day, sold, evening)
      open.push(...placed.map((o) => ({ id: o.id, arrivalDay: o.arrivalDay })))
      purchaseOrders += placed.length
      unitsOrdered += sum(placed.map((o) => o.quantity))
      input.onDay?.(d)
    }

    const account = await ledgerAccount(service.db, profiles.map((p) => p.sku), LOCATION_ID)
    const openingUnits = sum(opening.map((o) => o.quantity))
    const applied = service.outcomes.get('applied') ?? 0
    const unapplied = [...service.outcomes].filter(([outcome]) => outcome !== 'applied').map(([outcome, n]) => `${n} order events ${outcome}`)
    return {
      strategy, sold, closingStock, forecast, strandedSkuDays: stranded, openingUnits, purchaseOrders, unitsOrdered, unitsReceived, account,
      accountingProblems: [
        ...unapplied,
        ...(applied === meter.events ? [] : [`${meter.events} order events sent, ${applied} applied`]),
        ...accountingProblems(account, { opening: openingUnits, sold: sum(sold.flat()), received: unitsReceived }),
      ],
      cost: { seconds: (performance.now() - started) / 1000, orderEvents: meter.events, orderLines: meter.lines, orderEventSeconds: meter.eventMs / 1000, mutations: meter.mutations, mutationSeconds: meter.mutationMs / 1000 },
    }
  } finally {
    await service.close()
  }
}

interface Shelf {
  readonly available: number
  readonly incoming: number
}

async function shelf(service: InventoryService, keys: readonly LevelKey[]): Promise<Map<string, Shelf>> {
  const levels = await levelsByKeys(service.db, keys)
  return new Map(levels.map((l) => [l.sku, { available: l.quantities.AVAILABLE, incoming: l.quantities.INCOMING }]))
}

/** The service's forecast of `day`'s demand per level, as `InventoryLevel.forecast(days: 1)` would answer it that morning. */
async function serviceForecasts(service: InventoryService, keys: readonly LevelKey[], day: number): Promise<number[]> {
  const rows = new Map((await demandByLevels(service.db, keys)).map((row) => [row.sku, demandStateOf(row)]))
  return keys.map((k) => outlook(rows.get(k.sku) ?? null, day, 1).points[0]?.mean ?? 0)
}

interface Placement extends PlacedOrder {
  readonly quantity: number
}

/**
 * The forecast scenario's buyer: every purchase order the service drafted for these levels is
 * approved at once, which is what a policy in AUTO mode does without a person. When AUTO exists,
 * the service places them itself and this step finds no drafts.
 */
async function placeDrafted(service: InventoryService, keys: readonly LevelKey[]): Promise<Placement[]> {
  const drafts = (await draftsByLevels(service.db, keys)).sort((a, b) => a.sku.localeCompare(b.sku))
  return placeOrders(service, drafts.map((d) => {
    if (d.expectedAt === null) throw new Error(`draft ${d.id} has no expected date`)
    return { id: d.id, arrivalDay: dayOfInstant(d.expectedAt) }
  }))
}

/**
 * The baseline's buyer: on its review days, its own rule sizes the order; the purchase order is
 * written as a draft with the store function the service drafts with (there is no mutation to
 * create one by hand), then placed and received through the same mutations as the other scenario.
 */
async function placeBaseline(
  service: InventoryService, profiles: readonly SkuProfile[], buffer: number, d: number, day: number, sold: readonly number[][], shelfNow: ReadonlyMap<string, Shelf>,
): Promise<Placement[]> {
  const drafts: { id: string; sku: string; quantity: number; arrivalDay: number }[] = []
  profiles.forEach((p, s) => {
    const level = shelfNow.get(p.sku)!
    const quantity = baselineOrder({ skuIndex: s, day: d, policy: p.policy, buffer, sales: sold[s]!.slice(0, d + 1), available: level.available, incoming: level.incoming })
    if (quantity > 0) drafts.push({ id: `repl_baseline_${p.sku}_${d + 1}`, sku: p.sku, quantity, arrivalDay: day + p.policy.leadTimeDays })
  })
  if (drafts.length === 0) return []
  await service.db.transaction(async (tx) => {
    for (const draft of drafts) {
      await insertDraftForNeed(tx, {
        id: draft.id, destinationLocationId: LOCATION_ID, supplierId: SUPPLIER_ID, needKey: `baseline/${draft.sku}/${draft.arrivalDay}`,
        expectedAt: new Date(draft.arrivalDay * DAY_MS), sku: draft.sku, quantity: draft.quantity,
      })
    }
  })
  return placeOrders(service, drafts)
}

/** Places drafted purchase orders: the one step AUTO mode will take over. */
async function placeOrders(service: InventoryService, drafts: readonly PlacedOrder[]): Promise<Placement[]> {
  const lines = await replenishmentLinesByIds(service.db, drafts.map((d) => d.id))
  const placed: Placement[] = []
  for (const draft of drafts) {
    await approvePurchaseOrder(service, draft.id)
    placed.push({ ...draft, quantity: sum(lines.filter((l) => l.replenishmentId === draft.id).map((l) => l.quantity)) })
  }
  return placed
}

/** Receives every open unit of these purchase orders; the units received. */
async function receiveAll(service: InventoryService, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0
  const lines = await replenishmentLinesByIds(service.db, ids)
  let units = 0
  for (const id of ids) {
    const open = lines.filter((l) => l.replenishmentId === id && l.quantity > l.receivedQuantity).map((l) => ({ sku: l.sku, quantity: l.quantity - l.receivedQuantity }))
    if (open.length === 0) continue
    await receivePurchaseOrder(service, id, open)
    units += sum(open.map((l) => l.quantity))
  }
  return units
}

/** The service with its calls counted and timed. */
function meterOf(inner: InventoryService) {
  const meter = {
    events: 0, lines: 0, eventMs: 0, mutations: 0, mutationMs: 0,
    service: {
      ...inner,
      async mutate(field: string, query: string, variables: Record<string, unknown>) {
        const t0 = performance.now()
        try {
          return await inner.mutate(field, query, variables)
        } finally {
          meter.mutations++
          meter.mutationMs += performance.now() - t0
        }
      },
    } as InventoryService,
    async sell(orderId: string, day: number, lines: readonly SaleLine[]) {
      const t0 = performance.now()
      await sellAndShip(inner, orderId, LOCATION_ID, day, lines)
      meter.events += 2
      meter.lines += 2 * lines.length
      meter.eventMs += performance.now() - t0
    },
  }
  return meter
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0)
