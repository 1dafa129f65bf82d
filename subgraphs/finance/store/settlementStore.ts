import type { Queryable } from '../../../platform/db.ts'
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
  await db.query(
    `insert into finance.settlements (id, gateway, payout_date, currency, gross, fees, net, status)
     select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[])`,
    [
      settlements.map((s) => s.id),
      settlements.map((s) => s.gateway),
      settlements.map((s) => s.payoutDate.toISOString()),
      settlements.map((s) => s.currency),
      settlements.map((s) => s.gross),
      settlements.map((s) => s.fees),
      settlements.map((s) => s.net),
      settlements.map((s) => s.status),
    ],
  )
  await db.query(
    `insert into finance.settlement_transactions (settlement_id, transaction_id, settled_amount, matched)
     select * from unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[])`,
    [
      transactions.map((t) => t.settlementId),
      transactions.map((t) => t.transactionId),
      transactions.map((t) => t.settledAmount.toString()),
      transactions.map((t) => t.matched),
    ],
  )
}
