import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { ReconciliationStatus, SettlementRow } from '../models.ts'

const COLUMNS = `s.id, s.gateway, s.payout_date as "payoutDate", s.currency, s.gross, s.fees, s.net, s.status`

export async function settlementsByIds(db: Queryable, ids: readonly string[]): Promise<SettlementRow[]> {
  const { rows } = await db.query<SettlementRow>(`select ${COLUMNS} from finance.settlements s where s.id = any($1::text[])`, [ids])
  return rows
}

/** One page of settlements by payout date, keyset-paginated on (payout_date, id). */
export async function settlementsPage(
  db: Queryable,
  status: ReconciliationStatus | null,
  after: readonly [string, string] | null,
  limit: number,
): Promise<SettlementRow[]> {
  const { rows } = await db.query<SettlementRow>(
    `select ${COLUMNS} from finance.settlements s
     where ($1::text is null or s.status = $1)
       and ($2::timestamptz is null or (s.payout_date, s.id) > ($2::timestamptz, $3::text))
     order by s.payout_date, s.id
     limit $4`,
    [status, after?.[0] ?? null, after?.[1] ?? null, limit],
  )
  return rows
}

export interface SettlementTransactionInsert {
  readonly settlementId: string
  readonly transactionId: string
  readonly settledAmount: bigint
  readonly matched: boolean
}

export async function insertSettlements(
  db: Queryable,
  settlements: readonly SettlementRow[],
  transactions: readonly SettlementTransactionInsert[],
): Promise<void> {
  if (settlements.length === 0) return
  await insertRows(db, 'finance.settlements', settlements, {
    id: 'text', gateway: 'text', payoutDate: 'timestamptz', currency: 'text', gross: 'bigint', fees: 'bigint', net: 'bigint', status: 'text',
  })
  await insertRows(db, 'finance.settlement_transactions', transactions, {
    settlementId: 'text', transactionId: 'text', settledAmount: 'bigint', matched: 'boolean',
  })
}
