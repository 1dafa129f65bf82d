-- Inventory's part of the order flow: the reasons order events write into the ledger, how much of
-- an allocation has shipped, and which order documents have had their stock effect.

alter table adjustment_groups drop constraint adjustment_groups_reason_check;
alter table adjustment_groups add constraint adjustment_groups_reason_check check (reason in ('CORRECTION', 'CYCLE_COUNT', 'RECEIVED',
  'RESTOCK', 'DAMAGED', 'SHRINKAGE', 'PROMOTION', 'QUALITY_CONTROL', 'SAFETY_STOCK', 'MOVEMENT', 'RESERVATION', 'OTHER',
  'ORDER_PLACED', 'ORDER_CANCELLED', 'FULFILLMENT'));

-- The allocation's units still COMMITTED are quantity - fulfilled_quantity; the rest has shipped.
alter table allocations add column fulfilled_quantity integer not null default 0;
alter table allocations add constraint allocations_fulfilled_quantity_check check (fulfilled_quantity >= 0 and fulfilled_quantity <= quantity);

-- An order document (the placed order, its cancellation, a fulfillment, a return) whose stock
-- effect was applied. The effect inserts its row first, so it happens once per document even when
-- the fact arrives again under another event id, and an order whose cancellation was applied
-- first (its OrderPlaced dead-lettered and replayed later) never commits stock.
create table applied_order_documents (
  kind text not null check (kind in ('ORDER_PLACED', 'ORDER_CANCELLED', 'FULFILLMENT', 'RETURN')),
  document_id text not null,
  order_id text not null,
  applied_at timestamptz not null default now(),
  primary key (kind, document_id)
);
