/** Numbers and times as the console shows them. */

export const ms = (value: number | null): string => (value === null ? '–' : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`)

export const seconds = (value: number | null): string =>
  value === null ? '–' : value < 1 ? `${Math.round(value * 1000)} ms` : value < 120 ? `${value.toFixed(1)} s` : `${Math.round(value / 60)} min`

export const rate = (value: number): string => (value === 0 ? '0' : value < 0.1 ? value.toFixed(3) : value.toFixed(2))

export const count = (value: number): string => Math.round(value).toLocaleString('en')

export function ago(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return '–'
  const elapsed = Math.max(0, (now - Date.parse(iso)) / 1000)
  if (elapsed < 60) return `${Math.round(elapsed)} s ago`
  if (elapsed < 3600) return `${Math.round(elapsed / 60)} min ago`
  return `${(elapsed / 3600).toFixed(1)} h ago`
}

export function uptime(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${totalSeconds % 60} s` : `${totalSeconds} s`
}
