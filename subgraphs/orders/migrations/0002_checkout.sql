-- Checkout and the after-sale flows: carts are checked out once, orders keep a timeline and the
-- reason they were cancelled, fulfillment order lines count what shipped and came back.

-- Set by checkout with a conditional update (`where checked_out_at is null`): two concurrent
-- checkouts of one cart cannot both place an order.
alter table carts add column checked_out_at timestamptz;

alter table orders add column cancel_reason text;
alter table orders add column cancelled_at timestamptz;
-- What finance reported, so that a full refund after a full return can close the order.
alter table orders add column captured_total bigint not null default 0 check (captured_total >= 0);
alter table orders add column refunded_total bigint not null default 0 check (refunded_total >= 0);
-- orders cancelled before this column existed: the best known time is when they were placed
update orders set cancelled_at = placed_at where status = 'CANCELLED';
alter table orders add check ((status = 'CANCELLED') = (cancelled_at is not null));

-- The inventory reservation that holds a checked-out line's units (null for the demo store's
-- orders, whose units were committed directly). Adding a column fires no row trigger: line
-- items stay an immutable snapshot.
alter table line_items add column reservation_id text;

-- A line item is shipped from exactly one location (one reservation per line), so it is on one
-- fulfillment order; the counters make over-fulfilling and over-returning a failed conditional
-- update instead of a read-then-write race.
create unique index fulfillment_order_lines_line_item_id on fulfillment_order_lines (line_item_id);
alter table fulfillment_order_lines add column fulfilled_quantity integer not null default 0;
alter table fulfillment_order_lines add column returned_quantity integer not null default 0;
update fulfillment_order_lines l set fulfilled_quantity = coalesce((
  select sum(fl.quantity) from fulfillment_lines fl join fulfillments f on f.id = fl.fulfillment_id
  where f.fulfillment_order_id = l.fulfillment_order_id and fl.line_item_id = l.line_item_id), 0);
update fulfillment_order_lines l set returned_quantity = coalesce((
  select sum(rl.quantity) from return_lines rl where rl.line_item_id = l.line_item_id), 0);
alter table fulfillment_order_lines add check (fulfilled_quantity between 0 and quantity);
alter table fulfillment_order_lines add check (returned_quantity between 0 and fulfilled_quantity);

create table order_timeline (
  id bigint generated always as identity primary key,
  order_id text not null references orders (id),
  type text not null check (type in ('PLACED', 'PAYMENT_AUTHORIZED', 'PAYMENT_DECLINED', 'PAYMENT_CAPTURED', 'PAYMENT_VOIDED',
    'CANCELLED', 'FULFILLMENT_CREATED', 'RETURN_CREATED', 'REFUND_ISSUED', 'CLOSED')),
  occurred_at timestamptz not null default now(),
  message text not null
);
create index order_timeline_order_id on order_timeline (order_id, occurred_at, id);
