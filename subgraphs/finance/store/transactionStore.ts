import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { TransactionKind, TransactionRow } from '../models.ts'

const COLUMNS = `t.id, t.payment_id as "paymentId", t.refund_id as "refundId", t.kind, t.status, t.amount, t.currency,
  t.psp_reference as "pspReference", t.parent_transaction_id as "parentTransactionId", t.idempotency_key as "idempotencyKey",
  t.created_at as "createdAt"`

/** The transactions of each payment (or refund), oldest first. */
const transactionsBy = (parent: 'payment_id' | 'refund_id') => async (db: Queryable, ids: readonly string[]): Promise<TransactionRow[]> => {
  const { rows } = await db.query<TransactionRow>(
    `select ${COLUMNS} from finance.payment_transactions t where t.${parent} = any($1::text[]) order by t.created_at, t.id`,
    [ids],
  )
  return rows
}

export const transactionsByPaymentIds = transactionsBy('payment_id')
export const transactionsByRefundIds = transactionsBy('refund_id')

export async function transactionsByIds(db: Queryable, ids: readonly string[]): Promise<TransactionRow[]> {
  const { rows } = await db.query<TransactionRow>(`select ${COLUMNS} from finance.payment_transactions t where t.id = any($1::text[])`, [ids])
  return rows
}

/** The transactions a PSP payout reported that did not agree with ours. */
export async function unmatchedTransactionsBySettlementIds(
  db: Queryable,
  settlementIds: readonly string[],
): Promise<(TransactionRow & { settlementId: string })[]> {
  const { rows } = await db.query<TransactionRow & { settlementId: string }>(
    `select s.settlement_id as "settlementId", ${COLUMNS}
     from finance.settlement_transactions s join finance.payment_transactions t on t.id = s.transaction_id
     where s.settlement_id = any($1::text[]) and not s.matched
     order by t.created_at, t.id`,
    [settlementIds],
  )
  return rows
}

/** The PSP's reference of a payment's successful authorization: what captures, refunds and voids name. */
export async function authorizationsOfPayments(
  db: Queryable,
  paymentIds: readonly string[],
): Promise<{ paymentId: string; id: string; pspReference: string | null }[]> {
  const { rows } = await db.query<{ paymentId: string; id: string; pspReference: string | null }>(
    `select distinct on (payment_id) payment_id as "paymentId", id, psp_reference as "pspReference"
     from finance.payment_transactions where payment_id = any($1::text[]) and kind = 'AUTHORIZATION' and status = 'SUCCESS'
     order by payment_id, created_at desc, id desc`,
    [paymentIds],
  )
  return rows
}

/** The latest successful transaction of a kind on a payment: the parent of the next step. */
export async function latestTransactionId(db: Queryable, paymentId: string, kind: TransactionKind): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `select id from finance.payment_transactions where payment_id = $1 and kind = $2 and status = 'SUCCESS'
     order by created_at desc, id desc limit 1`,
    [paymentId, kind],
  )
  return rows[0]?.id ?? null
}

export interface TransactionInsert extends Omit<TransactionRow, 'amount' | 'createdAt'> {
  readonly amount: bigint
  /** null: now */
  readonly createdAt: Date | null
}

/** Transactions are append-only (a trigger refuses updates and deletes): this is their only write. */
export async function insertTransactions(db: Queryable, transactions: readonly TransactionInsert[]): Promise<void> {
  await insertRows(db, 'finance.payment_transactions', transactions, {
    id: 'text', paymentId: 'text', refundId: 'text', kind: 'text', status: 'text', amount: 'bigint', currency: 'text', pspReference: 'text',
    parentTransactionId: 'text', idempotencyKey: 'text', createdAt: ['timestamptz', (t) => t.createdAt, 'coalesce(created_at, now())'],
  })
}
