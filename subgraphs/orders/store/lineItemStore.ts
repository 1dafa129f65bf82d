import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { LineItemModel } from '../models.ts'

// the order lends its owner (ownership checks) and currency (money fields) to each line
const LINE_ITEM_FIELDS: readonly (readonly [column: string, field: keyof LineItemModel])[] = [
  ['li.id', 'id'], ['li.order_id', 'orderId'], ['li.position', 'position'], ['li.sku', 'sku'], ['li.title', 'title'],
  ['li.quantity', 'quantity'], ['o.currency', 'currency'], ['o.customer_id', 'customerId'], ['li.unit_price', 'unitPrice'],
  ['li.discount_total', 'discountTotal'], ['li.tax_lines', 'taxLines'], ['li.total', 'total'],
]
const LINE_ITEM_COLUMNS = LINE_ITEM_FIELDS.map(([column, field]) => `${column} as "${field}"`).join(', ')

/**
 * For rows that point at a line item (fulfillment and return lines): its columns under `lineItem.`
 * names, selected with `join orders.line_items li … join orders.orders o on o.id = li.order_id`,
 * so the line item comes with its line instead of being looked up by id afterwards.
 */
export const JOINED_LINE_ITEM_COLUMNS = LINE_ITEM_FIELDS.map(([column, field]) => `${column} as "lineItem.${field}"`).join(', ')

/** Splits a row selected with JOINED_LINE_ITEM_COLUMNS into its own fields and `lineItem`. */
export function withJoinedLineItem<Row>(row: Record<string, unknown>): Row & { lineItem: LineItemModel } {
  const own: Record<string, unknown> = {}
  const lineItem: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('lineItem.')) lineItem[key.slice('lineItem.'.length)] = value
    else own[key] = value
  }
  return { ...(own as Row), lineItem: lineItem as unknown as LineItemModel }
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

export interface NewLineItem {
  readonly id: string
  readonly orderId: string
  /** From 1, in the order's order. */
  readonly position: number
  readonly sku: string
  readonly title: string
  readonly quantity: number
  readonly unitPrice: bigint
  readonly taxLines: readonly { readonly title: string; readonly rate: string; readonly amount: bigint }[]
  readonly total: bigint
  /** null for the demo store's orders, whose units were committed directly. */
  readonly reservationId: string | null
}

/** Writes orders' immutable line snapshots (checkout's and the demo store's). */
export async function insertLineItems(tx: Queryable, items: readonly NewLineItem[]): Promise<void> {
  await insertRows(tx, 'orders.line_items', items, {
    id: ['text', (i) => i.id],
    order_id: ['text', (i) => i.orderId],
    position: ['int', (i) => i.position],
    sku: ['text', (i) => i.sku],
    title: ['text', (i) => i.title],
    quantity: ['int', (i) => i.quantity],
    unit_price: ['bigint', (i) => i.unitPrice],
    // amounts as strings of minor units (StoredTaxLine)
    tax_lines: ['jsonb', (i) => i.taxLines.map((t) => ({ title: t.title, rate: t.rate, amount: t.amount.toString() }))],
    total: ['bigint', (i) => i.total],
    reservation_id: ['text', (i) => i.reservationId],
  })
}
