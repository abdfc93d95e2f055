/**
 * What commands print: results on stdout, notes and warnings on stderr. With `--json`, stdout
 * carries JSON only.
 *
 * @since 0.1.0
 */
import type { RunRecord } from "@descent/files"

/**
 * @since 0.1.0
 * @category printing
 */
export const line = (text: string): void => {
  process.stdout.write(text + "\n")
}

/**
 * @since 0.1.0
 * @category printing
 */
export const json = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value) + "\n")
}

/**
 * @since 0.1.0
 * @category printing
 */
export const note = (text: string): void => {
  process.stderr.write(text + "\n")
}

/**
 * A percentage with two decimals: 0.9412 → "94.12%".
 *
 * @since 0.1.0
 * @category formatting
 */
export const percent = (fraction: number): string => `${(fraction * 100).toFixed(2)}%`

/**
 * One epoch's metrics as a line of text.
 *
 * @since 0.1.0
 * @category formatting
 */
export const epochLine = (metrics: RunRecord.EpochMetrics, epochs: number): string =>
  [
    `epoch ${String(metrics.epoch).padStart(String(epochs).length)}/${epochs}`,
    `train cost ${metrics.trainCost.toFixed(4)}`,
    `test accuracy ${percent(metrics.testAccuracy)}`,
    `test cost ${metrics.testCost.toFixed(4)}`,
    ...(metrics.trainAccuracy === undefined ? [] : [`train accuracy ${percent(metrics.trainAccuracy)}`]),
    ...(metrics.validationAccuracy === undefined ? [] : [`validation accuracy ${percent(metrics.validationAccuracy)}`]),
    `${metrics.seconds.toFixed(1)} s`
  ].join("  ")

/**
 * A confusion matrix as a table: rows are the true digits, columns what the network said.
 *
 * @since 0.1.0
 * @category formatting
 */
export const confusionTable = (confusion: ReadonlyArray<ReadonlyArray<number>>): string => {
  const width = Math.max(5, ...confusion.flat().map((n) => String(n).length + 1))
  const cell = (text: string | number) => String(text).padStart(width)
  const header = "true\\said" + confusion.map((_, j) => cell(j)).join("")
  const rows = confusion.map((row, i) => `${String(i).padStart(9)}` + row.map(cell).join(""))
  return [header, ...rows].join("\n")
}
