import { Kind, valueFromASTUntyped, type DirectiveNode, type DocumentNode } from 'graphql'
import type { Viewer } from '../../platform/viewer.ts'

/**
 * Who may read what, as the subgraph schemas declare it with Federation's `@authenticated` and
 * `@requiresScopes(scopes: [[...]])` (on a field, or on a type: then on every field returning it).
 * Scopes are OR of AND groups: `[["a", "b"], ["c"]]` is (a and b) or c.
 *
 * A viewer's scopes are its token's `scope` claim plus one `role:<role>` per role, so a schema can
 * say "staff only" (`[["role:staff"]]`) in the same terms as "holds stock:read".
 */
export interface Requirement {
  readonly authenticated: boolean
  readonly scopes: readonly (readonly string[])[] | null
}

export interface AuthorizationPolicy {
  field(typeName: string, fieldName: string): Requirement | null
  type(typeName: string): Requirement | null
  /** True when the supergraph declares no requirement at all (nothing to check). */
  readonly empty: boolean
}

export function readAuthorizationPolicy(sdl: DocumentNode): AuthorizationPolicy {
  const fields = new Map<string, Requirement>()
  const types = new Map<string, Requirement>()
  for (const definition of sdl.definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue
    const typeName = definition.name.value
    const onType = requirementOf(definition.directives ?? [])
    if (onType) types.set(typeName, onType)
    if (!('fields' in definition) || !definition.fields) continue
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue
    for (const field of definition.fields) {
      const requirement = requirementOf(field.directives ?? [])
      if (requirement) fields.set(`${typeName}.${field.name.value}`, requirement)
    }
  }
  return {
    field: (typeName, fieldName) => fields.get(`${typeName}.${fieldName}`) ?? null,
    type: (typeName) => types.get(typeName) ?? null,
    empty: fields.size === 0 && types.size === 0,
  }
}

function requirementOf(directives: readonly DirectiveNode[]): Requirement | null {
  const authenticated = directives.some((d) => d.name.value === 'authenticated')
  const requires = directives.find((d) => d.name.value === 'requiresScopes')
  const raw = requires?.arguments?.find((a) => a.name.value === 'scopes')
  const value = raw ? valueFromASTUntyped(raw.value) : undefined
  const scopes = Array.isArray(value) ? value.map((group) => (Array.isArray(group) ? group.filter((s): s is string => typeof s === 'string') : [])) : null
  if (!authenticated && scopes === null) return null
  return { authenticated, scopes }
}

/** The scopes a viewer holds: its token's, and `role:<role>` for each role. */
export function grantedScopes(viewer: Viewer): ReadonlySet<string> {
  return new Set([...viewer.scopes, ...viewer.roles.map((role) => `role:${role}`)])
}

/**
 * Why a viewer may not read under these requirements, or null when it may: UNAUTHENTICATED for
 * an anonymous viewer (signing in may help), FORBIDDEN for a signed-in one without the scopes.
 */
export function denial(requirements: readonly Requirement[], viewer: Viewer, granted: ReadonlySet<string>): 'UNAUTHENTICATED' | 'FORBIDDEN' | null {
  for (const requirement of requirements) {
    if (requirement.authenticated && viewer.sub === null) return 'UNAUTHENTICATED'
    if (requirement.scopes && !requirement.scopes.some((group) => group.every((scope) => granted.has(scope)))) {
      return viewer.sub === null ? 'UNAUTHENTICATED' : 'FORBIDDEN'
    }
  }
  return null
}
