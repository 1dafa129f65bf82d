import type { Queryable } from '../../../platform/db.ts'
import type { JournalLineDraft } from '../ledger.ts'
import type { JournalEntryRow, JournalLineRow } from '../models.ts'

const ENTRY_COLUMNS = `e.id, e.posted_at as "postedAt", e.source_document_uri as "sourceDocumentUri", e.reverses_entry_id as "reversesEntryId"`

export async function journalEntriesByIds(db: Queryable, ids: readonly string[]): Promise<JournalEntryRow[]> {
  const { rows } = await db.query<JournalEntryRow>(`select ${ENTRY_COLUMNS} from finance.journal_entries e where e.id = any($1::text[])`, [ids])
  return rows
}

export async function journalLinesByEntryIds(db: Queryable, entryIds: readonly string[]): Promise<JournalLineRow[]> {
  const { rows } = await db.query<JournalLineRow>(
    `select entry_id as "entryId", position, account_code as "accountCode", direction, amount, currency
     from finance.journal_lines where entry_id = any($1::text[]) order by entry_id, position`,
    [entryIds],
  )
  return rows
}

export interface JournalFilter {
  readonly accountCode?: string | null | undefined
  readonly postedAfter?: Date | null | undefined
  readonly postedBefore?: Date | null | undefined
  readonly sourceDocumentUri?: string | null | undefined
}

/**
 * One page of entries in posting order, keyset-paginated on (posted_at, id); `after` is the key
 * of the last entry of the previous page. Fetches `limit` rows (callers ask one more than the
 * page to learn whether another page follows).
 */
export async function journalEntriesPage(
  db: Queryable,
  filter: JournalFilter,
  after: readonly [string, string] | null,
  limit: number,
): Promise<JournalEntryRow[]> {
  const { rows } = await db.query<JournalEntryRow>(
    `select ${ENTRY_COLUMNS} from finance.journal_entries e
     where ($1::text is null or exists (select 1 from finance.journal_lines l where l.entry_id = e.id and l.account_code = $1))
       and ($2::timestamptz is null or e.posted_at > $2)
       and ($3::timestamptz is null or e.posted_at < $3)
       and ($4::text is null or e.source_document_uri = $4)
       and ($5::timestamptz is null or (e.posted_at, e.id) > ($5::timestamptz, $6::text))
     order by e.posted_at, e.id
     limit $7`,
    [
      filter.accountCode ?? null,
      filter.postedAfter?.toISOString() ?? null,
      filter.postedBefore?.toISOString() ?? null,
      filter.sourceDocumentUri ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      limit,
    ],
  )
  return rows
}

/** The entry a source document posted first (e.g. an invoice's receivable entry). */
export async function journalEntryIdOfSource(db: Queryable, sourceDocumentUri: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `select id from finance.journal_entries where source_document_uri = $1 order by posted_at, id limit 1`,
    [sourceDocumentUri],
  )
  return rows[0]?.id ?? null
}

export interface JournalEntryDraft {
  readonly id: string
  /** null: now (to the millisecond) */
  readonly postedAt: Date | null
  readonly sourceDocumentUri: string
  readonly reversesEntryId: string | null
  readonly lines: readonly JournalLineDraft[]
}

/**
 * Posts entries with their lines in one statement, whatever their number, so even outside an
 * explicit transaction an entry never commits without its lines (hence one CTE, not two
 * `insertRows`). The ledger is append-only: there is no update or delete here, and the database
 * refuses them. Balance is checked by a deferred constraint trigger when the transaction commits.
 */
export async function postJournalEntries(db: Queryable, entries: readonly JournalEntryDraft[]): Promise<void> {
  if (entries.length === 0) return
  const lines = entries.flatMap((entry) => entry.lines.map((line, position) => ({ ...line, entryId: entry.id, position })))
  await db.query(
    `with entries as (
       insert into finance.journal_entries (id, posted_at, source_document_uri, reverses_entry_id)
       select id, coalesce(posted_at, date_trunc('milliseconds', now())), source_document_uri, reverses_entry_id
       from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[]) as e (id, posted_at, source_document_uri, reverses_entry_id)
       returning id
     )
     insert into finance.journal_lines (entry_id, position, account_code, direction, amount, currency)
     select * from unnest($5::text[], $6::int[], $7::text[], $8::text[], $9::bigint[], $10::text[])`,
    [
      entries.map((e) => e.id),
      entries.map((e) => e.postedAt?.toISOString() ?? null),
      entries.map((e) => e.sourceDocumentUri),
      entries.map((e) => e.reversesEntryId),
      lines.map((l) => l.entryId),
      lines.map((l) => l.position),
      lines.map((l) => l.accountCode),
      lines.map((l) => l.direction),
      lines.map((l) => l.amount.toString()),
      lines.map((l) => l.currency),
    ],
  )
}

export interface TrialBalanceRow {
  readonly currency: string
  readonly debits: string
  readonly credits: string
}

/** Debits and credits of the whole ledger per currency: equal in a sound ledger. */
export async function trialBalance(db: Queryable): Promise<TrialBalanceRow[]> {
  const { rows } = await db.query<TrialBalanceRow>(
    `select currency,
       coalesce(sum(amount) filter (where direction = 'DEBIT'), 0)::text as debits,
       coalesce(sum(amount) filter (where direction = 'CREDIT'), 0)::text as credits
     from finance.journal_lines group by currency order by currency`,
  )
  return rows
}

/** Entries whose debits differ from their credits in some currency (none, in a sound ledger). */
export async function unbalancedEntryIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ entryId: string }>(
    `select distinct entry_id as "entryId" from finance.journal_lines group by entry_id, currency
     having sum(case direction when 'DEBIT' then amount else -amount end) <> 0`,
  )
  return rows.map((row) => row.entryId)
}
