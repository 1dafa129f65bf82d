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

/**
 * `claimOrderDocument` and, in the same statement, whether the document `unlessKind` of the same
 * id was applied already (an order's cancellation that got here before its placement):
 * 'applied' when the claim was taken before, 'superseded' when it is taken now but the other
 * document was applied, 'claimed' otherwise. The claim is kept in every case, as with the two calls.
 */
export async function claimOrderDocumentUnless(
  tx: Queryable,
  kind: OrderDocumentKind,
  documentId: string,
  orderId: string,
  unlessKind: OrderDocumentKind,
): Promise<'claimed' | 'applied' | 'superseded'> {
  const { rows } = await tx.query<{ claimed: boolean; superseded: boolean }>(
    `with claimed as (
       insert into inventory.applied_order_documents (kind, document_id, order_id) values ($1, $2, $3) on conflict do nothing returning 1
     )
     select exists (select 1 from claimed) as claimed,
            exists (select 1 from inventory.applied_order_documents where kind = $4 and document_id = $2) as superseded`,
    [kind, documentId, orderId, unlessKind],
  )
  const row = rows[0]
  if (!row?.claimed) return 'applied'
  return row.superseded ? 'superseded' : 'claimed'
}
