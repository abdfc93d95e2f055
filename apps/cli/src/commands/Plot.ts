/**
 * `descent plot`: training cost and test accuracy per epoch from one or more run records, on
 * one chart for comparison — specified in Vega-Lite, rendered headless to SVG by Vega, and to
 * PNG by resvg in the font that ships with descent.
 *
 * A chart a reader can trust without asking: each run is named by the shortest end of its path
 * that no other run shares (`a/r` and `b/r`, never `r` and `r (2)`); runs trained with
 * different costs get a panel each, since a quadratic cost and a cross-entropy are not
 * measured on one scale; runs whose parameters came out identical every epoch are marked as
 * such in the legend (`b/r (= a/r)`), and lines are dashed differently per run, so that one
 * lying on another still shows.
 *
 * @since 0.1.0
 */
import { Memory } from "@descent/core"
import { AtomicFile, RunRecord } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { UsageError } from "../CliError.js"
import * as Font from "../Font.js"
import * as MemoryFlag from "../MemoryFlag.js"
import * as Output from "../Output.js"
import * as Svg from "../Svg.js"

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
 * Legend names for runs read from `paths` (absolute, all different): the shortest end of each
 * path that tells it from every other — the run's folder for `…/run.json` (`r`), more of the
 * path where folders share a name (`a/r`, `b/r`), the file's name where it is not run.json.
 *
 * @since 0.3.0
 * @category naming
 */
export const names = (paths: ReadonlyArray<string>): ReadonlyArray<string> => {
  const parts = paths.map((p) => {
    const segments = p.split(/[\\/]/).filter((s) => s !== "")
    return segments[segments.length - 1] === "run.json" && segments.length > 1 ? segments.slice(0, -1) : segments
  })
  const tail = (i: number, k: number) => parts[i]!.slice(-k).join("/")
  const depth = parts.map(() => 1)
  for (;;) {
    const labels = parts.map((_, i) => tail(i, depth[i]!))
    let changed = false
    labels.forEach((label, i) => {
      const clash = labels.some((other, j) => j !== i && other === label)
      if (clash && depth[i]! < parts[i]!.length) {
        depth[i]!++
        changed = true
      }
    })
    if (!changed) return labels
  }
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
 * @since 0.1.0
 * @category charts
 */
export const spec = (runs: ReadonlyArray<Run>): TopLevelSpec => {
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
    config: { font: Font.family, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400, symbolType: "stroke", symbolStrokeWidth: 2, symbolSize: 400 } },
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

/**
 * The chart as SVG text.
 *
 * @since 0.1.0
 * @category charts
 */
export const toSvg = async (chart: TopLevelSpec): Promise<string> => {
  // Loaded only when a chart is drawn: Vega is large, and training has no use for it.
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")])
  return new vega.View(vega.parse(vegaLite.compile(chart).spec), { renderer: "none" }).toSVG()
}

/**
 * Bytes charting `epochs` epochs takes: the process with Vega loaded, and about 8 KB per epoch
 * (its two points as data, scenegraph and SVG text) — measured on Node 20: 125 MB peak RSS
 * for 1,000 epochs, 190 MB for 10,000, 478 MB for 50,000.
 *
 * @since 0.3.0
 * @category memory
 */
export const memory = (epochs: number): number => MemoryFlag.baseline + 64 * 1024 * 1024 + 9 * 1024 * epochs

/**
 * Runs `descent plot`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: { readonly runs: ReadonlyArray<string>; readonly out: string; readonly maxMemory: Memory.Limit }) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const out = path.resolve(flags.out)
    const format = path.extname(out).toLowerCase()
    if (format !== ".svg" && format !== ".png") {
      return yield* new UsageError({ message: `--out ${flags.out}: give a file ending in .svg or .png` })
    }
    const files = flags.runs.map((file) => path.resolve(file))
    const twice = files.find((file, i) => files.indexOf(file) !== i)
    if (twice !== undefined) {
      return yield* new UsageError({ message: `${twice} is given twice: give each run record once` })
    }
    const records: Array<RunRecord.RunRecord> = []
    for (const file of files) records.push(yield* RunRecord.read(file, flags.maxMemory))
    const labels = names(files)
    const runs = records.map((record, i) => ({ name: labels[i]!, record }))
    const epochs = runs.reduce((n, r) => n + r.record.epochs.length, 0)
    const over = Memory.check(flags.maxMemory, memory(epochs), files.length === 1 ? files[0]! : `${files.length} run records`, `charting ${epochs} epochs`)
    if (over !== undefined) return yield* over
    const svg = yield* Effect.promise(() => toSvg(spec(runs)))
    const bytes = format === ".svg" ? new TextEncoder().encode(svg) : yield* Svg.toPng(svg, 2)
    yield* AtomicFile.write(out, bytes)
    yield* Output.line(`${out}: training cost and test accuracy of ${runs.length} run(s), ${epochs} epochs in all`)
  })
