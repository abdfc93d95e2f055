/**
 * `descent train`, in its three modes: a run (reporting each epoch, and keeping a model, a run
 * record and a checkpoint in the run's folder after every epoch), `--seeds` (one run per seed,
 * side by side in processes of their own — see `SeedRuns` — and the spread of their final
 * accuracies), and `--resume DIR` (a stopped run — or a stopped
 * `--seeds` set of runs — carried on from its checkpoints). The flags are in `TrainFlags`, one
 * run in its folder in `TrainRun`, the epoch in `Training`.
 *
 * @since 0.1.0
 */
import * as NodeThreads from "@descent/core/NodeThreads"
import { AtomicFile, JsonFile, RunRecord, TrainingOptions } from "@descent/files"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option, Schema } from "effect"
import { type SeedFailed, UsageError } from "../CliError.js"
import * as Datasets from "../Datasets.js"
import * as Invocation from "../Invocation.js"
import * as Output from "../Output.js"
import * as RunFolder from "../RunFolder.js"
import * as SeedRuns from "../SeedRuns.js"
import * as Spread from "../Spread.js"
import * as TrainFlags from "../TrainFlags.js"
import * as TrainRun from "../TrainRun.js"

/**
 * Runs `descent train`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (
  flags: TrainFlags.Flags
): Effect.Effect<void, TrainRun.Failure | SeedFailed, FileSystem.FileSystem | Path.Path | Datasets.Datasets | Output.Output> =>
  Option.isSome(flags.resume)
    ? resume(flags.resume.value, flags)
    : flags.seeds.value !== undefined
    ? manySeeds(flags, flags.seeds.value)
    : start(flags)

const start = (flags: TrainFlags.Flags) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    if (flags.jobs.given) return yield* new UsageError({ message: "--jobs says how many of --seeds' runs go at once: give --seeds too, or leave --jobs out" })
    const options = yield* TrainFlags.toOptions(flags)
    const forData = yield* TrainRun.checkMemory(options, flags.maxMemory)
    if (flags.out.value !== undefined) {
      const dir = path.resolve(flags.out.value)
      yield* RunFolder.refuseIfTaken(dir)
      const data = yield* Datasets.load(options.data, forData)
      yield* TrainRun.checkShape(options, data)
      return yield* TrainRun.start(dir, options, data, flags, undefined).pipe(Effect.catchTag("FolderTaken", usage))
    }
    const data = yield* Datasets.load(options.data, forData)
    yield* TrainRun.checkShape(options, data)
    // A fresh name under runs/; when another run takes it first, the next one.
    for (let attempt = 1; ; attempt++) {
      const dir = yield* RunFolder.fresh(`seed${options.seed}`)
      const done = yield* TrainRun.start(dir, options, data, flags, undefined).pipe(
        Effect.map(Option.some),
        Effect.catchTag("FolderTaken", (taken) => (attempt < 100 ? Effect.succeed(Option.none()) : usage(taken)))
      )
      if (Option.isSome(done)) return done.value
    }
  })

const usage = (taken: RunFolder.FolderTaken) => Effect.fail(new UsageError({ message: taken.message }))

/**
 * `seeds.json` in the folder of a `--seeds` run: the seeds and the options they share, written
 * before the first seed's run, so that `--resume` can finish every seed and the summary.
 */
const SeedsFile = Schema.Struct({
  format: Schema.Literal("descent-seeds"),
  version: Schema.Literal(1),
  seeds: Schema.Array(Schema.Int).pipe(Schema.minItems(2), Schema.maxItems(1000)),
  options: TrainingOptions.TrainingOptions
})

const seedsFile = (root: string, path: Path.Path) => path.join(root, "seeds.json")
const seedFolder = (root: string, seed: number, path: Path.Path) => path.join(root, `seed-${seed}`)

// The seeds' runs, side by side (see `SeedRuns`), then their summary from their run records.
// `jobs` are made knowing how many go at once.
const runSeeds = (
  root: string,
  seeds: ReadonlyArray<number>,
  base: TrainingOptions.TrainingOptions,
  jobsAt: (at: number) => Effect.Effect<ReadonlyArray<SeedRuns.Job>, never, FileSystem.FileSystem>,
  flags: TrainFlags.Flags
) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const at = Math.min(flags.jobs.value ?? Infinity, SeedRuns.concurrency(seeds.length, TrainRun.processMemory(base), flags.maxMemory))
    const jobs = yield* jobsAt(at)
    if (!flags.json) yield* Output.note(`training seeds ${seeds.join(", ")} of ${base.layers.join("-")}, ${at} at a time, into ${root}`)
    yield* SeedRuns.runAll(jobs, { at, share: Math.floor(flags.maxMemory.bytes / at), json: flags.json, resume: Invocation.line("train", "--resume", root) })
    const finals: Array<RunRecord.EpochMetrics> = []
    for (const seed of seeds) {
      const record = yield* RunRecord.read(path.join(seedFolder(root, seed, path), "run.json"), flags.maxMemory)
      finals.push(record.epochs[record.epochs.length - 1]!)
    }
    yield* report(seeds, finals, flags.json)
  })

// The flags that change how a run goes but are not among its options: --stop-when-stalled, and
// the threads of a run that is one of `at` going at once (its share of the cores, unless
// --threads says).
const passed = (flags: TrainFlags.Flags, options: TrainingOptions.TrainingOptions, at: number): ReadonlyArray<string> => [
  ...(flags.stopWhenStalled ? ["--stop-when-stalled"] : []),
  ...threadsOf(flags, options, at)
]
const threadsOf = (flags: TrainFlags.Flags, options: TrainingOptions.TrainingOptions, at: number): ReadonlyArray<string> => [
  "--threads",
  String(TrainRun.threadsFor(flags.threads.value, TrainingOptions.network(options), Math.max(1, Math.floor(NodeThreads.cores() / at))))
]

/**
 * The same options over several seeds, one run folder each, run side by side, and the spread
 * of the final test accuracy: mean ± sample standard deviation over the seeds — never the best.
 */
const manySeeds = (flags: TrainFlags.Flags, seeds: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const base = yield* TrainFlags.toOptions(flags)
    yield* TrainRun.checkMemory(base, flags.maxMemory)
    const root = flags.out.value === undefined ? yield* RunFolder.fresh(`seeds${seeds.join("-")}`) : path.resolve(flags.out.value)
    if (yield* fs.exists(seedsFile(root, path)).pipe(Effect.orElseSucceed(() => false))) {
      return yield* new UsageError({
        message: `--out ${root}: this folder already holds runs of several seeds; continue them with --resume ${root}, or choose another --out`
      })
    }
    for (const seed of seeds) yield* RunFolder.refuseIfTaken(seedFolder(root, seed, path))
    yield* fs.makeDirectory(root, { recursive: true }).pipe(
      Effect.mapError((error) => new UsageError({ message: `--out ${root}: cannot create the folder (${error.message.replace(/\s+/g, " ")})` }))
    )
    yield* AtomicFile.writeJson(seedsFile(root, path), Schema.encodeSync(SeedsFile)({ format: "descent-seeds", version: 1, seeds, options: base }))
    if (flags.jobs.value === 1) {
      // One after another, in this process: the data loaded once.
      const data = yield* Datasets.load(base.data, yield* TrainRun.checkMemory(base, flags.maxMemory))
      yield* TrainRun.checkShape(base, data)
      const finals: Array<RunRecord.EpochMetrics> = []
      for (const seed of seeds) {
        const done = yield* TrainRun.start(seedFolder(root, seed, path), { ...base, seed }, data, flags, seed).pipe(Effect.catchTag("FolderTaken", usage))
        finals.push(done.epochs[done.epochs.length - 1]!)
      }
      return yield* report(seeds, finals, flags.json)
    }
    const jobs = (at: number) =>
      Effect.succeed(seeds.map((seed) => ({
        seed,
        epochs: base.epochs,
        args: [...TrainingOptions.flagsOf({ ...base, seed }), ...passed(flags, base, at), "--out", seedFolder(root, seed, path)]
      })))
    yield* runSeeds(root, seeds, base, jobs, flags)
  })

/** Each seed's run resumed, started if it never was, side by side, and the summary printed. */
const resumeSeeds = (root: string, flags: TrainFlags.Flags) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const { options: base, seeds } = yield* JsonFile.read(seedsFile(root, path), SeedsFile, "record of a --seeds run", {
      maxBytes: 1024 * 1024,
      limit: flags.maxMemory
    })
    if (flags.jobs.value === 1) {
      const finals: Array<RunRecord.EpochMetrics> = []
      for (const seed of seeds) {
        const dir = seedFolder(root, seed, path)
        const started = yield* fs.exists(path.join(dir, "checkpoint.json")).pipe(Effect.orElseSucceed(() => false))
        const done = started
          ? yield* TrainRun.resume(dir, flags, seed)
          : yield* Effect.gen(function* () {
            const options = { ...base, seed }
            const data = yield* Datasets.load(options.data, yield* TrainRun.checkMemory(options, flags.maxMemory))
            return yield* TrainRun.start(dir, options, data, flags, seed).pipe(Effect.catchTag("FolderTaken", usage))
          })
        finals.push(done.epochs[done.epochs.length - 1]!)
      }
      return yield* report(seeds, finals, flags.json)
    }
    const data = flags.data.value === undefined ? [] : ["--data", flags.data.value]
    const jobs = (at: number) =>
      Effect.forEach(seeds, (seed) =>
        Effect.gen(function* () {
          const dir = seedFolder(root, seed, path)
          const started = yield* fs.exists(path.join(dir, "checkpoint.json")).pipe(Effect.orElseSucceed(() => false))
          return {
            seed,
            epochs: base.epochs,
            args: started ? ["--resume", dir, ...data, ...threadsOf(flags, base, at)] : [...TrainingOptions.flagsOf({ ...base, seed }), ...passed(flags, base, at), "--out", dir]
          }
        }))
    yield* runSeeds(root, seeds, base, jobs, flags)
  })

const resume = (dir: string, flags: TrainFlags.Flags) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const given = TrainFlags.givenBesideResume(flags)
    if (given.length > 0) {
      return yield* new UsageError({
        message: `--resume continues a run with the options recorded in it (only --data may say where its data is now); drop ${given.join(", ")}`
      })
    }
    const root = path.resolve(dir)
    const isSeeds = !(yield* fs.exists(path.join(root, "checkpoint.json")).pipe(Effect.orElseSucceed(() => false))) &&
      (yield* fs.exists(seedsFile(root, path)).pipe(Effect.orElseSucceed(() => false)))
    if (isSeeds) return yield* resumeSeeds(root, flags)
    yield* TrainRun.resume(root, flags)
  }).pipe(Effect.asVoid)

const summarise = (seeds: ReadonlyArray<number>, finals: ReadonlyArray<RunRecord.EpochMetrics>) => {
  const validation = finals.map((m) => m.validationAccuracy).filter((v): v is number => v !== undefined)
  return {
    seeds,
    epochs: finals[0]!.epoch,
    testAccuracy: Spread.of(finals.map((m) => m.testAccuracy)),
    ...(validation.length === finals.length ? { validationAccuracy: Spread.of(validation) } : {})
  }
}

const report = (seeds: ReadonlyArray<number>, finals: ReadonlyArray<RunRecord.EpochMetrics>, json: boolean) =>
  Effect.gen(function* () {
    const summary = summarise(seeds, finals)
    if (json) return yield* Output.json(summary)
    // --seeds takes two seeds or more: every spread has a deviation.
    const show = (s: Spread.Spread) => `${Output.percent(s.mean)} ± ${Output.percent(s.std ?? Number.NaN)}`
    yield* Output.line(
      `seeds ${seeds.join(",")}: final test accuracy ${show(summary.testAccuracy)}` +
        (summary.validationAccuracy ? `, validation accuracy ${show(summary.validationAccuracy)}` : "") +
        " (mean ± sample standard deviation)"
    )
  })
