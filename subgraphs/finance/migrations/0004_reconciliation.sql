-- Reconciliation against the payment provider's daily settlement files: each file imported once
-- (by its id), its payouts as settlements, and every disagreement with finance's transactions
-- as an item that stays open until staff resolve it with a note.

-- A PSP debits a payout when a day's refunds exceed its captures: the gross can be negative.
alter table settlements drop constraint settlements_gross_check;

create table settlement_files (
  id text primary key,
  gateway text not null,
  settlement_date date not null,
  -- the file as the provider delivered it, kept for audit
  content jsonb not null,
  imported_at timestamptz not null default now(),
  unique (gateway, settlement_date)
);

create table reconciliation_items (
  id text primary key default 'rci_' || replace(gen_random_uuid()::text, '-', ''),
  file_id text not null references settlement_files (id),
  settlement_id text references settlements (id),
  settlement_date date not null,
  kind text not null check (kind in ('MISSING_IN_SETTLEMENT', 'MISSING_IN_LEDGER', 'AMOUNT_MISMATCH', 'DUPLICATE_LINE', 'CURRENCY_MISMATCH')),
  psp_reference text not null,
  -- finance's transaction, when it has one (not for MISSING_IN_LEDGER)
  transaction_id text references payment_transactions (id),
  -- the item's currency: finance's when it has the transaction, else the file line's
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  recorded_amount bigint,
  settled_amount bigint,
  settled_currency text,
  reason text not null,
  status text not null check (status in ('OPEN', 'RESOLVED')),
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  resolved_at timestamptz,
  resolved_by text,
  resolution_note text,
  check ((status = 'RESOLVED') = (resolved_at is not null and resolution_note is not null))
);
create index reconciliation_items_period on reconciliation_items (currency, settlement_date, created_at, id);
create index reconciliation_items_file on reconciliation_items (file_id);
