// What every benchmark prints with: peak RSS of this process, medians, aligned figures.

/** The process's peak resident set size so far, in MB. */
export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024

/** The median of some numbers. */
export const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Prints a titled block of `label: value` lines. */
export const report = (title: string, rows: ReadonlyArray<readonly [string, string]>): void => {
  console.log(title)
  const width = Math.max(...rows.map(([label]) => label.length)) + 1
  for (const [label, value] of rows) console.log(`  ${`${label}:`.padEnd(width + 1)} ${value}`)
}
