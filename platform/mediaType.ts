/**
 * The two media types of a GraphQL-over-HTTP answer and the choice between them from a request's
 * Accept header, shared by the gateway's responses (gateway/httpResponse.ts) and the refusals every
 * service answers before GraphQL runs (httpErrors.ts, responseSizeLimit.ts).
 */

export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json'
export const APPLICATION_JSON = 'application/json'
export type ResponseMediaType = typeof GRAPHQL_RESPONSE_JSON | typeof APPLICATION_JSON

/** In this order: at equal preference (a wildcard) the legacy type wins, as Apollo Server and the spec's SHOULD for a missing Accept have it. */
const OFFERED: readonly ResponseMediaType[] = [APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]

interface MediaRange {
  readonly type: string
  readonly subtype: string
  readonly q: number
  readonly order: number
}

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').flatMap((part, order) => {
    const [range = '', ...params] = part.split(';')
    const [type, subtype] = range.trim().toLowerCase().split('/')
    if (!type || !subtype) return []
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='))
    const q = qParam === undefined ? 1 : Number(qParam.slice(2))
    return Number.isFinite(q) ? [{ type, subtype, q: Math.min(Math.max(q, 0), 1), order }] : []
  })
}

/**
 * The media type to answer in, from the request's Accept header (RFC 9110 §12.5.1: an offer's
 * quality is that of the most specific range matching it; ties go to the range listed first);
 * null when the header accepts neither type.
 */
export function negotiate(accept: string | undefined): ResponseMediaType | null {
  if (accept === undefined || accept.trim() === '') return APPLICATION_JSON
  const ranges = mediaRanges(accept)
  let best: { offered: ResponseMediaType; q: number; specificity: number; order: number } | null = null
  for (const offered of OFFERED) {
    const [type, subtype] = offered.split('/')
    let match: MediaRange | undefined
    let specificity = -1
    for (const range of ranges) {
      const s = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' && range.subtype === '*' ? 0 : -1
      if (s > specificity) [match, specificity] = [range, s]
    }
    if (!match || match.q === 0) continue
    const better = !best || match.q > best.q || (match.q === best.q && (specificity > best.specificity || (specificity === best.specificity && match.order < best.order)))
    if (better) best = { offered, q: match.q, specificity, order: match.order }
  }
  return best?.offered ?? null
}
