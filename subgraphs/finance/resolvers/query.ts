import { pageRequest, toConnection } from '../../../platform/pagination.ts'
import { requireStaff, visibleTo } from '../../../platform/viewer.ts'
import type { QueryResolvers } from '../generated/resolvers.ts'
import { timeIdAfter, timeIdKeyOf } from '../pageKeys.ts'
import { journalEntriesPage } from '../store/journalStore.ts'
import { settlementsPage } from '../store/settlementStore.ts'

const JOURNAL_ENTRIES = 'JournalEntryConnection'
const SETTLEMENTS = 'SettlementConnection'

export const Query: QueryResolvers = {
  invoice: async (_root, { id }, { viewer, loaders }) => visibleTo(viewer, await loaders.invoice.load(id)),
  payment: async (_root, { id }, { viewer, loaders }) => visibleTo(viewer, await loaders.payment.load(id)),

  journalEntries: async (_root, { filter, first, after }, { viewer, db, config, loaders }) => {
    requireStaff(viewer)
    // these connections only page forward (the contract has no last/before), in posting order
    const request = pageRequest({ first, after }, { kind: JOURNAL_ENTRIES, maxPageSize: config.maxPageSize, arity: 2 })
    const rows = await journalEntriesPage(db, filter, timeIdAfter(request), request.limit + 1)
    for (const row of rows) loaders.journalEntry.prime(row.id, row)
    return toConnection(rows, request, JOURNAL_ENTRIES, (row) => timeIdKeyOf(row.postedAt, row.id))
  },

  settlements: async (_root, { status, first, after }, { viewer, db, config, loaders }) => {
    requireStaff(viewer)
    const request = pageRequest({ first, after }, { kind: SETTLEMENTS, maxPageSize: config.maxPageSize, arity: 2 })
    const rows = await settlementsPage(db, status ?? null, timeIdAfter(request), request.limit + 1)
    for (const row of rows) loaders.settlement.prime(row.id, row)
    return toConnection(rows, request, SETTLEMENTS, (row) => timeIdKeyOf(row.payoutDate, row.id))
  },
}
