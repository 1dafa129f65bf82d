import type { Queryable } from '../../../platform/db.ts'
import type { LineItemModel } from '../models.ts'

// the order lends its owner (ownership checks) and currency (money fields) to each line
const LINE_ITEM_COLUMNS = `li.id, li.order_id as "orderId", li.position, li.sku, li.title, li.quantity,
  o.currency, o.customer_id as "customerId", li.unit_price as "unitPrice", li.discount_total as "discountTotal",
  li.tax_lines as "taxLines", li.total`

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
