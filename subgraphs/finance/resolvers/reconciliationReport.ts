import { money } from '../../../platform/money.ts'
import type { ReconciliationReportResolvers } from '../generated/resolvers.ts'
import type { ReconciliationReportModel } from '../models.ts'

const sum = (values: readonly string[]) => values.reduce((total, value) => total + BigInt(value), 0n)
const differenceOf = ({ totals }: ReconciliationReportModel) => BigInt(totals.captured) - BigInt(totals.refunded) - BigInt(totals.settledGross)
const journalBalanced = ({ journal }: ReconciliationReportModel) => sum(journal.map((a) => a.debits)) === sum(journal.map((a) => a.credits))
const openItemCount = ({ items }: ReconciliationReportModel) => items.filter((item) => item.status === 'OPEN').length

export const ReconciliationReport: ReconciliationReportResolvers = {
  ordersPlaced: (report) => report.totals.ordersPlaced,
  orderTotal: (report) => money(report.totals.orderTotal, report.currency),
  invoiceCount: (report) => report.totals.invoiceCount,
  invoiced: (report) => money(report.totals.invoiced, report.currency),
  captured: (report) => money(report.totals.captured, report.currency),
  refunded: (report) => money(report.totals.refunded, report.currency),
  settlementCount: (report) => report.totals.settlementCount,
  settledGross: (report) => money(report.totals.settledGross, report.currency),
  settledFees: (report) => money(report.totals.settledFees, report.currency),
  settledNet: (report) => money(report.totals.settledNet, report.currency),
  feesPosted: (report) => money(report.totals.feesPosted, report.currency),
  difference: (report) => money(differenceOf(report), report.currency),
  journal: (report) =>
    report.journal.map((a) => ({ accountCode: a.accountCode, debits: money(a.debits, report.currency), credits: money(a.credits, report.currency) })),
  journalBalanced,
  items: (report) => [...report.items],
  openItemCount,
  // the period ties when every view of the money agrees and nothing is left to look into
  ties: (report) =>
    differenceOf(report) === 0n && report.totals.feesPosted === report.totals.settledFees && journalBalanced(report) && openItemCount(report) === 0,
}
