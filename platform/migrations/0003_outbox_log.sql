-- The outbox doubles as the schema's event log. The relay numbers each row with `log_position`
-- when it first publishes it, in publication order (rows may commit out of `position` order on
-- PostgreSQL; publication order is what live subscribers see), so a subscriber's cursor is a
-- log position: replay is `log_position > cursor`, gap-free and duplicate-free against the live
-- feed. Published rows older than the retention are pruned by the relay.
alter table outbox add column log_position bigint;
create unique index outbox_log_position on outbox (log_position) where log_position is not null;
create sequence outbox_log_seq;
create index outbox_published_at on outbox (published_at) where published_at is not null;
