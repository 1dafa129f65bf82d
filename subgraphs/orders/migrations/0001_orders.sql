-- Carts, orders and what hangs off them. Runs with search_path set to schema "orders".
-- Money is integer minor units (bigint) plus the currency of the cart or order it belongs to.

create table tax_rates (
  country_code text primary key check (country_code ~ '^[A-Z]{2}$'),
  title text not null,
  rate numeric not null check (rate >= 0 and rate < 1),
  prices_include_tax boolean not null
);

-- READ MODEL of catalog's current list prices: orders never reads catalog's tables (each
-- subgraph owns its schema). This copy is seeded now; a later piece of work keeps it current by
-- consuming catalog's price events (upsert on (sku, currency), applied once per event).
create table catalog_prices (
  sku text not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  variant_title text not null,
  product_title text not null,
  amount bigint not null check (amount >= 0),
  tax_included boolean not null,
  updated_at timestamptz not null default now(),
  primary key (sku, currency)
);

create table carts (
  id text primary key,
  customer_id text not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  country_code text not null references tax_rates (country_code),
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  check (expires_at is null or expires_at > created_at)
);
create index carts_customer_id on carts (customer_id);

create table cart_lines (
  id text primary key,
  cart_id text not null references carts (id) on delete cascade,
  sku text not null,
  quantity integer not null check (quantity between 1 and 999),
  -- the order lines were added in; an identity column because timestamps tie within a statement
  seq bigint generated always as identity,
  unique (cart_id, sku)
);

create table orders (
  id text primary key,
  number text not null unique check (number ~ '^#[0-9]+$'),
  customer_id text not null,
  status text not null check (status in ('OPEN', 'CANCELLED', 'CLOSED')),
  fulfillment_status text not null
    check (fulfillment_status in ('UNFULFILLED', 'PARTIALLY_FULFILLED', 'FULFILLED', 'PARTIALLY_RETURNED', 'RETURNED')),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  country_code text not null check (country_code ~ '^[A-Z]{2}$'),
  placed_at timestamptz not null,
  subtotal bigint not null check (subtotal >= 0),
  shipping_total bigint not null default 0 check (shipping_total >= 0),
  discount_total bigint not null default 0 check (discount_total >= 0),
  tax_total bigint not null check (tax_total >= 0),
  total bigint not null check (total >= 0)
);
-- newest first, for everyone (staff) and per customer
create index orders_placed_at on orders (placed_at desc, id desc);
create index orders_customer_placed_at on orders (customer_id, placed_at desc, id desc);

-- Order numbers are '#' || nextval; the seed moves it past the demo store's numbers.
create sequence order_numbers start with 1001;

-- An immutable snapshot of what was bought (sku, title, price and tax at order time).
create table line_items (
  id text primary key,
  order_id text not null references orders (id),
  position integer not null check (position >= 1),
  sku text not null,
  title text not null,
  quantity integer not null check (quantity > 0),
  unit_price bigint not null check (unit_price >= 0),
  discount_total bigint not null default 0 check (discount_total >= 0),
  -- [{ "title": "VAT", "rate": "0.19", "amount": "1596" }]: amount is a string of minor units
  tax_lines jsonb not null default '[]' check (jsonb_typeof(tax_lines) = 'array'),
  total bigint not null check (total >= 0),
  unique (order_id, position)
);
create index line_items_sku on line_items (sku);

create function line_items_are_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'line items are an immutable snapshot of the order (% refused)', tg_op;
end
$$;
create trigger line_items_immutable before update or delete on line_items
  for each row execute function line_items_are_immutable();

-- Lines to ship from one location (Shopify's FulfillmentOrder).
create table fulfillment_orders (
  id text primary key,
  order_id text not null references orders (id),
  assigned_location_id text not null,
  status text not null check (status in ('OPEN', 'IN_PROGRESS', 'ON_HOLD', 'CLOSED', 'CANCELLED')),
  created_at timestamptz not null default now()
);
create index fulfillment_orders_order_id on fulfillment_orders (order_id);

create table fulfillment_order_lines (
  fulfillment_order_id text not null references fulfillment_orders (id),
  line_item_id text not null references line_items (id),
  quantity integer not null check (quantity > 0),
  primary key (fulfillment_order_id, line_item_id)
);

create table fulfillments (
  id text primary key,
  fulfillment_order_id text not null references fulfillment_orders (id),
  created_at timestamptz not null default now(),
  carrier text,
  tracking_number text
);
create index fulfillments_fulfillment_order_id on fulfillments (fulfillment_order_id);

create table fulfillment_lines (
  fulfillment_id text not null references fulfillments (id),
  line_item_id text not null references line_items (id),
  quantity integer not null check (quantity > 0),
  primary key (fulfillment_id, line_item_id)
);

create table returns (
  id text primary key,
  order_id text not null references orders (id),
  status text not null check (status in ('REQUESTED', 'OPEN', 'CLOSED', 'DECLINED', 'CANCELLED')),
  created_at timestamptz not null default now()
);
create index returns_order_id on returns (order_id);

create table return_lines (
  return_id text not null references returns (id),
  line_item_id text not null references line_items (id),
  quantity integer not null check (quantity > 0),
  reason text,
  restock boolean not null,
  primary key (return_id, line_item_id)
);
