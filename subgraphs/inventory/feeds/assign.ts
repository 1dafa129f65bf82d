/**
 * The one-to-one assignment of rows to columns with the greatest total score (the Hungarian
 * method, Kuhn 1955, in its O(n³) form with potentials): each row gets at most one column and
 * each column at most one row. A pair scoring at most 0 is never chosen; the answer gives, per
 * row, the column's index or null.
 */
export function assignMaximum(scores: readonly (readonly number[])[]): (number | null)[] {
  const rows = scores.length
  const cols = rows === 0 ? 0 : Math.max(...scores.map((r) => r.length))
  const n = Math.max(rows, cols)
  if (n === 0) return []
  // minimise the negated scores over a square matrix padded with zeros (dummy rows and columns)
  const cost = (i: number, j: number) => -Math.max(0, scores[i - 1]?.[j - 1] ?? 0)
  const u = new Array<number>(n + 1).fill(0)
  const v = new Array<number>(n + 1).fill(0)
  const rowOfCol = new Array<number>(n + 1).fill(0)
  const way = new Array<number>(n + 1).fill(0)
  for (let i = 1; i <= n; i++) {
    rowOfCol[0] = i
    let j0 = 0
    const minv = new Array<number>(n + 1).fill(Infinity)
    const used = new Array<boolean>(n + 1).fill(false)
    do {
      used[j0] = true
      const i0 = rowOfCol[j0]!
      let delta = Infinity
      let j1 = 0
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue
        const reduced = cost(i0, j) - u[i0]! - v[j]!
        if (reduced < minv[j]!) {
          minv[j] = reduced
          way[j] = j0
        }
        if (minv[j]! < delta) {
          delta = minv[j]!
          j1 = j
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[rowOfCol[j]!]! += delta
          v[j]! -= delta
        } else minv[j]! -= delta
      }
      j0 = j1
    } while (rowOfCol[j0] !== 0)
    do {
      const j1 = way[j0]!
      rowOfCol[j0] = rowOfCol[j1]!
      j0 = j1
    } while (j0 !== 0)
  }
  const assigned = new Array<number | null>(rows).fill(null)
  for (let j = 1; j <= n; j++) {
    const i = rowOfCol[j]!
    if (i >= 1 && i <= rows && j <= cols && (scores[i - 1]?.[j - 1] ?? 0) > 0) assigned[i - 1] = j - 1
  }
  return assigned
}
