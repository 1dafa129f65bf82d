import { useEffect, useState } from 'preact/hooks'
import { StockBadgesDocument } from '../../../operations/storefront/generated/graphql.ts'
import { messageOf, useClient } from './hooks.ts'

/**
 * Follows the stock of `skus` (StockBadges over graphql-ws) and writes each new total into the
 * cache's ProductVariant, so every page showing the variant re-renders with it. Returns why the
 * feed stopped, if it did.
 */
export function useStockBadges(skus: readonly string[]): string | null {
  const client = useClient()
  const [problem, setProblem] = useState<string | null>(null)
  const key = [...new Set(skus)].sort().join(',')
  useEffect(() => {
    if (key === '') return
    setProblem(null)
    const subscription = client.subscribe({ query: StockBadgesDocument, variables: { skus: key.split(',') } }).subscribe({
      next: (result) => {
        const change = result.data?.availableToSellChanged
        if (result.error || !change) {
          if (result.error) setProblem(messageOf(result.error))
          return
        }
        const id = client.cache.identify({ __typename: 'ProductVariant', sku: change.sku })
        if (id) client.cache.modify({ id, fields: { availableToSell: () => change.availableToSell } })
      },
      error: (error: unknown) => setProblem(messageOf(error)),
    })
    return () => subscription.unsubscribe()
  }, [client, key])
  return problem
}

/** A product's units over its variants; null when inventory could not say for any of them. */
export function totalOf(availableToSell: readonly (number | null)[]): number | null {
  const known = availableToSell.filter((units): units is number => units !== null)
  return known.length === 0 ? null : known.reduce((sum, units) => sum + units, 0)
}

/** "Sold out", "Only 3 left", "In stock": what a shopper reads off a number of units (null: not known now). */
export function badgeOf(available: number | null): { readonly label: string; readonly tone: 'out' | 'low' | 'in' | 'unknown' } {
  if (available === null) return { label: 'Stock unknown', tone: 'unknown' }
  if (available <= 0) return { label: 'Sold out', tone: 'out' }
  if (available <= 5) return { label: `Only ${available} left`, tone: 'low' }
  return { label: `In stock (${available})`, tone: 'in' }
}
