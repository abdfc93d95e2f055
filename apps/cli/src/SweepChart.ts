/**
 * The chart of a `descent sweep`: each point's validation accuracy in its last epoch, best at
 * the top — a dot at the mean over the seeds, a bar from one sample standard deviation below it
 * to one above, and each seed's own value as a grey tick (the subtitle says so: the key) — in Vega-Lite (rendered as
 * `descent plot`'s charts are).
 *
 * @since 0.4.0
 */
import type { TopLevelSpec } from "vega-lite"

/**
 * One point of the sweep, ranked.
 *
 * @since 0.4.0
 * @category models
 */
export interface Row {
  readonly rank: number
  readonly label: string
  readonly mean: number
  readonly std: number | null
  readonly values: ReadonlyArray<number>
}

/**
 * The chart's specification.
 *
 * @since 0.4.0
 * @category charts
 */
export const spec = (
  rows: ReadonlyArray<Row>,
  sweep: { readonly seeds: ReadonlyArray<number>; readonly validation: number; readonly set: string },
  font = "DejaVu Sans"
): TopLevelSpec => {
  const name = (row: Row) => `${row.rank}. ${row.label}`
  const summary = rows.map((row) => ({
    name: name(row),
    rank: row.rank,
    mean: row.mean * 100,
    low: (row.mean - (row.std ?? 0)) * 100,
    high: (row.mean + (row.std ?? 0)) * 100
  }))
  const seeds = rows.flatMap((row) => row.values.map((value, i) => ({ name: name(row), rank: row.rank, value: value * 100, seed: sweep.seeds[i]! })))
  const y = { field: "name", type: "nominal" as const, sort: { field: "rank", order: "ascending" as const }, title: null, axis: { labelLimit: 420 } }
  const x = { type: "quantitative" as const, scale: { zero: false }, title: "validation accuracy in the last epoch (%)" }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: `descent sweep: ${rows.length} setting${rows.length === 1 ? "" : "s"}, ranked on validation`,
      subtitle: [
        `seeds ${sweep.seeds.join(", ")}; the last ${sweep.validation} training images held out`,
        "dot: the mean over the seeds; grey ticks: each seed;",
        "bar: ± one sample standard deviation",
        ...(sweep.set === "(the base settings)" ? [] : [`every point: ${sweep.set}`])
      ],
      fontSize: 16,
      subtitleFontSize: 12,
      anchor: "start"
    },
    width: 420,
    height: { step: 26 },
    layer: [
      { data: { values: summary }, mark: { type: "rule", strokeWidth: 2, color: "#1f4e9c" }, encoding: { y, x: { ...x, field: "low" }, x2: { field: "high" } } },
      { data: { values: seeds }, mark: { type: "tick", thickness: 2, size: 14, color: "#8a96a8" }, encoding: { y, x: { ...x, field: "value" } } },
      { data: { values: summary }, mark: { type: "point", filled: true, size: 80, color: "#1f4e9c", opacity: 1 }, encoding: { y, x: { ...x, field: "mean" } } }
    ],
    config: { font, axis: { labelFontSize: 12, titleFontSize: 12 } }
  }
}
