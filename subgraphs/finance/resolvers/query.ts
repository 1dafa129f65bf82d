import { connectionKind } from '../../../platform/pagination.ts'
import { requireStaff, visibleTo } from '../../../platform/viewer.ts'
import type { QueryResolvers } from '../generated/resolvers.ts'
import { journalEntriesPage } from '../store/journalStore.ts'
import { settlementsPage } from '../store/settlementStore.ts'

// keyset (posted at / paid out at, id); the kinds are the ones the cursors already in use carry
const JOURNAL_ENTRIES = connectionKind('JournalEntryConnection', ['instant', 'string'])
const SETTLEMENTS = connectionKind('SettlementConnection', ['instant', 'string'])

export const Query: QueryResolvers = {
  invoice: async (_root, { id }, { viewer, loaders }) => visibleTo(viewer, await loaders.invoice.load(id)),
  payment: async (_root, { id }, { viewer, loaders }) => visibleTo(viewer, await loaders.payment.load(id)),

  journalEntries: async (_root, { filter, first, after }, { viewer, db, config, loaders }) => {
    requireStaff(viewer)
    // these connections only page forward (the contract has no last/before), in posting order
    const request = JOURNAL_ENTRIES.page({ first, after }, { maxPageSize: config.maxPageSize })
    const rows = await journalEntriesPage(db, filter, request.after, request.limit + 1)
    for (const row of rows) loaders.journalEntry.prime(row.id, row)
    return JOURNAL_ENTRIES.connection(rows, request, (row) => [row.postedAt.toISOString(), row.id])
  },

  settlements: async (_root, { status, first, after }, { viewer, db, config, loaders }) => {
    requireStaff(viewer)
    const request = SETTLEMENTS.page({ first, after }, { maxPageSize: config.maxPageSize })
    const rows = await settlementsPage(db, status ?? null, request.after, request.limit + 1)
    for (const row of rows) loaders.settlement.prime(row.id, row)
    return SETTLEMENTS.connection(rows, request, (row) => [row.payoutDate.toISOString(), row.id])
  },
}
