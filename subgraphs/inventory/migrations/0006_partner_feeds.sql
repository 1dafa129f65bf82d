-- Partner feeds (feeds/ reads them): every file a partner sends, the mapping of each partner's
-- files of each kind onto our fields, the batches applied and the shipments already taken out.

-- One row per file received. The bytes are kept until the file is applied or rejected, so a file
-- that waits for its mapping's approval is applied from what the partner sent, not a copy of it.
create table partner_feeds (
  id text primary key,
  partner_id text not null,
  kind text not null check (kind in ('stock-snapshot', 'shipment-confirmation')),
  content_hash text not null check (content_hash ~ '^[0-9a-f]{64}$'),
  byte_size integer not null check (byte_size >= 0),
  content bytea,
  status text not null check (status in ('RECEIVED', 'AWAITING_MAPPING', 'APPLIED', 'REJECTED', 'DUPLICATE')),
  -- a token's `locations` claim, as it was when the file came: null means every location
  allowed_location_ids text[],
  -- the earlier file this one repeats (DUPLICATE)
  duplicate_of text references partner_feeds (id),
  -- every failing row (feeds/rowErrors.ts RowError), REJECTED only
  row_errors jsonb not null default '[]'::jsonb,
  -- why the approved mapping could not read the file at all (REJECTED): { code, message, problems }
  file_error jsonb,
  -- what was applied (APPLIED): key, reason, records, changes, references skipped
  summary jsonb,
  adjustment_group_id text references adjustment_groups (id),
  received_at timestamptz not null default now(),
  applied_at timestamptz,
  -- arrival order within a partner and kind (received_at may tie)
  arrival bigserial not null
);
create index partner_feeds_partner_idx on partner_feeds (partner_id, kind, arrival);
create index partner_feeds_waiting_idx on partner_feeds (partner_id, kind, arrival) where status in ('RECEIVED', 'AWAITING_MAPPING');
create index partner_feeds_hash_idx on partner_feeds (partner_id, content_hash);
create index partner_feeds_arrival_idx on partner_feeds (arrival);

-- One mapping per partner and kind: PROPOSED from the first file, APPROVED by staff.
create table partner_feed_mappings (
  partner_id text not null,
  kind text not null check (kind in ('stock-snapshot', 'shipment-confirmation')),
  status text not null check (status in ('PROPOSED', 'APPROVED')),
  -- feeds/propose.ts MappingProposal: mapping, confidences, candidates, review notes
  proposal jsonb not null,
  -- the headers of the file the proposal was made from (an edited mapping is checked against them)
  headers jsonb not null,
  proposed_from text not null references partner_feeds (id),
  proposed_at timestamptz not null default now(),
  -- the mapping as approved (feeds/mapping.ts FeedMapping), maybe edited from the proposal
  mapping jsonb,
  approved_by text,
  approved_at timestamptz,
  primary key (partner_id, kind),
  check ((status = 'APPROVED') = (mapping is not null and approved_at is not null))
);

-- The batch key (`feed:<partnerId>:<contentHash>`) of every applied file: the same file is never
-- applied twice, however often it is sent or however many requests race with it.
create table partner_feed_batches (
  idempotency_key text primary key,
  feed_id text not null references partner_feeds (id),
  applied_at timestamptz not null default now()
);

-- The shipments (the partner's own reference) already taken out of stock: a shipment repeated
-- in a later file is reported, not applied again.
create table partner_shipments (
  partner_id text not null,
  reference text not null,
  feed_id text not null references partner_feeds (id),
  primary key (partner_id, reference)
);
