-- Idempotency keys of mutations, scoped to the viewer. A row is claimed ('in_flight') before the
-- mutation runs and completed in the same transaction as the mutation's effect, so a completed
-- key always means the effect committed. An in-flight claim whose lease ran out belonged to a
-- process that died before committing: it may be claimed again.
create table idempotency_keys (
  scope text not null,
  key text not null,
  operation text not null,
  request_hash text not null,
  state text not null check (state in ('in_flight', 'completed')),
  response jsonb,
  locked_until timestamptz not null,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (scope, key)
);
