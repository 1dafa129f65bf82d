import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { FulfillmentLineModel, LineItemModel, ReturnLineModel } from '../models.ts'

// the order lends its owner (ownership checks) and currency (money fields) to each line
const LINE_ITEM_FIELDS: readonly (readonly [column: string, field: keyof LineItemModel])[] = [
  ['li.id', 'id'], ['li.order_id', 'orderId'], ['li.position', 'position'], ['li.sku', 'sku'], ['li.title', 'title'],
  ['li.quantity', 'quantity'], ['o.currency', 'currency'], ['o.customer_id', 'customerId'], ['li.unit_price', 'unitPrice'],
  ['li.discount_total', 'discountTotal'], ['li.tax_lines', 'taxLines'], ['li.total', 'total'],
]
const LINE_ITEM_COLUMNS = LINE_ITEM_FIELDS.map(([column, field]) => `${column} as "${field}"`).join(', ')

// the same columns under `lineItem.` names, for lines read together with their line items
const JOINED_LINE_ITEM_COLUMNS = LINE_ITEM_FIELDS.map(([column, field]) => `${column} as "lineItem.${field}"`).join(', ')

// the lines that point at a line item: their table, parent column, and own columns (the parent's named as in their model)
const LINES = {
  fulfillmentOrder: ['orders.fulfillment_order_lines', 'fulfillment_order_id', 'l.fulfillment_order_id as "parentId"'],
  fulfillment: ['orders.fulfillment_lines', 'fulfillment_id', 'l.fulfillment_id as "parentId"'],
  return: ['orders.return_lines', 'return_id', 'l.return_id as "returnId", l.reason, l.restock'],
} as const
interface LineModels {
  readonly fulfillmentOrder: FulfillmentLineModel
  readonly fulfillment: FulfillmentLineModel
  readonly return: ReturnLineModel
}

/**
 * The lines of the given fulfillment orders, fulfillments or returns, in line item order, each
 * with its line item read in the same statement instead of looked up by id afterwards.
 */
export async function linesWithLineItems<Kind extends keyof LineModels>(
  db: Queryable,
  kind: Kind,
  parentIds: readonly string[],
): Promise<LineModels[Kind][]> {
  const [table, parent, own] = LINES[kind]
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${own}, l.line_item_id as "lineItemId", l.quantity, ${JOINED_LINE_ITEM_COLUMNS}
     from ${table} l join orders.line_items li on li.id = l.line_item_id join orders.orders o on o.id = li.order_id
     where l.${parent} = any($1::text[]) order by l.${parent}, li.position`,
    [parentIds],
  )
  return rows.map((row) => {
    const line: Record<string, unknown> = {}
    const lineItem: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(row)) {
      if (key.startsWith('lineItem.')) lineItem[key.slice('lineItem.'.length)] = value
      else line[key] = value
    }
    return { ...line, lineItem } as unknown as LineModels[Kind]
  })
}

export async function lineItemsByIds(db: Queryable, ids: readonly string[]): Promise<LineItemModel[]> {
  const { rows } = await db.query<LineItemModel>(
    `select ${LINE_ITEM_COLUMNS} from orders.line_items li join orders.orders o on o.id = li.order_id where li.id = any($1::text[])`,
    [ids],
  )
  return rows
}

/**
 * The first `limit` line items after position `afterPosition` of each order, in one statement
 * for all orders (row_number per order), ordered by order then position.
 */
export async function lineItemPagesByOrderIds(
  db: Queryable,
  orderIds: readonly string[],
  afterPosition: number,
  limit: number,
): Promise<LineItemModel[]> {
  const { rows } = await db.query<LineItemModel>(
    `select id, "orderId", position, sku, title, quantity, currency, "customerId", "unitPrice", "discountTotal", "taxLines", total
     from (
       select ${LINE_ITEM_COLUMNS}, row_number() over (partition by li.order_id order by li.position) as rn
       from orders.line_items li join orders.orders o on o.id = li.order_id
       where li.order_id = any($1::text[]) and li.position > $2
     ) page
     where rn <= $3
     order by "orderId", position`,
    [orderIds, afterPosition, limit],
  )
  return rows
}

/** A line item as checkout and the demo store write it: amounts as bigint; currency and owner are its order's. */
export interface NewLineItem extends Pick<LineItemModel, 'id' | 'orderId' | 'position' | 'sku' | 'title' | 'quantity'> {
  readonly unitPrice: bigint
  readonly taxLines: readonly { readonly title: string; readonly rate: string; readonly amount: bigint }[]
  readonly total: bigint
  /** null for the demo store's orders, whose units were committed directly. */
  readonly reservationId: string | null
}

/** Writes orders' immutable line snapshots (checkout's and the demo store's). */
export async function insertLineItems(tx: Queryable, items: readonly NewLineItem[]): Promise<void> {
  await insertRows(tx, 'orders.line_items', items, {
    id: 'text', orderId: 'text', position: 'int', sku: 'text', title: 'text', quantity: 'int', unitPrice: 'bigint',
    // amounts as strings of minor units (StoredTaxLine)
    taxLines: ['jsonb', (i) => i.taxLines.map((t) => ({ title: t.title, rate: t.rate, amount: t.amount.toString() }))],
    total: 'bigint', reservationId: 'text',
  })
}
