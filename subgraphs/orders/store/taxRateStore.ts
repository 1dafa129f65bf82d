import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { TaxRateModel } from '../models.ts'

export async function taxRatesByCountries(db: Queryable, countryCodes: readonly string[]): Promise<TaxRateModel[]> {
  const { rows } = await db.query<TaxRateModel>(
    `select country_code as "countryCode", title, rate::text as rate, prices_include_tax as "pricesIncludeTax"
     from orders.tax_rates where country_code = any($1::text[])`,
    [countryCodes],
  )
  return rows
}

export async function insertTaxRates(db: Queryable, rates: readonly TaxRateModel[]): Promise<void> {
  await insertRows(db, 'orders.tax_rates', rates, { countryCode: 'text', title: 'text', rate: 'numeric', pricesIncludeTax: 'boolean' })
}
