import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import { JOINED_LINE_ITEM_COLUMNS, withJoinedLineItem } from './lineItemStore.ts'
import type { ReturnLineModel, ReturnModel, ReturnStatus } from '../models.ts'

const RETURN_COLUMNS = `r.id, r.order_id as "orderId", r.status, r.created_at as "createdAt", o.customer_id as "customerId"`

export async function returnsByIds(db: Queryable, ids: readonly string[]): Promise<ReturnModel[]> {
  const { rows } = await db.query<ReturnModel>(
    `select ${RETURN_COLUMNS} from orders.returns r join orders.orders o on o.id = r.order_id where r.id = any($1::text[])`,
    [ids],
  )
  return rows
}

export async function returnsByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<ReturnModel[]> {
  const { rows } = await db.query<ReturnModel>(
    `select ${RETURN_COLUMNS} from orders.returns r join orders.orders o on o.id = r.order_id
     where r.order_id = any($1::text[]) order by r.created_at, r.id`,
    [orderIds],
  )
  return rows
}

export async function returnLinesByReturnIds(db: Queryable, returnIds: readonly string[]): Promise<ReturnLineModel[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select l.return_id as "returnId", l.line_item_id as "lineItemId", l.quantity, l.reason, l.restock, ${JOINED_LINE_ITEM_COLUMNS}
     from orders.return_lines l join orders.line_items li on li.id = l.line_item_id join orders.orders o on o.id = li.order_id
     where l.return_id = any($1::text[]) order by l.return_id, li.position`,
    [returnIds],
  )
  return rows.map((row) => withJoinedLineItem<Omit<ReturnLineModel, 'lineItem'>>(row))
}

export interface NewReturn {
  readonly id: string
  readonly orderId: string
  readonly status: ReturnStatus
  readonly lines: readonly { lineItemId: string; quantity: number; reason: string | null; restock: boolean }[]
}

/** Writes a return and its lines (returnCreate's effect; tests write returns of other statuses with it). */
export async function insertReturn(tx: Queryable, entry: NewReturn): Promise<void> {
  await insertRows(tx, 'orders.returns', [entry], {
    id: ['text', (r) => r.id],
    order_id: ['text', (r) => r.orderId],
    status: ['text', (r) => r.status],
  })
  await insertRows(tx, 'orders.return_lines', entry.lines, {
    return_id: ['text', () => entry.id],
    line_item_id: ['text', (l) => l.lineItemId],
    quantity: ['int', (l) => l.quantity],
    reason: ['text', (l) => l.reason],
    restock: ['boolean', (l) => l.restock],
  })
}
