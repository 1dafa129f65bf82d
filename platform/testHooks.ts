/**
 * Test support for `describe` blocks: what their `before` hooks make (a database, a stack) as a
 * handle the block's code can hold from the start, closed by their `after` hooks.
 */
import { after, before } from 'node:test'
import type { Database } from './db.ts'
import type { TestDatabase } from './testing.ts'

/**
 * For a `describe` block: the database `open` gives, opened before the block's tests (then
 * `setup`: tables, rows) and closed after them (after `teardown`: what uses it stops first).
 */
export function testDatabaseFor(
  open: () => Promise<TestDatabase>,
  hooks: { readonly setup?: (db: Database) => Promise<unknown>; readonly teardown?: () => Promise<unknown> } = {},
): Database {
  let test: TestDatabase | undefined
  before(async () => {
    test = await open()
    await hooks.setup?.(test.db)
  })
  after(async () => {
    await hooks.teardown?.()
    await test?.close()
  })
  return lateHandle(() => test?.db, 'the test database')
}

/** What a `before` hook makes, as a handle a `describe` block can hold from the start: each use reads it then. */
export function lateHandle<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = current()
      if (!target) throw new Error(`${what} is made in before(): use it inside tests and hooks`)
      const value: unknown = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
