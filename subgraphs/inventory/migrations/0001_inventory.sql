-- Inventory: where stock is, in which state, and the immutable ledger of every change to it.

create table locations (
  id text primary key,
  name text not null,
  type text not null check (type in ('WAREHOUSE', 'STORE', 'THIRD_PARTY_LOGISTICS', 'DROPSHIP')),
  active boolean not null default true,
  fulfills_online_orders boolean not null default false,
  country_code text not null check (country_code ~ '^[A-Z]{2}$')
);

-- The sku is the cross-domain key of a sellable item (catalog owns the variant behind it).
create table inventory_items (
  sku text primary key,
  tracked boolean not null default true
);

-- One global sequence for every level change: a level's version is monotonic per (sku, location)
-- AND comparable across levels, so `inventoryLevels(filter: { sinceVersion })` is a resync query.
create sequence level_version_seq;

-- ON_HAND is derived (AVAILABLE + COMMITTED + RESERVED + DAMAGED + SAFETY_STOCK + QUALITY_CONTROL),
-- never stored. The checks hold every state at or above zero even if application code is wrong.
create table inventory_levels (
  sku text not null references inventory_items (sku),
  location_id text not null references locations (id),
  available integer not null default 0 check (available >= 0),
  committed integer not null default 0 check (committed >= 0),
  reserved integer not null default 0 check (reserved >= 0),
  damaged integer not null default 0 check (damaged >= 0),
  safety_stock integer not null default 0 check (safety_stock >= 0),
  quality_control integer not null default 0 check (quality_control >= 0),
  incoming integer not null default 0 check (incoming >= 0),
  version bigint not null default nextval('level_version_seq'),
  updated_at timestamptz not null default now(),
  primary key (sku, location_id)
);
create index inventory_levels_location_idx on inventory_levels (location_id, sku);
create index inventory_levels_version_idx on inventory_levels (version);
create index inventory_levels_updated_at_idx on inventory_levels (updated_at);

create table adjustment_groups (
  id text primary key,
  reason text not null check (reason in ('CORRECTION', 'CYCLE_COUNT', 'RECEIVED', 'RESTOCK', 'DAMAGED', 'SHRINKAGE', 'PROMOTION',
    'QUALITY_CONTROL', 'SAFETY_STOCK', 'MOVEMENT', 'RESERVATION', 'OTHER')),
  reference_document_uri text,
  actor text,
  created_at timestamptz not null default now()
);

create table adjustment_changes (
  group_id text not null references adjustment_groups (id),
  position integer not null check (position >= 0),
  sku text not null,
  location_id text not null,
  name text not null check (name in ('AVAILABLE', 'COMMITTED', 'RESERVED', 'DAMAGED', 'SAFETY_STOCK', 'QUALITY_CONTROL', 'INCOMING')),
  delta integer not null check (delta <> 0),
  quantity_after_change integer not null,
  primary key (group_id, position),
  foreign key (sku, location_id) references inventory_levels (sku, location_id)
);
create index adjustment_changes_level_idx on adjustment_changes (sku, location_id);

-- The ledger is append-only: history is corrected by a new group, never by editing an old one.
create function refuse_ledger_edit() returns trigger language plpgsql as $$
begin
  raise exception 'the inventory adjustment ledger is append-only (% on %)', tg_op, tg_table_name;
end
$$;
create trigger adjustment_groups_append_only before update or delete on adjustment_groups
  for each row execute function refuse_ledger_edit();
create trigger adjustment_changes_append_only before update or delete on adjustment_changes
  for each row execute function refuse_ledger_edit();

create table reservations (
  id text primary key,
  sku text not null,
  location_id text not null,
  quantity integer not null check (quantity > 0),
  status text not null check (status in ('ACTIVE', 'CONSUMED', 'RELEASED', 'EXPIRED')),
  expires_at timestamptz,
  reference_document_uri text not null,
  created_at timestamptz not null default now(),
  foreign key (sku, location_id) references inventory_levels (sku, location_id)
);
-- the expiry sweep reads only what is still active
create index reservations_active_expiry_idx on reservations (expires_at) where status = 'ACTIVE';

-- Where an order line's units were committed (the line itself belongs to orders).
create table allocations (
  line_item_id text not null,
  sku text not null,
  location_id text not null references locations (id),
  quantity integer not null check (quantity > 0),
  primary key (line_item_id, location_id)
);

-- A purchase order (no origin) or a transfer between locations; its open quantity is INCOMING.
create table replenishments (
  id text primary key,
  origin_location_id text references locations (id),
  destination_location_id text not null references locations (id),
  status text not null check (status in ('DRAFT', 'ORDERED', 'IN_TRANSIT', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED')),
  expected_at timestamptz,
  created_at timestamptz not null default now(),
  check (origin_location_id is distinct from destination_location_id)
);

create table replenishment_lines (
  replenishment_id text not null references replenishments (id),
  position integer not null,
  sku text not null references inventory_items (sku),
  quantity integer not null check (quantity > 0),
  received_quantity integer not null default 0 check (received_quantity >= 0 and received_quantity <= quantity),
  primary key (replenishment_id, position)
);
