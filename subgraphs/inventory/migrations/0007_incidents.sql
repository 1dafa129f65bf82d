-- Incidents of inventory's external integrations (the supplier AUTO purchase orders are placed
-- with): one per episode of its circuit breaker, from open to closed again (platform/incidents.ts
-- records and posts them). The same table as finance's 0003_incidents.sql: the recorder needs it.
create table incidents (
  id text primary key default 'inc_' || replace(gen_random_uuid()::text, '-', ''),
  integration text not null,
  status text not null check (status in ('OPEN', 'RESOLVED')),
  summary text not null,
  -- the failure that opened the breaker, then the one that last opened it again
  last_error text,
  -- to the millisecond, so that keyset cursors (RFC 3339 with ms) are exact
  opened_at timestamptz not null default date_trunc('milliseconds', now())
    check (opened_at = date_trunc('milliseconds', opened_at)),
  resolved_at timestamptz,
  -- when INCIDENT_WEBHOOK_URL accepted incident.opened / incident.resolved; its last failure
  notified_at timestamptz,
  resolution_notified_at timestamptz,
  notify_error text,
  check ((status = 'RESOLVED') = (resolved_at is not null))
);
-- one OPEN incident per integration: replicas whose breakers open together share it (insert if absent)
create unique index incidents_one_open on incidents (integration) where status = 'OPEN';
create index incidents_opened on incidents (opened_at desc, id desc);
