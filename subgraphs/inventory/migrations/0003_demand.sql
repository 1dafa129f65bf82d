-- Demand per SKU and location, kept current by the order-events consumer in the transaction that
-- applies each event (no nightly batch), and the model fitted on it (forecast/).

-- The day (days since 1970-01-01, UTC) the order behind an allocation was placed: its
-- cancellation takes the units back from that day's demand, since that demand never was. Null
-- for allocations written before this column (the cancellation's own day is used then).
alter table allocations add column demand_day integer;

-- One row per SKU and location that has seen demand. series: forecast/series.ts DemandSeries as
-- JSON; model: forecast/models.ts DemandModel as JSON (its `through` is the last whole day it has
-- folded in, its `fittedThrough` the last day of its last fit); holdout: the chosen model's holdout score when it was last fitted
-- (forecast/chooseModel.ts HoldoutScore), null when the history was too short to hold days out.
create table demand (
  sku text not null,
  location_id text not null,
  series jsonb not null,
  model jsonb not null,
  holdout jsonb,
  fitted_through integer not null,
  last_observed_day integer not null,
  updated_at timestamptz not null default now(),
  primary key (sku, location_id)
);
