import { ALLOW_FILE, type Criticality, type SchemaChange, type SchemaCheckReport } from './schemaCheck.ts'

/** The schema check's report for people (text, or Markdown for a pull request) and for tools (JSON). */
// ── output ────────────────────────────────────────────────────────────────────────────────────

const ORDER: Record<Criticality, number> = { BREAKING: 0, DANGEROUS: 1, SAFE: 2 }
const sorted = (changes: readonly SchemaChange[]): SchemaChange[] => [...changes].sort((a, b) => ORDER[a.criticality] - ORDER[b.criticality])
const count = (changes: readonly SchemaChange[], c: Criticality): number => changes.filter((x) => x.criticality === c).length

function changeLine(change: SchemaChange): string {
  const allowed = change.allowed ? ` (allowed: ${change.allowReason})` : ''
  return `${change.criticality.padEnd(9)} ${change.message}${change.path ? ` [${change.path}]` : ''}${allowed}`
}

export function formatText(report: SchemaCheckReport): string {
  const lines: string[] = []
  if (report.composition.ok) lines.push(`Composition: ok (${report.composition.hints} hint(s))`)
  else lines.push(`Composition failed with ${report.composition.problems.length} error(s):`, ...report.composition.problems.map((p, i) => `  ${i + 1}. [${p.service}] ${p.code}: ${p.message}`))
  if (report.stale.supergraph) lines.push('supergraph.graphql: stale (differs from the composition): run npm run compose')
  for (const problem of report.stale.operations) lines.push(`Operations: ${problem}`)
  if (report.composition.ok) {
    if (!report.base.compared) lines.push('Changes: no base schema to compare against')
    else if (report.changes.length === 0) lines.push(`Changes against ${report.base.ref ?? 'the base'}: none`)
    else {
      lines.push(`Changes against ${report.base.ref ?? 'the base'}: ${count(report.changes, 'BREAKING')} breaking, ${count(report.changes, 'DANGEROUS')} dangerous, ${count(report.changes, 'SAFE')} safe`)
      lines.push(...sorted(report.changes).map((c) => `  ${changeLine(c)}`))
    }
    if (report.brokenOperations.length === 0) lines.push('Client operations: all validate against the new API schema')
    else {
      lines.push(`Client operations broken by the new API schema: ${report.brokenOperations.length}`)
      for (const b of report.brokenOperations) lines.push(`  ${b.client}/${b.operation}:`, ...b.messages.map((m) => `    - ${m}`))
    }
  }
  for (const entry of report.unusedAllowed) lines.push(`Note: ${ALLOW_FILE} lists ${entry.path}, which no breaking change matches (remove it)`)
  lines.push(report.verdict === 'pass' ? 'Verdict: PASS' : `Verdict: FAIL\n${report.failures.map((f) => `  - ${f}`).join('\n')}`)
  return lines.join('\n')
}

const code = (text: string): string => `\`${text.replaceAll('`', "'")}\``
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

export function formatMarkdown(report: SchemaCheckReport): string {
  const lines: string[] = [`### Schema check: ${report.verdict === 'pass' ? '✅ pass' : '❌ fail'}`, '']
  for (const failure of report.failures) lines.push(`- ${cell(failure)}`)
  if (report.failures.length > 0) lines.push('')
  if (!report.composition.ok) {
    lines.push('**Composition errors**', '', ...report.composition.problems.map((p) => `- ${code(p.service)} ${code(p.code)}: ${cell(p.message)}`), '')
  }
  if (report.base.compared) {
    lines.push(`**Changes** against ${code(report.base.ref ?? 'base')}: ${count(report.changes, 'BREAKING')} breaking, ${count(report.changes, 'DANGEROUS')} dangerous, ${count(report.changes, 'SAFE')} safe`, '')
    if (report.changes.length > 0) {
      lines.push('| | change | path |', '|---|---|---|')
      for (const c of sorted(report.changes)) {
        const mark = c.criticality === 'BREAKING' ? (c.allowed ? '⚠️ breaking (allowed)' : '🛑 breaking') : c.criticality === 'DANGEROUS' ? '⚠️ dangerous' : 'safe'
        lines.push(`| ${mark} | ${cell(c.message)}${c.allowed ? ` — ${cell(c.allowReason ?? '')}` : ''} | ${c.path ? code(c.path) : ''} |`)
      }
      lines.push('')
    }
  }
  if (report.brokenOperations.length > 0) {
    lines.push('**Broken client operations**', '')
    for (const b of report.brokenOperations) lines.push(`- ${code(`${b.client}/${b.operation}`)}: ${cell(b.messages.join('; '))}`)
    lines.push('')
  }
  return lines.join('\n').trimEnd()
}

export function toJson(report: SchemaCheckReport): string {
  return JSON.stringify(report, null, 2)
}
