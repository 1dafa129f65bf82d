import { incidentsPage } from '../../../platform/incidents.ts'
import { connectionKind } from '../../../platform/pagination.ts'
import { badUserInput } from '../../../platform/errors.ts'
import { requireStaff, visibleTo } from '../../../platform/viewer.ts'
import type { QueryResolvers } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import { journalEntriesPage } from '../store/journalStore.ts'
import { journalTotalsOfPeriod, periodTotals, reconciliationItemsOfPeriod } from '../store/reconciliationStore.ts'
import { settlementsPage } from '../store/settlementStore.ts'

// keyset (posted at / paid out at, id); the kinds are the ones the cursors already in use carry
const JOURNAL_ENTRIES = connectionKind('JournalEntryConnection', ['instant', 'string'])
const SETTLEMENTS = connectionKind('SettlementConnection', ['instant', 'string'])
// keyset (opened at, id), newest first
const INCIDENTS = connectionKind('IncidentConnection', ['instant', 'string'])

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

  incidents: async (_root, { status, first, after }, { viewer, db, config }) => {
    requireStaff(viewer)
    const request = INCIDENTS.page({ first, after }, { maxPageSize: config.maxPageSize })
    const rows = await incidentsPage(db, kit.name, status ?? null, request.after, request.limit + 1)
    return INCIDENTS.connection(rows, request, (row) => [row.openedAt.toISOString(), row.id])
  },

  reconciliationReport: async (_root, { from, to, currency }, { viewer, db }) => {
    requireStaff(viewer)
    // ISO days compare as strings
    if (from > to) throw badUserInput(`The period must not end (${to}) before it starts (${from})`, 'to')
    const [totals, journal, items] = await Promise.all([
      periodTotals(db, from, to, currency),
      journalTotalsOfPeriod(db, from, to, currency),
      reconciliationItemsOfPeriod(db, from, to, currency),
    ])
    return { from, to, currency, totals, journal, items }
  },
}
