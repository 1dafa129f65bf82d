import { requireStaff } from '../../../platform/viewer.ts'
import type { MutationResolvers } from '../generated/resolvers.ts'
import { invoiceIssue } from '../mutations/invoiceIssue.ts'
import { paymentCapture } from '../mutations/paymentCapture.ts'
import { reconciliationItemResolve } from '../mutations/reconciliationItemResolve.ts'
import { refundCreate } from '../mutations/refundCreate.ts'
import { settlementImport } from '../mutations/settlementImport.ts'

/** Money movements are back-office operations: staff only, checked before any key is claimed. */
export const Mutation: MutationResolvers = {
  paymentCapture: (_root, { input }, ctx) => {
    requireStaff(ctx.viewer)
    return paymentCapture(ctx, input)
  },
  refundCreate: (_root, { input }, ctx) => {
    requireStaff(ctx.viewer)
    return refundCreate(ctx, input)
  },
  invoiceIssue: (_root, { input }, ctx) => {
    requireStaff(ctx.viewer)
    return invoiceIssue(ctx, input)
  },
  settlementImport: (_root, { input }, ctx) => {
    requireStaff(ctx.viewer)
    return settlementImport(ctx, input)
  },
  reconciliationItemResolve: (_root, { input }, ctx) => {
    requireStaff(ctx.viewer)
    return reconciliationItemResolve(ctx, input)
  },
}
