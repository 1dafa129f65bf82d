import type { Queryable } from '../../../platform/db.ts'

/** The order documents whose stock effect inventory applies (see migration 0002). */
export type OrderDocumentKind = 'ORDER_PLACED' | 'ORDER_CANCELLED' | 'FULFILLMENT' | 'RETURN'

/**
 * Claims a document's stock effect for this transaction: true the first time, false when it was
 * already applied. Call it before the effect, in the same transaction, so the two commit together.
 */
export async function claimOrderDocument(tx: Queryable, kind: OrderDocumentKind, documentId: string, orderId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into inventory.applied_order_documents (kind, document_id, order_id) values ($1, $2, $3) on conflict do nothing`,
    [kind, documentId, orderId],
  )
  return rowCount > 0
}

export async function isOrderDocumentApplied(tx: Queryable, kind: OrderDocumentKind, documentId: string): Promise<boolean> {
  const { rowCount } = await tx.query(`select 1 from inventory.applied_order_documents where kind = $1 and document_id = $2`, [kind, documentId])
  return rowCount > 0
}
