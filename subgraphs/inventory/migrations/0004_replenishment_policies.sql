-- When and how much to reorder per SKU and location (forecast/replenishment.ts), and the drafts
-- the order-events consumer writes when demand takes a level below its reorder point.

-- One policy per level. Every policy suggests (drafts a replenishment for staff to approve);
-- placing orders with a supplier automatically is not offered yet.
create table replenishment_policies (
  sku text not null,
  location_id text not null,
  supplier_id text not null check (supplier_id <> ''),
  lead_time_days integer not null check (lead_time_days >= 0),
  review_period_days integer not null check (review_period_days >= 1),
  service_level double precision not null check (service_level >= 0.5 and service_level < 1),
  minimum_order_quantity integer not null check (minimum_order_quantity >= 0),
  pack_size integer not null check (pack_size >= 1),
  updated_at timestamptz not null default now(),
  primary key (sku, location_id),
  foreign key (sku, location_id) references inventory_levels (sku, location_id)
);

-- A drafted purchase order's supplier and the need it answers (forecast/replenishment.ts
-- needKey: sku, location and review window): one draft per need, however many events ask.
alter table replenishments add column supplier_id text;
alter table replenishments add column need_key text;
create unique index replenishments_need_key_idx on replenishments (need_key);
-- the drafts of a level, newest first
create index replenishments_destination_status_idx on replenishments (destination_location_id, status);

-- A purchase order approved (its units enter INCOMING) or cancelled while ordered (its open units
-- leave INCOMING): the ledger reason of those changes. Receiving is RECEIVED, as by hand.
alter table adjustment_groups drop constraint adjustment_groups_reason_check;
alter table adjustment_groups add constraint adjustment_groups_reason_check check (reason in ('CORRECTION', 'CYCLE_COUNT', 'RECEIVED',
  'RESTOCK', 'DAMAGED', 'SHRINKAGE', 'PROMOTION', 'QUALITY_CONTROL', 'SAFETY_STOCK', 'MOVEMENT', 'RESERVATION', 'OTHER',
  'ORDER_PLACED', 'ORDER_CANCELLED', 'FULFILLMENT', 'PURCHASE_ORDER'));
