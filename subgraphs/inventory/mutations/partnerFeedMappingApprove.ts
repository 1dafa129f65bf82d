import { isDeepStrictEqual } from 'node:util'
import type { Queryable } from '../../../platform/db.ts'
import { FeedError } from '../feeds/errors.ts'
import { mappingProblems, readMapping, type FeedMapping } from '../feeds/mapping.ts'
import type { PartnerFeedMappingApproveInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { InventoryUserErrorModel } from '../models.ts'
import { applyWaitingFeed } from '../partnerFeeds/applyFeed.ts'
import { feedKindOf, type MappingApprovePayloadModel, type PartnerFeedMappingModel } from '../partnerFeeds/models.ts'
import { approveMapping, mappingOf, ourSkusAndLocations, waitingFeedIds } from '../store/partnerFeedStore.ts'

export const failedMappingApproval = (userErrors: InventoryUserErrorModel[]): MappingApprovePayloadModel => ({ partnerId: null, kind: null, feedIds: [], userErrors })

const MAPPING_FIELD = ['input', 'mapping']

/**
 * Approves a partner's mapping for a kind of file, as proposed or as edited, then applies the
 * partner's files of that kind waiting for it, oldest first, each as its own batch, all in this
 * mutation's transaction (so the approval and what it applied commit together). An edited mapping
 * must read back (`readMapping`), be of the kind, apply to the headers the proposal was made from,
 * send location codes only to our locations, and change every field a blocking review note is about.
 */
export async function partnerFeedMappingApprove(tx: Queryable, input: Omit<PartnerFeedMappingApproveInput, 'idempotencyKey'>, actor: string | null): Promise<MappingApprovePayloadModel> {
  const kind = feedKindOf(input.kind)
  const stored = await mappingOf(tx, input.partnerId, kind, { lock: true })
  if (!stored) return failedMappingApproval([kit.userError('UNKNOWN_FEED_MAPPING', ['input', 'partnerId'], `Partner ${input.partnerId} has sent no ${kind} file: there is no mapping to approve`)])
  const chosen = input.mapping === null || input.mapping === undefined ? asStanding(stored) : await edited(tx, stored, input.mapping)
  if (!chosen.ok) return failedMappingApproval(chosen.errors)
  await approveMapping(tx, input.partnerId, kind, chosen.mapping, actor)
  const feedIds = await waitingFeedIds(tx, input.partnerId, kind)
  for (const id of feedIds) await applyWaitingFeed(tx, id, chosen.mapping)
  return { partnerId: input.partnerId, kind, feedIds, userErrors: [] }
}

type Chosen = { ok: true; mapping: FeedMapping } | { ok: false; errors: InventoryUserErrorModel[] }

/** No mapping sent: the approved one again, or the proposal, which must be ready. */
function asStanding(stored: PartnerFeedMappingModel): Chosen {
  if (stored.mapping) return { ok: true, mapping: stored.mapping }
  if (stored.proposal.ready) return { ok: true, mapping: stored.proposal.mapping }
  const notes = stored.proposal.review.filter((note) => note.blocking)
  const unmapped = stored.proposal.unmappedRequired.map((field) => `${field} is required and has no column`)
  const reasons = [...unmapped, ...notes.map((note) => `${note.field}: ${note.reason}`)]
  return { ok: false, errors: [kit.userError('FEED_MAPPING_NOT_READY', MAPPING_FIELD, `The proposal cannot apply as it is; send the mapping with these settled: ${reasons.join('; ')}`)] }
}

async function edited(tx: Queryable, stored: PartnerFeedMappingModel, text: string): Promise<Chosen> {
  const invalid = (problems: readonly string[]): Chosen => ({ ok: false, errors: problems.map((problem) => kit.userError('FEED_MAPPING_INVALID', MAPPING_FIELD, problem)) })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return invalid(['the mapping is not JSON'])
  }
  let mapping: FeedMapping
  try {
    mapping = readMapping(json)
  } catch (error) {
    if (error instanceof FeedError) return invalid(error.problems.length > 0 ? error.problems : [error.message])
    throw error
  }
  if (mapping.kind !== stored.kind) return invalid([`the mapping is for ${mapping.kind} files, not ${stored.kind}`])
  const problems = mappingProblems(mapping, stored.headers)
  const location = mapping.fields.locationId?.transform
  if (location?.kind === 'location' || location?.kind === 'constant') {
    const { locationIds } = await ourSkusAndLocations(tx)
    const targets = location.kind === 'location' ? Object.entries(location.codes) : [['(constant)', location.value] as const]
    for (const [code, id] of targets) if (!locationIds.has(id)) problems.push(`location code '${code}' maps to '${id}', which is not one of our locations`)
  }
  if (problems.length > 0) return invalid(problems)
  // a blocking note is settled by changing what it is about; approving it unchanged settles nothing
  const unsettled = stored.proposal.review.filter((note) => note.blocking && isDeepStrictEqual(mapping.fields[note.field], stored.proposal.mapping.fields[note.field]))
  if (unsettled.length > 0) {
    return { ok: false, errors: unsettled.map((note) => kit.userError('FEED_MAPPING_NOT_READY', [...MAPPING_FIELD, 'fields', note.field], `${note.field}: ${note.reason}`)) }
  }
  return { ok: true, mapping }
}
