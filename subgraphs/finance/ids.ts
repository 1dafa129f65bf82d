import { randomUUID } from 'node:crypto'

/** Ids of records created by mutations and consumers (seeded records have readable ids instead). */
export const newId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`
