import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Apollo's persisted query manifest, the format Apollo Router, GraphOS and Cosmo read:
 * https://www.apollographql.com/docs/graphos/routing/security/persisted-queries#manifest-format
 */
export interface PersistedQueryManifest {
  readonly format: 'apollo-persisted-query-manifest'
  readonly version: 1
  readonly operations: readonly ManifestOperation[]
}

export interface ManifestOperation {
  /** sha256 hex of `body` */
  readonly id: string
  readonly name: string
  readonly type: 'query' | 'mutation' | 'subscription'
  readonly body: string
}

/** An operation the gateway trusts, with the client whose manifest lists it. */
export interface TrustedOperation extends ManifestOperation {
  readonly client: string
}

export const SHA256_HEX = /^[0-9a-f]{64}$/

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: invalid persisted query manifest:\n- ${problems.join('\n- ')}`)
    this.name = 'ManifestError'
  }
}

/**
 * Checks the shape of a parsed manifest and that every id is the sha256 of its body. Every
 * problem is reported at once; `file` names the manifest in the message.
 */
export function parseManifest(file: string, text: string): PersistedQueryManifest {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new ManifestError(file, [`not JSON: ${(error as Error).message}`])
  }
  const problems: string[] = []
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ManifestError(file, ['must be a JSON object'])
  const object = raw as Record<string, unknown>
  if (object['format'] !== 'apollo-persisted-query-manifest') problems.push(`"format" must be "apollo-persisted-query-manifest", got ${JSON.stringify(object['format'])}`)
  if (object['version'] !== 1) problems.push(`"version" must be 1, got ${JSON.stringify(object['version'])}`)
  const operations: ManifestOperation[] = []
  if (!Array.isArray(object['operations'])) {
    problems.push('"operations" must be an array')
  } else {
    const seen = new Set<string>()
    object['operations'].forEach((entry: unknown, index) => {
      const at = `operations[${index}]`
      if (typeof entry !== 'object' || entry === null) return void problems.push(`${at} must be an object`)
      const { id, name, type, body } = entry as Record<string, unknown>
      if (typeof body !== 'string' || body.trim() === '') return void problems.push(`${at}.body must be a non-empty string`)
      if (typeof id !== 'string' || !SHA256_HEX.test(id)) return void problems.push(`${at}.id must be 64 lowercase hex characters`)
      if (id !== sha256Hex(body)) return void problems.push(`${at}.id is not the sha256 of its body (${typeof name === 'string' ? name : 'unnamed'})`)
      if (typeof name !== 'string' || name === '') return void problems.push(`${at}.name must be a non-empty string`)
      if (type !== 'query' && type !== 'mutation' && type !== 'subscription') return void problems.push(`${at}.type must be query, mutation or subscription`)
      if (seen.has(id)) return void problems.push(`${at}.id ${id} is listed twice`)
      seen.add(id)
      operations.push({ id, name, type, body })
    })
  }
  if (problems.length > 0) throw new ManifestError(file, problems)
  return { format: 'apollo-persisted-query-manifest', version: 1, operations }
}

/** `<dir>/<client>/manifest.json` for every client folder that has one, sorted by client. */
export function manifestFiles(dir: string): { client: string; file: string }[] {
  let entries: string[]
  try {
    entries = readdirSync(dir).sort()
  } catch {
    return []
  }
  return entries
    .map((client) => ({ client, file: join(dir, client, 'manifest.json') }))
    .filter(({ file }) => {
      try {
        return statSync(file).isFile()
      } catch {
        return false
      }
    })
}

/**
 * Reads every client's manifest into one id → operation map. The same body in two clients'
 * manifests is one id, kept once (first client wins: the body, and so the operation, is the same).
 */
export function loadManifests(dir: string): { operations: ReadonlyMap<string, TrustedOperation>; files: readonly string[] } {
  const operations = new Map<string, TrustedOperation>()
  const problems: ManifestError[] = []
  const found = manifestFiles(dir)
  for (const { client, file } of found) {
    try {
      for (const operation of parseManifest(file, readFileSync(file, 'utf8')).operations) {
        if (!operations.has(operation.id)) operations.set(operation.id, { ...operation, client })
      }
    } catch (error) {
      if (error instanceof ManifestError) problems.push(error)
      else throw new ManifestError(file, [(error as Error).message])
    }
  }
  if (problems.length === 1) throw problems[0]
  if (problems.length > 1) throw new Error(problems.map((p) => p.message).join('\n'))
  return { operations, files: found.map((f) => f.file) }
}
