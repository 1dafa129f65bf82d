import type { FeedFieldProposal, FeedMappingApproveAnswer, FeedReviewNote, WaitingFeedMapping } from './consoleApi.ts'
import { graphqlCall, isRecord, malformed, type GraphQLTarget } from './subgraphCalls.ts'

/**
 * Partner feed mappings waiting for staff, for the console: inventory's files in AWAITING_MAPPING
 * grouped by partner and kind, each with its proposal, and the approval of one as proposed. Asked
 * of inventory's own GraphQL API directly, like the open incidents (openIncidents.ts), but signed
 * as the staff member at the console, not as the console: the approval records who approved
 * (`approvedBy`), and that must be a person. Failures are SubgraphCallError in fixed words: the
 * subgraph's URL and its error text stay here.
 */

/** The kinds of partner file (inventory's PartnerFeedKind): a path segment is checked against these. */
export const FEED_KINDS: ReadonlySet<string> = new Set(['STOCK_SNAPSHOT', 'SHIPMENT_CONFIRMATION'])

/** Waiting files are read 100 at a time, at most this many pages: more waiting than that is counted as that many. */
const WAITING_PAGES = 5
/** Mappings shown at once, oldest waiting first; each is one call to inventory. */
const MAPPINGS_LISTED = 20

const WAITING = `query ConsoleWaitingFeeds($after: String) {
  partnerFeeds(filter: { statuses: [AWAITING_MAPPING] }, first: 100, after: $after) { nodes { partnerId kind receivedAt } pageInfo { hasNextPage endCursor } }
}`
const MAPPING_FIELDS = 'status confidence ready unmappedRequired fields { field required column confidence } review { field reason blocking } proposedAt approvedAt approvedBy'
const MAPPING = `query ConsoleFeedMapping($partnerId: ID!, $kind: PartnerFeedKind!) { partnerFeedMapping(partnerId: $partnerId, kind: $kind) { ${MAPPING_FIELDS} } }`
const APPROVE = `mutation ConsoleFeedMappingApprove($input: PartnerFeedMappingApproveInput!) {
  partnerFeedMappingApprove(input: $input) { mapping { approvedAt approvedBy } appliedFeeds { id status } userErrors { code field message } }
}`

/** Inventory, asked as the staff member at the console. */
export type InventoryTarget = GraphQLTarget

/** The mappings whose files wait, oldest waiting first, each with its proposal. */
export async function waitingFeedMappings(target: InventoryTarget): Promise<WaitingFeedMapping[]> {
  const groups = new Map<string, { partnerId: string; kind: string; filesWaiting: number; oldestWaitingAt: string }>()
  let after: string | null = null
  for (let page = 0; page < WAITING_PAGES; page++) {
    const connection = field(await graphqlCall(target, WAITING, { after }), 'partnerFeeds')
    for (const node of list(connection, 'nodes')) {
      const partnerId = text(node, 'partnerId')
      const kind = text(node, 'kind')
      const receivedAt = text(node, 'receivedAt')
      const key = JSON.stringify([partnerId, kind])
      const group = groups.get(key) ?? { partnerId, kind, filesWaiting: 0, oldestWaitingAt: receivedAt }
      groups.set(key, { ...group, filesWaiting: group.filesWaiting + 1, oldestWaitingAt: Date.parse(receivedAt) < Date.parse(group.oldestWaitingAt) ? receivedAt : group.oldestWaitingAt })
    }
    const pageInfo = field(connection, 'pageInfo')
    if (pageInfo['hasNextPage'] !== true) break
    after = text(pageInfo, 'endCursor')
  }
  const oldestFirst = [...groups.values()].sort((a, b) => Date.parse(a.oldestWaitingAt) - Date.parse(b.oldestWaitingAt)).slice(0, MAPPINGS_LISTED)
  const mappings = await Promise.all(
    oldestFirst.map(async (group) => {
      const mapping = nullableField(await graphqlCall(target, MAPPING, { partnerId: group.partnerId, kind: group.kind }), 'partnerFeedMapping')
      // a file waits only once its partner's mapping is proposed: none is an answer not to use
      if (!mapping) throw malformed()
      return { ...group, ...proposalOf(mapping) }
    }),
  )
  return mappings
}

/**
 * Approves one partner's mapping of a kind as proposed (`mapping: null`), under the key the
 * console's button made for this click. One approved already is answered as such without asking
 * inventory to approve it again: approving "as proposed" would re-approve the approved mapping,
 * and record this staff member as its approver.
 */
export async function approveFeedMappingAsProposed(target: InventoryTarget, input: { readonly partnerId: string; readonly kind: string; readonly idempotencyKey: string }): Promise<FeedMappingApproveAnswer> {
  const standing = nullableField(await graphqlCall(target, MAPPING, { partnerId: input.partnerId, kind: input.kind }), 'partnerFeedMapping')
  if (standing && standing['status'] === 'APPROVED') {
    return { outcome: 'already_approved', approvedBy: nullableText(standing, 'approvedBy'), approvedAt: nullableText(standing, 'approvedAt'), appliedFeeds: [], userErrors: [] }
  }
  const payload = field(await graphqlCall(target, APPROVE, { input: { ...input, mapping: null } }), 'partnerFeedMappingApprove')
  const userErrors = list(payload, 'userErrors').map((error) => ({ code: text(error, 'code'), field: nullableTexts(error, 'field'), message: text(error, 'message') }))
  const mapping = nullableField(payload, 'mapping')
  if (userErrors.length > 0 || !mapping) return { outcome: 'refused', approvedBy: null, approvedAt: null, appliedFeeds: [], userErrors }
  return {
    outcome: 'approved',
    approvedBy: nullableText(mapping, 'approvedBy'),
    approvedAt: nullableText(mapping, 'approvedAt'),
    appliedFeeds: list(payload, 'appliedFeeds').map((feed) => ({ id: text(feed, 'id'), status: text(feed, 'status') })),
    userErrors: [],
  }
}

function proposalOf(mapping: Record<string, unknown>): Omit<WaitingFeedMapping, 'partnerId' | 'kind' | 'filesWaiting' | 'oldestWaitingAt'> {
  const status = mapping['status']
  if (status !== 'PROPOSED' && status !== 'APPROVED') throw malformed()
  const fields = list(mapping, 'fields').map((proposal): FeedFieldProposal => ({ field: text(proposal, 'field'), required: flag(proposal, 'required'), column: nullableText(proposal, 'column'), confidence: number(proposal, 'confidence') }))
  const review = list(mapping, 'review').map((note): FeedReviewNote => ({ field: text(note, 'field'), reason: text(note, 'reason'), blocking: flag(note, 'blocking') }))
  const unmappedRequired = nullableTexts(mapping, 'unmappedRequired')
  if (!unmappedRequired) throw malformed()
  return { status, confidence: number(mapping, 'confidence'), ready: flag(mapping, 'ready'), unmappedRequired, fields, review, proposedAt: text(mapping, 'proposedAt') }
}


// each reader throws `malformed` when the answer is not the shape asked for: never a half-read list
function field(object: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = object[name]
  if (!isRecord(value)) throw malformed()
  return value
}
function nullableField(object: Record<string, unknown>, name: string): Record<string, unknown> | null {
  return object[name] === null ? null : field(object, name)
}
function list(object: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const value = object[name]
  if (!Array.isArray(value) || !value.every(isRecord)) throw malformed()
  return value
}
function text(object: Record<string, unknown>, name: string): string {
  const value = object[name]
  if (typeof value !== 'string') throw malformed()
  return value
}
function nullableText(object: Record<string, unknown>, name: string): string | null {
  return object[name] === null ? null : text(object, name)
}
function nullableTexts(object: Record<string, unknown>, name: string): string[] | null {
  const value = object[name]
  if (value === null) return null
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw malformed()
  return value
}
function number(object: Record<string, unknown>, name: string): number {
  const value = object[name]
  if (typeof value !== 'number') throw malformed()
  return value
}
function flag(object: Record<string, unknown>, name: string): boolean {
  const value = object[name]
  if (typeof value !== 'boolean') throw malformed()
  return value
}
