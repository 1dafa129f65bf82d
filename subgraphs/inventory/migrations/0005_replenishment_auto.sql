-- AUTO replenishment: a policy may place its purchase orders with the supplier itself, through the
-- supplier adapter (suppliers/), instead of drafting them for staff to approve.

alter table replenishment_policies add column mode text not null default 'SUGGEST' check (mode in ('SUGGEST', 'AUTO'));

-- SUBMITTED: recorded for its need (with the outbox event PurchaseOrderSubmitted) and waiting for
-- the placement worker, not acknowledged yet, not INCOMING. PLACEMENT_FAILED: the supplier
-- rejected it, or never answered; staff retry or cancel it.
alter table replenishments drop constraint replenishments_status_check;
alter table replenishments add constraint replenishments_status_check check (status in ('DRAFT', 'SUBMITTED', 'PLACEMENT_FAILED', 'ORDERED',
  'IN_TRANSIT', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'));

-- The placement with the supplier: the idempotency key the supplier knows the order by (the
-- replenishment's id; a new one only after the supplier rejected it), the attempts made, the last
-- failure in words of our own (never the supplier's address), and what the acknowledgement said.
alter table replenishments add column supplier_order_key text unique;
alter table replenishments add column placement_attempts integer not null default 0 check (placement_attempts >= 0);
alter table replenishments add column placement_error text;
-- the supplier's code when it rejected the order (a retry then asks under a new key), else null
alter table replenishments add column rejection_code text;
alter table replenishments add column supplier_reference text;
alter table replenishments add column acknowledged_at timestamptz;

-- What was asked of the supplier when it accepted less (null: it accepted all); a line it accepted
-- none of keeps quantity 0.
alter table replenishment_lines add column requested_quantity integer check (requested_quantity > 0);
alter table replenishment_lines drop constraint replenishment_lines_quantity_check;
alter table replenishment_lines add constraint replenishment_lines_quantity_check check (quantity >= 0);

-- When the placement worker may next take a SUBMITTED order: now for a new one; while a worker
-- holds it, the end of its lease; after no answer, the end of the pause before the next try.
alter table replenishments add column next_placement_at timestamptz;
create index replenishments_placing_idx on replenishments (next_placement_at) where status = 'SUBMITTED';
