/**
 * `descent train`, in its three modes: a run (reporting each epoch, and keeping a model, a run
 * record and a checkpoint in the run's folder after every epoch), `--seeds` (one run per seed,
 * and the spread of their final accuracies), and `--resume DIR` (a stopped run carried on from
 * its checkpoint). The flags are in `TrainFlags`, the folders in `RunFolder`, the epoch in
 * `Training`.
 *
 * @since 0.1.0
 */
import { Descent, Layout, Memory, Numerics } from "@descent/core"
import type { IdxError, Mnist, MnistError } from "@descent/data"
import {
  Checkpoint,
  type FileError,
  type FileFormatError,
  ModelFile,
  NumericsMismatch,
  RunRecord,
  TrainingOptions
} from "@descent/files"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { Diverged, Interrupted, Stalled, Unfit, UsageError } from "../CliError.js"
import * as Datasets from "../Datasets.js"
import * as MemoryFlag from "../MemoryFlag.js"
import * as Output from "../Output.js"
import * as Progress from "../Progress.js"
import * as RunFolder from "../RunFolder.js"
import * as StopSignal from "../StopSignal.js"
import * as TrainFlags from "../TrainFlags.js"
import * as Training from "../Training.js"
import { engine, versions } from "../Versions.js"

type Failure =
  | UsageError
  | IdxError
  | MnistError
  | FileError
  | FileFormatError
  | Memory.MemoryLimitError
  | Diverged
  | Interrupted
  | Stalled
  | Unfit
  | NumericsMismatch

const checkShape = (options: TrainingOptions.TrainingOptions, data: Mnist.MnistData): Effect.Effect<void, UsageError | Unfit> => {
  const pixels = data.train.rows * data.train.cols
  const source = Datasets.describe(options.data)
  if (data.train.count === 0 || data.test.count === 0) {
    const [file, set, use] = data.train.count === 0
      ? [data.files.trainImages.path, "training", "a network learns from them"]
      : [data.files.testImages.path, "test", "each epoch is judged on them"]
    return Effect.fail(new Unfit({ message: `${file}: holds no ${set} images, and ${use}; give a data set that has some` }))
  }
  const problem =
    options.layers[0] !== pixels
      ? `--layers ${options.layers.join(",")}: the first layer must have one neuron per pixel: ${pixels} for the ${data.train.rows}×${data.train.cols} images of ${source}`
      : options.validation >= data.train.count
      ? `--validation ${options.validation}: ${source} has ${data.train.count} training images; hold out fewer`
      : options.subset !== null && options.subset > data.train.count - options.validation
      ? `--subset ${options.subset}: only ${data.train.count - options.validation} training images are left after holding out ${options.validation}`
      : undefined
  return problem === undefined ? Effect.void : Effect.fail(new UsageError({ message: problem }))
}

/**
 * What the network and its batches need, checked from the options alone, before the data is
 * loaded: the fold's workspace fits one WebAssembly memory, and the run fits the limit. Gives
 * the part of the limit left for the data. (`replay` checks a recorded run the same way.)
 *
 * @since 0.3.0
 * @category memory
 */
export const checkMemory = (options: TrainingOptions.TrainingOptions, limit: Memory.Limit): Effect.Effect<Memory.Limit, UsageError> => {
  const layout = Layout.make(options.layers)
  const what = `--layers ${options.layers.join(",")} --batch-size ${options.batchSize}`
  const workspace = Descent.workspaceBytes(layout, options.batchSize)
  if (workspace > Descent.maxWorkspaceBytes) {
    return Effect.fail(
      new UsageError({
        message: `${what}: one batch of this network needs ${Memory.format(workspace)} of WebAssembly memory, which holds at most ${Memory.format(Descent.maxWorkspaceBytes)}; use a smaller --batch-size or fewer neurons`
      })
    )
  }
  // Each epoch evaluates the test images (MNIST's 10,000) and, for --subset or --shuffle-labels,
  // the training images: the larger is not known before the data is, so allow for 60,000.
  const needed = MemoryFlag.baseline + Training.memory(options, 60_000)
  const over = Memory.check(limit, needed, what, `training ${Layout.format(layout)} in batches of ${options.batchSize}`)
  if (over !== undefined) return Effect.fail(new UsageError({ message: over.message }))
  return Effect.succeed(MemoryFlag.remaining(limit, needed, `training ${Layout.format(layout)}`))
}

/**
 * Runs `descent train`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (
  flags: TrainFlags.Flags
): Effect.Effect<void, Failure, FileSystem.FileSystem | Path.Path | Datasets.Datasets | Output.Output> =>
  Option.isSome(flags.resume)
    ? resume(flags.resume.value, flags)
    : flags.seeds.value !== undefined
    ? manySeeds(flags, flags.seeds.value)
    : start(flags)

const start = (flags: TrainFlags.Flags) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const options = yield* TrainFlags.toOptions(flags)
    const forData = yield* checkMemory(options, flags.maxMemory)
    const dir = flags.out.value === undefined ? yield* RunFolder.fresh(`seed${options.seed}`) : path.resolve(flags.out.value)
    yield* RunFolder.refuseIfTaken(dir)
    const data = yield* Datasets.load(options.data, forData)
    yield* checkShape(options, data)
    const { sets, state } = Training.begin(options, data)
    const fingerprints = RunRecord.fingerprints(data.files)
    yield* RunFolder.create(dir, (folder) => save(folder, fingerprints, state, "running"))
    yield* train(dir, state, sets, fingerprints, flags, undefined)
  })

/**
 * The same options over several seeds, one run folder each, and the spread of the final test
 * accuracy: mean ± sample standard deviation over the seeds — never the best of them.
 */
const manySeeds = (flags: TrainFlags.Flags, seeds: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const base = yield* TrainFlags.toOptions(flags)
    const forData = yield* checkMemory(base, flags.maxMemory)
    const root = flags.out.value === undefined ? yield* RunFolder.fresh(`seeds${seeds.join("-")}`) : path.resolve(flags.out.value)
    const dirs = seeds.map((seed) => path.join(root, `seed-${seed}`))
    for (const dir of dirs) yield* RunFolder.refuseIfTaken(dir)
    const data = yield* Datasets.load(base.data, forData)
    yield* checkShape(base, data)
    const fingerprints = RunRecord.fingerprints(data.files)
    const finals: Array<RunRecord.EpochMetrics> = []
    for (const [i, seed] of seeds.entries()) {
      const options = { ...base, seed }
      const { sets, state } = Training.begin(options, data)
      yield* RunFolder.create(dirs[i]!, (folder) => save(folder, fingerprints, state, "running"))
      const done = yield* train(dirs[i]!, state, sets, fingerprints, flags, seed)
      finals.push(done.epochs[done.epochs.length - 1]!)
    }
    const summary = summarise(seeds, finals)
    if (flags.json) yield* Output.json(summary)
    else {
      const show = (s: Spread) => `${Output.percent(s.mean)} ± ${Output.percent(s.std)}`
      yield* Output.line(
        `seeds ${seeds.join(",")}: final test accuracy ${show(summary.testAccuracy)}` +
          (summary.validationAccuracy ? `, validation accuracy ${show(summary.validationAccuracy)}` : "") +
          " (mean ± sample standard deviation)"
      )
    }
  })

interface Spread {
  readonly mean: number
  readonly std: number
  readonly values: ReadonlyArray<number>
}

const spread = (values: ReadonlyArray<number>): Spread => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const variance = values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (values.length - 1)
  return { mean, std: Math.sqrt(variance), values }
}

const summarise = (seeds: ReadonlyArray<number>, finals: ReadonlyArray<RunRecord.EpochMetrics>) => {
  const validation = finals.map((m) => m.validationAccuracy).filter((v): v is number => v !== undefined)
  return {
    seeds,
    epochs: finals[0]!.epoch,
    testAccuracy: spread(finals.map((m) => m.testAccuracy)),
    ...(validation.length === finals.length ? { validationAccuracy: spread(validation) } : {})
  }
}

const resume = (dir: string, flags: TrainFlags.Flags) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const given = TrainFlags.given(flags)
    if (given.length > 0) {
      return yield* new UsageError({
        message: `--resume continues a run with the options recorded in it; drop ${given.join(", ")}`
      })
    }
    const runDir = path.resolve(dir)
    const paths = RunFolder.files(runDir, path)
    // A write killed halfway leaves a temporary file; the file it was replacing is intact.
    yield* RunFolder.clearTemporaries(runDir)
    const checkpoint = yield* RunFolder.readCheckpoint(runDir, flags.maxMemory)
    const forData = yield* checkMemory(checkpoint.options, flags.maxMemory)
    // The checkpoint is the commit point: the state after its last epoch is the run's.
    const state: Training.State = {
      options: checkpoint.options,
      network: TrainingOptions.network(checkpoint.options),
      epochs: checkpoint.epochs,
      params: checkpoint.params,
      rng: checkpoint.rng
    }
    if (state.epochs.length >= state.options.epochs) {
      if (yield* RunFolder.isFinished(runDir, checkpoint)) {
        yield* Output.note(`${runDir}: all ${state.options.epochs} epochs are done; nothing to resume`)
        return
      }
      // Stopped after the last checkpoint but before the model and the record caught up.
      yield* saveViews(runDir, checkpoint.data, state, "complete")
      yield* Output.note(
        `${runDir}: all ${state.options.epochs} epochs were done; model.json and run.json now hold the last of them (the run had stopped before writing them)`
      )
      return
    }
    if (checkpoint.numerics !== Numerics.version) {
      return yield* new NumericsMismatch({
        path: paths.checkpoint,
        what: "checkpoint",
        recorded: checkpoint.numerics,
        current: Numerics.version,
        rerecord: TrainingOptions.commandLine(checkpoint.options)
      })
    }
    const data = yield* Datasets.load(checkpoint.options.data, forData)
    const fingerprints = RunRecord.fingerprints(data.files)
    for (const key of Object.keys(fingerprints) as Array<keyof RunRecord.DataFingerprints>) {
      if (fingerprints[key].sha256 !== checkpoint.data[key].sha256) {
        return yield* new UsageError({
          message: `${Datasets.describe(checkpoint.options.data)}: ${fingerprints[key].file} is not the file this run started with (SHA-256 differs); resume with the same data`
        })
      }
    }
    // The sets follow from the options and the seed; the rest of the state is the checkpoint's.
    const { sets } = Training.begin(checkpoint.options, data)
    // The model and the record may be an epoch behind the checkpoint: bring them level first.
    yield* saveViews(runDir, fingerprints, state, "running")
    if (!flags.json) yield* Output.note(`resuming ${runDir} after epoch ${state.epochs.length} of ${state.options.epochs}`)
    yield* train(runDir, state, sets, fingerprints, flags, undefined)
  })

const record = (
  state: Training.State,
  fingerprints: RunRecord.DataFingerprints,
  status: RunRecord.RunRecord["status"]
): RunRecord.RunRecord => ({
  format: "descent-run",
  version: 1,
  status,
  options: state.options,
  numerics: Numerics.version,
  data: fingerprints,
  epochs: state.epochs,
  environment: { engine, node: process.version, platform: `${process.platform}-${process.arch}`, packages: versions }
})

/** `model.json` and `run.json` of `state`: what follows from the checkpoint. */
const saveViews = (
  dir: string,
  fingerprints: RunRecord.DataFingerprints,
  state: Training.State,
  status: RunRecord.RunRecord["status"]
) =>
  Effect.flatMap(Path.Path, (path) => {
    const paths = RunFolder.files(dir, path)
    return Effect.zipRight(ModelFile.write(paths.model, state), RunRecord.write(paths.run, record(state, fingerprints, status)))
  })

/** The run's three files after an epoch: the checkpoint first — the commit point — then the rest. */
const save = (
  dir: string,
  fingerprints: RunRecord.DataFingerprints,
  state: Training.State,
  status: RunRecord.RunRecord["status"]
) =>
  Effect.flatMap(Path.Path, (path) =>
    Checkpoint.write(RunFolder.files(dir, path).checkpoint, {
      options: state.options,
      numerics: Numerics.version,
      data: fingerprints,
      epochs: state.epochs,
      params: state.params,
      rng: state.rng
    }).pipe(Effect.zipRight(saveViews(dir, fingerprints, state, status)))
  )

/** Trains the run in `dir` from `initial`, whose files are saved, to its last epoch. */
const train = (
  dir: string,
  initial: Training.State,
  sets: Training.Sets,
  fingerprints: RunRecord.DataFingerprints,
  flags: TrainFlags.Flags,
  seed: number | undefined
): Effect.Effect<Training.State, Failure, FileSystem.FileSystem | Path.Path | Output.Output> =>
  Effect.scoped(
    Effect.gen(function* () {
      const path = yield* Path.Path
      const paths = RunFolder.files(dir, path)
      const { options } = initial
      const json = flags.json
      const kept = (state: Training.State) =>
        state.epochs.length === 0
          ? `no epoch was completed; ${dir} holds the starting point`
          : `the checkpoint after epoch ${state.epochs.length} is kept in ${dir}`

      const stop = yield* StopSignal.listen
      const progress = Progress.make(options.epochs)
      const observer: Training.Observer = { onStep: progress.update, stopRequested: stop.requested }

      if (!json) yield* Output.note(`training ${Layout.format(initial.network.layout)} on ${Datasets.describe(options.data)} into ${dir}`)
      let state = initial
      let warned = false
      while (state.epochs.length < options.epochs) {
        const current = state
        state = yield* Training.epoch(current, sets, observer).pipe(
          Effect.tapError(() => Effect.sync(progress.clear)),
          Effect.catchTags({
            Stopped: () =>
              Effect.zipRight(
                RunRecord.write(paths.run, record(current, fingerprints, "interrupted")),
                Effect.fail(new Interrupted({ resume: `descent train --resume ${dir}`, kept: kept(current) }))
              ),
            Divergence: (d) =>
              Effect.zipRight(
                RunRecord.write(paths.run, record(current, fingerprints, "diverged")),
                Effect.fail(new Diverged({ epoch: d.epoch, batch: d.batch, eta: TrainingOptions.etaOf(options, d.epoch), kept: kept(current) }))
              )
          })
        )
        progress.clear()
        const metrics = state.epochs[state.epochs.length - 1]!
        if (json) yield* Output.json(seed === undefined ? metrics : { seed, ...metrics })
        else yield* Output.line((seed === undefined ? "" : `seed ${seed}  `) + Output.epochLine(metrics, options.epochs))
        const done = state.epochs.length === options.epochs
        const stalled = Training.stall(state, sets)
        yield* save(dir, fingerprints, state, done ? "complete" : stalled !== undefined && flags.stopWhenStalled ? "stalled" : "running")
        if (stalled !== undefined && !done) {
          const eta = TrainingOptions.etaOf(options, metrics.epoch)
          if (flags.stopWhenStalled) {
            return yield* new Stalled({ epoch: metrics.epoch, reason: `test accuracy ${Output.percent(metrics.testAccuracy)} is chance; ${stalled.reason}`, eta, kept: kept(state) })
          }
          if (!warned) {
            yield* Output.note(
              `warning: learning has stalled in epoch ${metrics.epoch}: test accuracy ${Output.percent(metrics.testAccuracy)} is chance; ${stalled.reason}. Saturated neurons pass no gradient, so more epochs will not help: η = ${eta} is probably too large; try a smaller --eta (--stop-when-stalled stops such a run)`
            )
            warned = true
          }
        }
      }
      if (!json) yield* Output.note(`model: ${paths.model}\nrun record: ${paths.run} (check it with: descent replay ${paths.run})`)
      return state
    })
  )
