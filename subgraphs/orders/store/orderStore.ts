import type { Queryable } from '../../../platform/db.ts'
import type { OrderModel, OrderStatus } from '../models.ts'

const ORDER_COLUMNS = `o.id, o.number, o.customer_id as "customerId", o.status, o.fulfillment_status as "fulfillmentStatus",
  o.currency, o.country_code as "countryCode", o.placed_at as "placedAt",
  to_char(o.placed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "placedAtKey",
  o.subtotal, o.shipping_total as "shippingTotal", o.discount_total as "discountTotal", o.tax_total as "taxTotal", o.total`

export async function ordersByIds(db: Queryable, ids: readonly string[]): Promise<OrderModel[]> {
  const { rows } = await db.query<OrderModel>(`select ${ORDER_COLUMNS} from orders.orders o where o.id = any($1::text[])`, [ids])
  return rows
}

export async function ordersByNumbers(db: Queryable, numbers: readonly string[]): Promise<OrderModel[]> {
  const { rows } = await db.query<OrderModel>(`select ${ORDER_COLUMNS} from orders.orders o where o.number = any($1::text[])`, [numbers])
  return rows
}

/** Sort key of the orders connection, newest first: (placedAtKey, id). */
export type OrderKey = readonly [placedAtKey: string, id: string]

export interface OrderPageQuery {
  /** null: every customer's orders (staff) */
  readonly customerId: string | null
  readonly status: OrderStatus | null
  readonly placedAfter: Date | null
  readonly sku: string | null
  /** newer bound (exclusive): rows after this key in newest-first order */
  readonly after: OrderKey | null
  /** older bound (exclusive): rows before this key in newest-first order */
  readonly before: OrderKey | null
  /** true: newest first from `after`; false: oldest first from `before` */
  readonly forward: boolean
  readonly limit: number
}

/** One page of orders in the query's direction, `limit` rows at most. */
export async function orderPage(db: Queryable, query: OrderPageQuery): Promise<OrderModel[]> {
  // the direction is one of two constant spellings: only values travel as parameters
  const direction = query.forward ? 'desc' : 'asc'
  const { rows } = await db.query<OrderModel>(
    `select ${ORDER_COLUMNS} from orders.orders o
     where ($1::text is null or o.customer_id = $1)
       and ($2::text is null or o.status = $2)
       and ($3::timestamptz is null or o.placed_at > $3)
       and ($4::text is null or exists (select 1 from orders.line_items li where li.order_id = o.id and li.sku = $4))
       and ($5::timestamptz is null or (o.placed_at, o.id) < ($5::timestamptz, $6::text))
       and ($7::timestamptz is null or (o.placed_at, o.id) > ($7::timestamptz, $8::text))
     order by o.placed_at ${direction}, o.id ${direction}
     limit $9`,
    [
      query.customerId,
      query.status,
      query.placedAfter,
      query.sku,
      query.after?.[0] ?? null,
      query.after?.[1] ?? null,
      query.before?.[0] ?? null,
      query.before?.[1] ?? null,
      query.limit,
    ],
  )
  return rows
}
