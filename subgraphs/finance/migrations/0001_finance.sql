-- Finance: payments and their append-only PSP transactions, invoices, refunds, the double-entry
-- ledger and PSP settlements. Money is integer minor units (bigint) plus an ISO 4217 currency.

-- Finance's own copy of what it must know about an order (filled from OrderPlaced): who owns it,
-- what it costs and what it is made of, so invoices can be issued without asking orders.
create table order_accounts (
  order_id text primary key,
  customer_id text not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  subtotal bigint not null check (subtotal >= 0),
  tax_total bigint not null check (tax_total >= 0),
  total bigint not null check (total >= 0),
  status text not null check (status in ('OPEN', 'CANCELLED', 'CLOSED')),
  placed_at timestamptz not null
);
create index order_accounts_customer on order_accounts (customer_id);

create table order_account_lines (
  order_id text not null references order_accounts (order_id),
  position int not null check (position >= 0),
  line_item_id text not null,
  description text not null,
  quantity int not null check (quantity > 0),
  unit_price bigint not null check (unit_price >= 0),
  tax_lines jsonb not null default '[]',
  total bigint not null check (total >= 0),
  primary key (order_id, position)
);

create table payments (
  id text primary key default 'pay_' || replace(gen_random_uuid()::text, '-', ''),
  order_id text not null references order_accounts (order_id),
  customer_id text not null,
  gateway text not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  authorized bigint not null check (authorized >= 0),
  captured bigint not null default 0 check (captured >= 0),
  refunded bigint not null default 0 check (refunded >= 0),
  voided boolean not null default false,
  created_at timestamptz not null default now(),
  -- the balances the conditional updates of capture and refund rely on
  check (captured <= authorized),
  check (refunded <= captured)
);
create index payments_order on payments (order_id);

create table refunds (
  id text primary key default 'ref_' || replace(gen_random_uuid()::text, '-', ''),
  order_id text not null references order_accounts (order_id),
  payment_id text not null references payments (id),
  customer_id text not null,
  return_id text,
  currency text not null,
  amount bigint not null check (amount > 0),
  note text,
  created_at timestamptz not null default now()
);
create index refunds_order on refunds (order_id);

create table payment_transactions (
  id text primary key default 'txn_' || replace(gen_random_uuid()::text, '-', ''),
  payment_id text not null references payments (id),
  refund_id text references refunds (id),
  kind text not null check (kind in ('AUTHORIZATION', 'CAPTURE', 'SALE', 'VOID', 'REFUND', 'CHARGEBACK')),
  status text not null check (status in ('PENDING', 'SUCCESS', 'FAILURE')),
  amount bigint not null check (amount >= 0),
  currency text not null,
  psp_reference text,
  parent_transaction_id text references payment_transactions (id),
  idempotency_key text,
  created_at timestamptz not null default now(),
  check ((kind = 'REFUND') = (refund_id is not null))
);
create index payment_transactions_payment on payment_transactions (payment_id, created_at, id);
create index payment_transactions_refund on payment_transactions (refund_id) where refund_id is not null;

create sequence invoice_number_seq;
create table invoices (
  id text primary key default 'inv_' || replace(gen_random_uuid()::text, '-', ''),
  number text not null unique check (number ~ '^INV-\d{4}-\d{5,}$'),
  order_id text not null references order_accounts (order_id),
  customer_id text not null,
  status text not null check (status in ('DRAFT', 'ISSUED', 'PAID', 'VOID', 'CREDITED')),
  issued_at timestamptz,
  currency text not null,
  subtotal bigint not null check (subtotal >= 0),
  tax_total bigint not null check (tax_total >= 0),
  total bigint not null check (total >= 0),
  check ((status = 'DRAFT') = (issued_at is null))
);
-- one live invoice per order: invoiceIssue relies on it to stay idempotent under races
create unique index invoices_one_live_per_order on invoices (order_id) where status in ('ISSUED', 'PAID', 'CREDITED');

create table invoice_lines (
  invoice_id text not null references invoices (id),
  position int not null check (position >= 0),
  line_item_id text,
  description text not null,
  quantity int not null check (quantity > 0),
  unit_price bigint not null check (unit_price >= 0),
  tax_lines jsonb not null default '[]',
  total bigint not null check (total >= 0),
  primary key (invoice_id, position)
);

-- ── The ledger: append-only and balanced, enforced here rather than trusted to the code ──
-- posted_at is kept to the millisecond so that keyset cursors (RFC 3339 with ms) are exact.
create table journal_entries (
  id text primary key default 'je_' || replace(gen_random_uuid()::text, '-', ''),
  posted_at timestamptz not null default date_trunc('milliseconds', now())
    check (posted_at = date_trunc('milliseconds', posted_at)),
  source_document_uri text not null,
  -- a correction never edits: it posts an entry that reverses (part of) an earlier one
  reverses_entry_id text references journal_entries (id)
);
create index journal_entries_posted on journal_entries (posted_at, id);
create index journal_entries_source on journal_entries (source_document_uri);

create table journal_lines (
  entry_id text not null references journal_entries (id),
  position int not null check (position >= 0),
  account_code text not null check (account_code in ('1000', '1100', '2200', '4000', '6100')),
  direction text not null check (direction in ('DEBIT', 'CREDIT')),
  amount bigint not null check (amount > 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  primary key (entry_id, position)
);
create index journal_lines_account on journal_lines (account_code, entry_id);

create function forbid_append_only_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: % is not allowed', tg_table_name, tg_op using errcode = 'raise_exception';
end
$$;
create trigger journal_entries_append_only before update or delete on journal_entries
  for each row execute function forbid_append_only_change();
create trigger journal_lines_append_only before update or delete on journal_lines
  for each row execute function forbid_append_only_change();
create trigger payment_transactions_append_only before update or delete on payment_transactions
  for each row execute function forbid_append_only_change();

-- Checked at commit (deferred), so an entry and its lines can be inserted in any order within
-- one transaction; a transaction that leaves an entry without lines, or unbalanced in any
-- currency, fails as a whole. `set search_path from current` pins the functions to this schema:
-- they run at commit, under whatever search_path the committing session has.
create function check_journal_entry_has_lines() returns trigger language plpgsql set search_path from current as $$
begin
  if not exists (select 1 from journal_lines where entry_id = new.id) then
    raise exception 'journal entry % has no lines', new.id using errcode = 'check_violation';
  end if;
  return null;
end
$$;
create function check_journal_entry_balanced() returns trigger language plpgsql set search_path from current as $$
declare
  unbalanced text;
begin
  select currency into unbalanced from journal_lines where entry_id = new.entry_id group by currency
    having sum(case direction when 'DEBIT' then amount else -amount end) <> 0 limit 1;
  if unbalanced is not null then
    raise exception 'journal entry % is unbalanced in %: debits must equal credits', new.entry_id, unbalanced
      using errcode = 'check_violation';
  end if;
  return null;
end
$$;
create constraint trigger journal_entries_have_lines after insert on journal_entries
  deferrable initially deferred for each row execute function check_journal_entry_has_lines();
create constraint trigger journal_lines_balanced after insert on journal_lines
  deferrable initially deferred for each row execute function check_journal_entry_balanced();

-- ── Settlements: PSP payouts reconciled against our transactions ──
create table settlements (
  id text primary key,
  gateway text not null,
  payout_date timestamptz not null check (payout_date = date_trunc('milliseconds', payout_date)),
  currency text not null,
  gross bigint not null check (gross >= 0),
  fees bigint not null check (fees >= 0),
  net bigint not null,
  status text not null check (status in ('UNMATCHED', 'PARTIALLY_MATCHED', 'MATCHED', 'DISCREPANCY')),
  check (net = gross - fees)
);
create index settlements_payout on settlements (payout_date, id);

create table settlement_transactions (
  settlement_id text not null references settlements (id),
  transaction_id text not null references payment_transactions (id),
  -- what the PSP reported for this transaction; matched when it agrees with our record
  settled_amount bigint not null,
  matched boolean not null,
  primary key (settlement_id, transaction_id)
);
