-- The catalog: a category tree, products with their variants, and variant prices per currency,
-- channel and validity window. Runs with search_path set to schema `catalog`.

create table categories (
  id text primary key,
  handle text not null unique,
  name text not null,
  parent_id text references categories (id),
  position integer not null check (position >= 0),
  check (parent_id is null or parent_id <> id)
);
create index categories_parent_position on categories (parent_id, position, id);

create table products (
  id text primary key,
  handle text not null unique check (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title text not null check (title <> ''),
  description text,
  status text not null check (status in ('DRAFT', 'ACTIVE', 'ARCHIVED')),
  -- [{ "name": "Size", "values": ["S", "M"] }]: read whole with the product, never queried into
  options jsonb not null default '[]' check (jsonb_typeof(options) = 'array'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (updated_at >= created_at)
);
create index products_status_id on products (status, id);
create index products_updated_at on products (updated_at);

create table product_categories (
  product_id text not null references products (id) on delete cascade,
  category_id text not null references categories (id),
  -- the order in which Product.categories lists them (most general first)
  position integer not null check (position >= 0),
  primary key (product_id, category_id)
);
create index product_categories_category on product_categories (category_id, product_id);

create table variants (
  id text primary key,
  product_id text not null references products (id),
  -- the cross-domain key of a sellable item: inventory, orders and finance store it
  sku text not null unique check (sku <> ''),
  title text not null,
  position integer not null check (position >= 0),
  barcode text,
  selected_options jsonb not null default '[]' check (jsonb_typeof(selected_options) = 'array')
);
create index variants_product_position on variants (product_id, position, id);

-- Other services key stock, order lines and invoices by SKU, so a changed SKU would orphan them.
create function variants_sku_is_immutable() returns trigger language plpgsql as $$
begin
  if new.sku is distinct from old.sku then
    raise exception 'variant % sku is immutable (% -> %)', old.id, old.sku, new.sku using errcode = 'check_violation';
  end if;
  return new;
end
$$;
create trigger variants_sku_is_immutable before update of sku on variants
  for each row execute function variants_sku_is_immutable();

create table prices (
  id text primary key,
  variant_id text not null references variants (id),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  amount bigint not null check (amount >= 0),
  compare_at_amount bigint check (compare_at_amount >= amount),
  -- null: the default price, used when the channel has none of its own
  channel_id text,
  tax_included boolean not null,
  -- null bounds are open-ended; the window is [valid_from, valid_until)
  valid_from timestamptz,
  valid_until timestamptz,
  check (valid_from is null or valid_until is null or valid_from < valid_until)
);
-- Non-overlapping windows per (variant, currency, channel) are enforced by variantPricesSet: an
-- exclusion constraint would need btree_gist, which embedded PGlite does not ship.
create index prices_variant_currency on prices (variant_id, currency, channel_id);
