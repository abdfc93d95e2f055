/**
 * `descent sweep`: a grid of `descent train` settings × seeds, every run held out the same
 * `--validation` images and ranked on them alone — never on the test set, which is kept for
 * the recipe finally chosen — and a table and a chart of the ranking.
 *
 * Each run is the very `descent train` run of its settings and seed (in its own process, side
 * by side on the cores and the memory, as `--seeds` runs go: see `SeedRuns`), in
 * `OUT/<point>/seed-S`, so each replays with `descent replay` and resumes with `--resume`. The
 * sweep writes `sweep.json` before the first run (what it tries: the grid, the shared
 * settings, the seeds, every point's options and folder) and again at the end with the ranking.
 * The same command again (or `descent sweep --resume OUT`) skips the runs that finished,
 * resumes those that stopped, starts the rest, then ranks them all.
 *
 * @since 0.4.0
 */
import type { Memory } from "@descent/core"
import * as NodeThreads from "@descent/core/NodeThreads"
import { AtomicFile, JsonFile, RunRecord, TrainingOptions } from "@descent/files"
import { CliConfig, HelpDoc, Options, ValidationError } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type * as Terminal from "@effect/platform/Terminal"
import { Effect, Option, Schema } from "effect"
import { type SeedFailed, UsageError } from "../CliError.js"
import type * as Datasets from "../Datasets.js"
import * as Font from "../Font.js"
import * as Invocation from "../Invocation.js"
import * as Output from "../Output.js"
import * as RunFolder from "../RunFolder.js"
import * as SeedRuns from "../SeedRuns.js"
import * as Spread from "../Spread.js"
import * as Svg from "../Svg.js"
import * as SweepChart from "../SweepChart.js"
import * as SweepSpec from "../SweepSpec.js"
import * as TrainFlags from "../TrainFlags.js"
import * as TrainRun from "../TrainRun.js"
import * as Plot from "./Plot.js"

/**
 * The flags of `descent sweep`, as parsed.
 *
 * @since 0.4.0
 * @category models
 */
export interface Flags {
  readonly grid: ReadonlyArray<SweepSpec.Axis>
  readonly set: ReadonlyArray<SweepSpec.Setting>
  readonly seeds: ReadonlyArray<number>
  readonly validation: number
  readonly data: Option.Option<string>
  readonly out: Option.Option<string>
  readonly resume: Option.Option<string>
  readonly jobs: Option.Option<number>
  readonly maxMemory: Memory.Limit
  readonly json: boolean
}

const Setting = Schema.Struct({ key: Schema.Literal(...SweepSpec.keys), value: Schema.String })
const SpreadSchema = Schema.Struct({ mean: Schema.Number, std: Schema.NullOr(Schema.Number), values: Schema.Array(Schema.Number) })

/**
 * `sweep.json`: what a sweep tries and, once it has run, how each point ranked.
 *
 * @since 0.4.0
 * @category schemas
 */
export const SweepFile = Schema.Struct({
  format: Schema.Literal("descent-sweep"),
  version: Schema.Literal(1),
  grid: Schema.Array(Schema.Struct({ key: Schema.Literal(...SweepSpec.keys), values: Schema.Array(Schema.String) })),
  set: Schema.Array(Setting),
  seeds: Schema.Array(Schema.Int).pipe(Schema.minItems(1), Schema.maxItems(1000)),
  validation: Schema.Int.pipe(Schema.positive()),
  points: Schema.Array(Schema.Struct({ folder: Schema.String, settings: Schema.Array(Setting), options: TrainingOptions.TrainingOptions })),
  /** The points by validation accuracy, best first (after a sweep has finished). */
  ranking: Schema.optional(Schema.Array(Schema.Struct({ folder: Schema.String, validationAccuracy: SpreadSchema })))
})

type SweepFile = Schema.Schema.Type<typeof SweepFile>

const fileOf = (root: string, path: Path.Path) => path.join(root, "sweep.json")

// A point's options, checked as `descent train` checks its flags: the same parser and the
// same checks, so a sweep never starts a run that train would refuse.
const optionsOf = (args: ReadonlyArray<string>, label: string) =>
  Effect.gen(function* () {
    const parsed = yield* Options.processCommandLine(Options.all(TrainFlags.flags), args, CliConfig.defaultConfig).pipe(
      Effect.mapError((error) => new UsageError({ message: `${label}: ${textOf(error)}` }))
    )
    const [problem, leftover, flags] = parsed
    if (Option.isSome(problem)) return yield* new UsageError({ message: `${label}: ${textOf(problem.value)}` })
    if (leftover.length > 0) return yield* new UsageError({ message: `${label}: ${leftover.join(" ")} is not a setting of descent train` })
    return yield* TrainFlags.toOptions(flags).pipe(Effect.mapError((error) => new UsageError({ message: `${label}: ${error.message}` })))
  })

const textOf = (error: ValidationError.ValidationError): string =>
  HelpDoc.toAnsiText(error.error).replace(/\u001b\[[0-9;]*m/g, "").trim().replace(/\s*\n\s*/g, "; ")

/** The sweep's plan from its flags: every point's folder, settings and options. */
const plan = (flags: Flags) =>
  Effect.gen(function* () {
    if (flags.grid.length === 0) return yield* new UsageError({ message: "give at least one --grid SETTING=V1,V2,… to sweep over (like --grid eta=0.5,1,3)" })
    const keys = [...flags.grid.map((axis) => axis.key), ...flags.set.map((setting) => setting.key)]
    const twice = keys.find((key, i) => keys.indexOf(key) !== i)
    if (twice !== undefined) return yield* new UsageError({ message: `${twice} is given twice among --grid and --set: give each setting once` })
    const combinations = SweepSpec.points(flags.grid)
    if (combinations.length * flags.seeds.length > 10_000) {
      return yield* new UsageError({ message: `the grid has ${combinations.length} points × ${flags.seeds.length} seeds: at most 10000 runs; sweep a smaller grid` })
    }
    const data = Option.match(flags.data, { onNone: () => [], onSome: (data) => ["--data", data] })
    const points: Array<SweepFile["points"][number]> = []
    for (const [i, settings] of combinations.entries()) {
      const label = `point ${i + 1} (${SweepSpec.labelOf(settings)})`
      const args = [...SweepSpec.argsOf(flags.set), ...SweepSpec.argsOf(settings), ...data, "--validation", String(flags.validation)]
      const options = yield* optionsOf(args, label)
      points.push({ folder: SweepSpec.folderOf(i, combinations.length, settings), settings, options })
    }
    const file: SweepFile = {
      format: "descent-sweep",
      version: 1,
      grid: flags.grid,
      set: flags.set,
      seeds: flags.seeds,
      validation: flags.validation,
      points
    }
    return file
  })

// Two plans are the same sweep when they try the same runs.
const sameSweep = (a: SweepFile, b: SweepFile): boolean => {
  const encode = Schema.encodeSync(SweepFile)
  const what = (file: SweepFile) => JSON.stringify(encode({ ...file, ranking: undefined }))
  return what(a) === what(b)
}

const read = (root: string, limit: Memory.Limit) =>
  Effect.flatMap(Path.Path, (path) =>
    JsonFile.read(fileOf(root, path), SweepFile, "record of a descent sweep", { maxBytes: 64 * 1024 * 1024, limit })
  )

const write = (root: string, file: SweepFile) =>
  Effect.flatMap(Path.Path, (path) => AtomicFile.write(fileOf(root, path), JSON.stringify(Schema.encodeSync(SweepFile)(file), null, 2) + "\n"))

type Status = "finished" | "stopped" | "new"

// Where a run of the sweep is: finished (its record says complete), stopped (a checkpoint to
// resume from), or never started.
const statusOf = (dir: string, limit: Memory.Limit) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const exists = (file: string) => fs.exists(path.join(dir, file)).pipe(Effect.orElseSucceed(() => false))
    if (!(yield* exists("checkpoint.json"))) return "new" as Status
    if (!(yield* exists("run.json"))) return "stopped" as Status
    const record = yield* RunRecord.read(path.join(dir, "run.json"), limit).pipe(Effect.option)
    return Option.isSome(record) && record.value.status === "complete" && record.value.epochs.length === record.value.options.epochs
      ? ("finished" as Status)
      : ("stopped" as Status)
  })

/**
 * Runs `descent sweep`.
 *
 * @since 0.4.0
 * @category commands
 */
export const run = (
  flags: Flags
): Effect.Effect<
  void,
  TrainRun.Failure | SeedFailed,
  FileSystem.FileSystem | Path.Path | Datasets.Datasets | Output.Output | Terminal.Terminal
> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    let root: string
    let sweep: SweepFile
    if (Option.isSome(flags.resume)) {
      if (flags.grid.length > 0 || flags.set.length > 0 || Option.isSome(flags.out)) {
        return yield* new UsageError({ message: "--resume continues the sweep recorded in its folder: drop --grid, --set and --out" })
      }
      root = path.resolve(flags.resume.value)
      sweep = yield* read(root, flags.maxMemory)
    } else {
      sweep = yield* plan(flags)
      root = Option.isSome(flags.out) ? path.resolve(flags.out.value) : yield* RunFolder.fresh("sweep")
      const exists = yield* fs.exists(fileOf(root, path)).pipe(Effect.orElseSucceed(() => false))
      if (exists) {
        const before = yield* read(root, flags.maxMemory)
        if (!sameSweep(before, sweep)) {
          return yield* new UsageError({
            message: `--out ${root}: this folder holds another sweep (its grid, settings or seeds differ); continue it with descent sweep --resume ${root}, or choose another --out`
          })
        }
      } else {
        yield* RunFolder.refuseIfTaken(root)
        yield* fs.makeDirectory(root, { recursive: true }).pipe(
          Effect.mapError((error) => new UsageError({ message: `--out ${root}: cannot create the folder (${error.message.replace(/\s+/g, " ")})` }))
        )
        yield* write(root, sweep)
      }
    }
    const largest = sweep.points.reduce((a, b) => (TrainRun.processMemory(b.options) > TrainRun.processMemory(a.options) ? b : a)).options
    yield* TrainRun.checkMemory(largest, flags.maxMemory)
    // Every run, and where it is.
    const runs: Array<{ point: number; seed: number; dir: string; status: Status }> = []
    for (const [point, { folder }] of sweep.points.entries()) {
      for (const seed of sweep.seeds) {
        const dir = path.join(root, folder, `seed-${seed}`)
        runs.push({ point, seed, dir, status: yield* statusOf(dir, flags.maxMemory) })
      }
    }
    const pending = runs.filter((r) => r.status !== "finished")
    const at = Math.min(Option.getOrElse(flags.jobs, () => Infinity), SeedRuns.concurrency(pending.length, TrainRun.processMemory(largest), flags.maxMemory))
    if (!flags.json) {
      const finished = runs.length - pending.length
      yield* Output.note(
        `sweeping ${sweep.points.length} settings × ${sweep.seeds.length} seed${sweep.seeds.length === 1 ? "" : "s"} (${runs.length} runs${finished > 0 ? `, ${finished} finished already` : ""}), ranked on the last ${sweep.validation} training images, ${pending.length === 0 ? "nothing left to run" : `${at} at a time`}, in ${root}`
      )
    }
    const data = Option.match(flags.data, { onNone: () => [], onSome: (data) => ["--data", data] })
    const jobs: Array<SeedRuns.Job> = pending.map(({ point, seed, dir, status }) => {
      const { options, settings } = sweep.points[point]!
      const threads = ["--threads", String(TrainRun.threadsFor(undefined, TrainingOptions.network(options), Math.max(1, Math.floor(NodeThreads.cores() / at))))]
      return {
        seed,
        epochs: options.epochs,
        label: `${SweepSpec.labelOf(settings)} seed ${seed}`,
        fields: { point: point + 1, settings: Object.fromEntries(settings.map((s) => [s.key, s.value])), seed },
        args: status === "stopped"
          ? ["--resume", dir, ...data, ...threads]
          : [...TrainingOptions.flagsOf({ ...options, seed }), ...threads, "--out", dir]
      }
    })
    yield* SeedRuns.runAll(jobs, {
      at,
      share: Math.floor(flags.maxMemory.bytes / at),
      json: flags.json,
      resume: Invocation.line("sweep", "--resume", root)
    })
    // The ranking: each point's validation accuracy in its last epoch, over the seeds.
    const scored: Array<{ point: number; validationAccuracy: Spread.Spread }> = []
    for (const [point, { folder }] of sweep.points.entries()) {
      const values: Array<number> = []
      for (const seed of sweep.seeds) {
        const record = yield* RunRecord.read(path.join(root, folder, `seed-${seed}`, "run.json"), flags.maxMemory)
        values.push(record.epochs[record.epochs.length - 1]!.validationAccuracy ?? Number.NaN)
      }
      scored.push({ point, validationAccuracy: Spread.of(values) })
    }
    scored.sort((a, b) => b.validationAccuracy.mean - a.validationAccuracy.mean || a.point - b.point)
    const ranked: SweepFile = { ...sweep, ranking: scored.map(({ point, validationAccuracy }) => ({ folder: sweep.points[point]!.folder, validationAccuracy })) }
    yield* write(root, ranked)
    const rows = scored.map(({ point, validationAccuracy }, i) => ({
      rank: i + 1,
      label: SweepSpec.labelOf(sweep.points[point]!.settings),
      folder: sweep.points[point]!.folder,
      ...validationAccuracy
    }))
    const svg = yield* Effect.promise(() => Plot.toSvg(SweepChart.spec(rows, { seeds: sweep.seeds, validation: sweep.validation, set: SweepSpec.labelOf(sweep.set) }, Font.family)))
    yield* AtomicFile.write(path.join(root, "sweep.svg"), svg)
    yield* AtomicFile.write(path.join(root, "sweep.png"), yield* Svg.toPng(svg, 2))
    if (flags.json) {
      for (const row of rows) {
        const point = sweep.points.find((p) => p.folder === row.folder)!
        yield* Output.json({
          rank: row.rank,
          settings: Object.fromEntries(point.settings.map((s) => [s.key, s.value])),
          folder: path.join(root, row.folder),
          seeds: sweep.seeds,
          validationAccuracy: { mean: row.mean, std: row.std, values: row.values }
        })
      }
      return
    }
    yield* Output.line(tableOf(rows, sweep))
    yield* Output.line(`sweep: ${fileOf(root, path)}; chart: ${path.join(root, "sweep.png")} (and .svg); each run replays with descent replay ${path.join(root, "<point>", "seed-S", "run.json")}`)
  })

/**
 * The ranking as a table: rank, validation accuracy (mean ± sample std, and each seed's), the
 * settings.
 *
 * @since 0.4.0
 * @category ranking
 */
export const tableOf = (
  rows: ReadonlyArray<{ readonly rank: number; readonly label: string; readonly mean: number; readonly std: number | null; readonly values: ReadonlyArray<number> }>,
  sweep: { readonly seeds: ReadonlyArray<number>; readonly validation: number }
): string => {
  const percent = (x: number) => (Number.isNaN(x) ? "—" : `${(x * 100).toFixed(2)}%`)
  const accuracy = rows.map((row) =>
    `${percent(row.mean)}${row.std === null ? "" : ` ± ${(row.std * 100).toFixed(2)}`}  (${row.values.map((v) => (v * 100).toFixed(2)).join(", ")})`
  )
  const head = `validation accuracy, last epoch, seeds ${sweep.seeds.join(",")}`
  const width = Math.max(head.length, ...accuracy.map((a) => a.length))
  const lines = [
    `rank  ${head.padEnd(width)}  settings`,
    ...rows.map((row, i) => `${String(row.rank).padStart(4)}  ${accuracy[i]!.padEnd(width)}  ${row.label}`)
  ]
  return `${lines.join("\n")}\n(mean ± sample standard deviation over the seeds, on the last ${sweep.validation} training images, held out; best first)`
}

