import { isoDateOf } from '../../subgraphs/inventory/forecast/day.ts'

/**
 * The season as an SVG, written by hand (no chart library): panels of day-by-day lines sharing
 * one time axis with a tick on the first of each month, each with its title, y axis and legend.
 */
export interface Line {
  readonly label: string
  readonly color: string
  readonly values: readonly number[]
  readonly dashed?: boolean
  readonly width?: number
}

export interface Panel {
  readonly title: string
  readonly unit: string
  readonly lines: readonly Line[]
}

const WIDTH = 1000
const PANEL_HEIGHT = 230
const MARGIN = { left: 70, right: 20, top: 58, bottom: 34 }
const FONT = 'font-family="Helvetica, Arial, sans-serif"'

export function seasonChart(title: string, firstDay: number, panels: readonly Panel[]): string {
  const height = 40 + panels.length * (PANEL_HEIGHT + MARGIN.top + MARGIN.bottom)
  const body = panels.map((panel, i) => panelSvg(panel, firstDay, 40 + i * (PANEL_HEIGHT + MARGIN.top + MARGIN.bottom))).join('\n')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="26" font-size="18" font-weight="bold" text-anchor="middle" fill="#222">${escape(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n')
}

function panelSvg(panel: Panel, firstDay: number, top: number): string {
  const days = Math.max(1, ...panel.lines.map((l) => l.values.length))
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const y0 = top + MARGIN.top
  // four steps of a round size: whole numbers on the axis, even for a handful of SKUs
  const max = 4 * niceCeiling(Math.max(1, ...panel.lines.flatMap((l) => l.values)) / 4)
  const x = (d: number) => MARGIN.left + (days === 1 ? 0 : (d / (days - 1)) * plotWidth)
  const y = (v: number) => y0 + PANEL_HEIGHT - (v / max) * PANEL_HEIGHT
  const parts: string[] = []
  parts.push(`<text x="${MARGIN.left}" y="${top + 20}" font-size="14" font-weight="bold" fill="#222">${escape(panel.title)}</text>`)
  // y grid and labels
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${fixed(y(v))}" y2="${fixed(y(v))}" stroke="#e4e4e4"/>`)
    parts.push(`<text x="${MARGIN.left - 6}" y="${fixed(y(v) + 4)}" font-size="11" text-anchor="end" fill="#555">${formatNumber(v)}</text>`)
  }
  parts.push(`<text transform="translate(16 ${y0 + PANEL_HEIGHT / 2}) rotate(-90)" font-size="11" text-anchor="middle" fill="#555">${escape(panel.unit)}</text>`)
  // month ticks on the x axis
  for (let d = 0; d < days; d++) {
    const date = isoDateOf(firstDay + d)
    if (!date.endsWith('-01') && d !== 0) continue
    parts.push(`<line x1="${fixed(x(d))}" x2="${fixed(x(d))}" y1="${y0 + PANEL_HEIGHT}" y2="${y0 + PANEL_HEIGHT + 5}" stroke="#888"/>`)
    parts.push(`<text x="${fixed(x(d))}" y="${y0 + PANEL_HEIGHT + 18}" font-size="11" text-anchor="middle" fill="#555">${date.slice(0, 7)}</text>`)
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y0 + PANEL_HEIGHT}" y2="${y0 + PANEL_HEIGHT}" stroke="#888"/>`)
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${y0}" y2="${y0 + PANEL_HEIGHT}" stroke="#888"/>`)
  for (const line of panel.lines) {
    const points = line.values.map((v, d) => `${fixed(x(d))},${fixed(y(v))}`).join(' ')
    parts.push(`<polyline fill="none" stroke="${line.color}" stroke-width="${line.width ?? 1.5}"${line.dashed ? ' stroke-dasharray="5 3"' : ''} points="${points}"/>`)
  }
  // legend, under the title, one entry per line
  let lx = MARGIN.left
  for (const line of panel.lines) {
    parts.push(`<line x1="${fixed(lx)}" x2="${fixed(lx + 22)}" y1="${top + 36}" y2="${top + 36}" stroke="${line.color}" stroke-width="3"${line.dashed ? ' stroke-dasharray="5 3"' : ''}/>`)
    parts.push(`<text x="${fixed(lx + 27)}" y="${top + 40}" font-size="12" fill="#222">${escape(line.label)}</text>`)
    lx += 45 + line.label.length * 6.2
  }
  return `<g>\n${parts.join('\n')}\n</g>`
}

/** The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k, whole) at or above `n`: a y axis step. */
function niceCeiling(n: number): number {
  const power = 10 ** Math.max(0, Math.floor(Math.log10(n)))
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= n && Number.isInteger(step * power)) return step * power
  return 10 * power
}

const fixed = (n: number) => n.toFixed(1)
const formatNumber = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1))
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
