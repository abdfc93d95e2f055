/**
 * `descent plot`: training cost and test accuracy per epoch from one or more run records, on
 * one chart for comparison — specified in Vega-Lite, rendered headless to SVG by Vega, and to
 * PNG by resvg in the font that ships with descent.
 *
 * A chart a reader can trust without asking: each run is named by the shortest end of its path
 * that no other run shares (`a/r` and `b/r`, never `r` and `r (2)`); the chart itself is
 * `@descent/web`'s `Curves` (the one the page draws as a run trains): a panel per cost
 * function, identical runs marked, a dash per run.
 *
 * @since 0.1.0
 */
import { Memory } from "@descent/core"
import { AtomicFile, RunRecord } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import * as Curves from "@descent/web/Curves"
import type { TopLevelSpec } from "vega-lite"
import { UsageError } from "../CliError.js"
import * as Font from "../Font.js"
import * as MemoryFlag from "../MemoryFlag.js"
import * as Output from "../Output.js"
import * as Svg from "../Svg.js"

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
    const runs: ReadonlyArray<Curves.Run> = records.map((record, i) => ({ name: labels[i]!, record }))
    const epochs = runs.reduce((n, r) => n + r.record.epochs.length, 0)
    const over = Memory.check(flags.maxMemory, memory(epochs), files.length === 1 ? files[0]! : `${files.length} run records`, `charting ${epochs} epochs`)
    if (over !== undefined) return yield* over
    const svg = yield* Effect.promise(() => toSvg(Curves.spec(runs, Font.family)))
    const bytes = format === ".svg" ? new TextEncoder().encode(svg) : yield* Svg.toPng(svg, 2)
    yield* AtomicFile.write(out, bytes)
    yield* Output.line(`${out}: training cost and test accuracy of ${runs.length} run(s), ${epochs} epochs in all`)
  })
