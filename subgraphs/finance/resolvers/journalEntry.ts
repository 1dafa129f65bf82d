import { visibleToStaff } from '../../../platform/viewer.ts'
import type { JournalEntryResolvers } from '../generated/resolvers.ts'

export const JournalEntry: JournalEntryResolvers = {
  __resolveReference: async (reference, { viewer, loaders }) => visibleToStaff(viewer, await loaders.journalEntry.load(reference.id)),
  lines: (entry, _args, { loaders }) => loaders.linesOfJournalEntry.load(entry.id),
}
