import { requireStaff } from '../../../platform/viewer.ts'
import type { MutationResolvers } from '../generated/resolvers.ts'
import { invoiceIssue } from '../mutations/invoiceIssue.ts'
import { paymentCapture } from '../mutations/paymentCapture.ts'
import { refundCreate } from '../mutations/refundCreate.ts'

/** Money movements are back-office operations: staff only, checked before any key is claimed. */
export const Mutation: MutationResolvers = {
  paymentCapture: (_root, { input }, { viewer, db, provider }) => {
    requireStaff(viewer)
    return paymentCapture(db, provider, viewer, input)
  },
  refundCreate: (_root, { input }, { viewer, db, provider }) => {
    requireStaff(viewer)
    return refundCreate(db, provider, viewer, input)
  },
  invoiceIssue: (_root, { input }, { viewer, db }) => {
    requireStaff(viewer)
    return invoiceIssue(db, viewer, input)
  },
}
