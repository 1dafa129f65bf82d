-- The transactional outbox: a service writes its state change and the event in one transaction;
-- the relay publishes unpublished rows in position order. No uniqueness on the event id: an
-- operator's replay of a dead letter appends the same event again (consumers dedupe by id).
create table outbox (
  position bigserial primary key,
  id uuid not null,
  type text not null,
  source text not null,
  aggregate_type text not null,
  aggregate_id text not null,
  sequence bigint not null,
  occurred_at timestamptz not null,
  trace_context jsonb not null default '{}',
  payload jsonb not null,
  published_at timestamptz
);
create index outbox_unpublished on outbox (position) where published_at is null;

-- Per-aggregate event sequence: the upsert takes a row lock, so concurrent writers to one
-- aggregate get consecutive numbers in commit order.
create table aggregate_sequences (
  aggregate_type text not null,
  aggregate_id text not null,
  last_sequence bigint not null,
  primary key (aggregate_type, aggregate_id)
);

-- One relay per schema at a time (replicas contend for the lease), so per-aggregate order holds.
create table outbox_relay_lease (
  singleton boolean primary key default true check (singleton),
  holder text not null,
  expires_at timestamptz not null
);

-- Idempotent consumers: the event id is recorded in the same transaction as its effect.
create table processed_events (
  consumer text not null,
  event_id uuid not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);

-- Events a consumer gave up on after its bounded retries; `npm run dlq` lists and replays them.
create table dead_letters (
  id bigserial primary key,
  consumer text not null,
  event_id uuid not null,
  event jsonb not null,
  error text not null,
  attempts int not null,
  failed_at timestamptz not null default now(),
  replayed_at timestamptz
);
