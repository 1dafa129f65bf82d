import type { Queryable } from '../../../platform/db.ts'
import type { TaxRateRow } from '../models.ts'

export async function taxRatesByCountries(db: Queryable, countryCodes: readonly string[]): Promise<TaxRateRow[]> {
  const { rows } = await db.query<TaxRateRow>(
    `select country_code as "countryCode", title, rate::text as rate, prices_include_tax as "pricesIncludeTax"
     from finance.tax_rates where country_code = any($1::text[])`,
    [countryCodes],
  )
  return rows
}

/** Reference data rather than demo data: inserted when missing, so a store seeded before the table existed gets it too. */
export async function insertTaxRates(db: Queryable, rates: readonly TaxRateRow[]): Promise<void> {
  if (rates.length === 0) return
  await db.query(
    `insert into finance.tax_rates (country_code, title, rate, prices_include_tax)
     select * from unnest($1::text[], $2::text[], $3::numeric[], $4::boolean[])
     on conflict (country_code) do nothing`,
    [rates.map((r) => r.countryCode), rates.map((r) => r.title), rates.map((r) => r.rate), rates.map((r) => r.pricesIncludeTax)],
  )
}
