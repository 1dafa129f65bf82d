import type { GraphiQLProps } from 'graphiql'

type GraphiqlStorage = NonNullable<GraphiQLProps['storage']>

const PREFIX = 'graphiql:'

/**
 * GraphiQL's storage: localStorage, minus every `headers` entry of what it writes. GraphiQL leaves
 * the headers pane out of its tabs when told not to persist headers, but its history plugin saves
 * each run's headers with it regardless — and those hold the viewer's token. Here nothing written
 * keeps them: the queries, variables and history survive a reload; the token does not.
 */
export function storageWithoutHeaders(base: Storage = window.localStorage): GraphiqlStorage {
  const keys = () => Array.from({ length: base.length }, (_, i) => base.key(i)).filter((key): key is string => key?.startsWith(PREFIX) ?? false)
  return {
    getItem: (key) => base.getItem(key),
    setItem: (key, value) => base.setItem(key, withoutHeaders(value)),
    removeItem: (key) => base.removeItem(key),
    get length() {
      return keys().length
    },
    clear: () => {
      for (const key of keys()) base.removeItem(key)
    },
  }
}

function withoutHeaders(value: string): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return value
  }
  if (typeof parsed !== 'object' || parsed === null) return value
  return JSON.stringify(parsed, (key, inner: unknown) => (key === 'headers' ? undefined : inner))
}
