-- Finance's own tax rates, by the customer's country: invoices are taxed from here, not from the
-- tax lines orders sent (orders keeps its own table; neither reads the other's).
create table tax_rates (
  country_code text primary key check (country_code ~ '^[A-Z]{2}$'),
  title text not null,
  rate numeric not null check (rate >= 0 and rate < 1),
  -- true: line prices contain the tax (VAT); false: tax is added on top (US sales tax)
  prices_include_tax boolean not null
);
