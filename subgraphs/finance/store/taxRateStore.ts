import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
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
  await insertRows(db, 'finance.tax_rates', rates, { countryCode: 'text', title: 'text', rate: 'numeric', pricesIncludeTax: 'boolean' }, {
    onConflict: 'on conflict (country_code) do nothing',
  })
}
