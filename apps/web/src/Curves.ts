/**
 * The learning curves of one or more runs as a Vega-Lite specification: one training-cost panel
 * per cost function the runs were trained with (a quadratic cost and a cross-entropy are not on
 * one scale), then test accuracy, one legend naming every run. Runs whose parameters came out
 * identical every epoch are marked in the legend (`b/r (= a/r)`), and each run's line has its
 * own dash, so that one lying on another still shows.
 *
 * The one chart of descent: `descent plot` renders it headless (SVG, PNG); the page draws it
 * live as a run trains in it.
 *
 * Not for: naming runs (the caller does; `descent plot` by their paths) or rendering.
 *
 * @since 0.3.0
 */
import type { RunRecord } from "@descent/files"
import type { TopLevelSpec } from "vega-lite"

/**
 * A run to chart: its name in the legend, and its record.
 *
 * @since 0.3.0
 * @category models
 */
export interface Run {
  readonly name: string
  readonly record: RunRecord.RunRecord
}

interface Row {
  readonly run: string
  readonly epoch: number
  readonly value: number
}

/**
 * Which earlier run each run is identical to — the same parameters (by SHA-256) after every one
 * of the same number of epochs — or `undefined`.
 *
 * @since 0.3.0
 * @category naming
 */
export const identicalTo = (runs: ReadonlyArray<Run>): ReadonlyArray<string | undefined> => {
  const key = (run: Run) => run.record.epochs.map((e) => e.paramsSha256).join(",")
  return runs.map((run, i) => {
    const first = runs.findIndex((other) => key(other) === key(run) && run.record.epochs.length > 0)
    return first < i && first >= 0 ? runs[first]!.name : undefined
  })
}

const costNames: Record<string, string> = { quadratic: "quadratic cost", "cross-entropy": "cross-entropy cost" }

const panel = (title: string, subtitle: string, axis: string, rows: ReadonlyArray<Row>, format: string, zero: boolean, order: ReadonlyArray<string>) => ({
  title: { text: title, subtitle, fontSize: 13, subtitleFontSize: 11, anchor: "start" },
  width: 360,
  height: 260,
  data: { values: rows },
  mark: { type: "line", point: { filled: true, size: 30 }, strokeWidth: 2 },
  encoding: {
    x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 }, scale: { zero: false, nice: false } },
    y: { field: "value", type: "quantitative", title: axis, axis: { format }, scale: { zero } },
    color: { field: "run", type: "nominal", title: "run", scale: { domain: order } },
    strokeDash: { field: "run", type: "nominal", title: "run", scale: { domain: order } }
  }
})

/**
 * The chart's Vega-Lite specification: one training-cost panel per cost function the runs
 * were trained with, then test accuracy; one legend names every run.
 *
 * @since 0.3.0
 * @category charts
 */
export const spec = (runs: ReadonlyArray<Run>, font = "DejaVu Sans"): TopLevelSpec => {
  const same = identicalTo(runs)
  const label = runs.map((run, i) => (same[i] === undefined ? run.name : `${run.name} (= ${same[i]})`))
  const costs = [...new Set(runs.map((run) => run.record.options.cost))]
  const rows = (value: (e: RunRecord.EpochMetrics) => number, keep: (run: Run) => boolean = () => true) =>
    runs.flatMap((run, i) => (keep(run) ? run.record.epochs.map((e) => ({ run: label[i]!, epoch: e.epoch, value: value(e) })) : []))
  const costPanels = costs.map((cost) =>
    panel(
      `Training cost (${cost})`,
      "the mean over each epoch's mini-batches, each taken before its step",
      costNames[cost] ?? cost,
      rows((e) => e.trainCost, (run) => run.record.options.cost === cost),
      ".3f",
      true,
      label
    )
  )
  const notes = runs.flatMap((run, i) => (same[i] === undefined ? [] : [`${run.name} is identical to ${same[i]} (same parameters after every epoch): its lines lie on top of them.`]))
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: 16,
    config: { font, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400, symbolType: "stroke", symbolStrokeWidth: 2, symbolSize: 400 } },
    title: {
      text: runs.length === 1 ? `Learning curves of ${runs[0]!.name}` : `Learning curves of ${runs.length} runs`,
      subtitle: [
        costs.length > 1 ? "The runs were trained with different costs, so each cost has its own panel and scale." : "",
        ...notes
      ].filter((line) => line !== ""),
      fontSize: 16,
      subtitleFontSize: 12,
      anchor: "start",
      offset: 14
    },
    columns: 2,
    bounds: "flush",
    spacing: { row: 96, column: 110 },
    concat: [
      ...costPanels,
      panel("Test accuracy", "on the test images, never trained on", "test accuracy", rows((e) => e.testAccuracy), ".1%", false, label)
    ]
  } as TopLevelSpec
}

