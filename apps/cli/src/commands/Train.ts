/**
 * `descent train`, in its three modes: a run (reporting each epoch, and keeping a model, a run
 * record and a checkpoint in the run's folder after every epoch), `--seeds` (one run per seed,
 * and the spread of their final accuracies), and `--resume DIR` (a stopped run carried on from
 * its checkpoint). The flags are in `TrainFlags`, the folders in `RunFolder`, the epoch in
 * `Training`.
 *
 * @since 0.1.0
 */
import { Layout, Numerics } from "@descent/core"
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
import { Diverged, Interrupted, UsageError } from "../CliError.js"
import * as Datasets from "../Datasets.js"
import * as Output from "../Output.js"
import * as Progress from "../Progress.js"
import * as RunFolder from "../RunFolder.js"
import * as StopSignal from "../StopSignal.js"
import * as TrainFlags from "../TrainFlags.js"
import * as Training from "../Training.js"
import { engine, versions } from "../Versions.js"

type Failure = UsageError | IdxError | MnistError | FileError | FileFormatError | Diverged | Interrupted | NumericsMismatch

const checkShape = (options: TrainingOptions.TrainingOptions, data: Mnist.MnistData): Effect.Effect<void, UsageError> => {
  const pixels = data.train.rows * data.train.cols
  const source = Datasets.describe(options.data)
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
    const dir = flags.out.value === undefined ? yield* RunFolder.fresh(`seed${options.seed}`) : path.resolve(flags.out.value)
    yield* RunFolder.refuseIfTaken(dir)
    const data = yield* Datasets.load(options.data)
    yield* checkShape(options, data)
    yield* RunFolder.make(dir)
    const { sets, state } = Training.begin(options, data)
    yield* train(dir, state, sets, RunRecord.fingerprints(data.files), flags.json, undefined)
  })

/**
 * The same options over several seeds, one run folder each, and the spread of the final test
 * accuracy: mean ± sample standard deviation over the seeds — never the best of them.
 */
const manySeeds = (flags: TrainFlags.Flags, seeds: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const base = yield* TrainFlags.toOptions(flags)
    const root = flags.out.value === undefined ? yield* RunFolder.fresh(`seeds${seeds.join("-")}`) : path.resolve(flags.out.value)
    const dirs = seeds.map((seed) => path.join(root, `seed-${seed}`))
    for (const dir of dirs) yield* RunFolder.refuseIfTaken(dir)
    const data = yield* Datasets.load(base.data)
    yield* checkShape(base, data)
    const finals: Array<RunRecord.EpochMetrics> = []
    for (const [i, seed] of seeds.entries()) {
      const options = { ...base, seed }
      yield* RunFolder.make(dirs[i]!)
      const { sets, state } = Training.begin(options, data)
      const done = yield* train(dirs[i]!, state, sets, RunRecord.fingerprints(data.files), flags.json, seed)
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
    const checkpoint = yield* Checkpoint.read(RunFolder.files(runDir, path).checkpoint)
    const data = yield* Datasets.load(checkpoint.options.data)
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
    const state: Training.State = {
      options: checkpoint.options,
      network: TrainingOptions.network(checkpoint.options),
      epochs: checkpoint.epochs,
      params: checkpoint.params,
      rng: checkpoint.rng
    }
    if (state.epochs.length >= state.options.epochs) {
      yield* Output.note(`${runDir}: all ${state.options.epochs} epochs are done; nothing to resume`)
      return
    }
    if (checkpoint.numerics !== Numerics.version) {
      return yield* new NumericsMismatch({
        path: RunFolder.files(runDir, path).checkpoint,
        what: "checkpoint",
        recorded: checkpoint.numerics,
        current: Numerics.version,
        rerecord: TrainingOptions.commandLine(checkpoint.options)
      })
    }
    if (!flags.json) yield* Output.note(`resuming ${runDir} after epoch ${state.epochs.length} of ${state.options.epochs}`)
    yield* train(runDir, state, sets, fingerprints, flags.json, undefined)
  })

const train = (
  dir: string,
  initial: Training.State,
  sets: Training.Sets,
  fingerprints: RunRecord.DataFingerprints,
  json: boolean,
  seed: number | undefined
): Effect.Effect<Training.State, Failure, FileSystem.FileSystem | Path.Path | Output.Output> =>
  Effect.scoped(
    Effect.gen(function* () {
      const path = yield* Path.Path
      const paths = RunFolder.files(dir, path)
      const { options } = initial
      const record = (state: Training.State, status: RunRecord.RunRecord["status"]): RunRecord.RunRecord => ({
        format: "descent-run",
        version: 1,
        status,
        options,
        numerics: Numerics.version,
        data: fingerprints,
        epochs: state.epochs,
        environment: { engine, node: process.version, platform: `${process.platform}-${process.arch}`, packages: versions }
      })
      const save = (state: Training.State, status: RunRecord.RunRecord["status"]) =>
        Effect.all([
          Checkpoint.write(paths.checkpoint, { options, numerics: Numerics.version, data: fingerprints, epochs: state.epochs, params: state.params, rng: state.rng }),
          ModelFile.write(paths.model, state),
          RunRecord.write(paths.run, record(state, status))
        ], { discard: true })
      const kept = (state: Training.State) =>
        state.epochs.length === 0
          ? `no epoch was completed; ${dir} holds the starting point`
          : `the checkpoint after epoch ${state.epochs.length} is kept in ${dir}`

      const stop = yield* StopSignal.listen
      const progress = Progress.make(options.epochs)
      const observer: Training.Observer = { onStep: progress.update, stopRequested: stop.requested }

      if (initial.epochs.length === 0) yield* save(initial, "running")
      if (!json) yield* Output.note(`training ${Layout.format(initial.network.layout)} on ${Datasets.describe(options.data)} into ${dir}`)
      let state = initial
      while (state.epochs.length < options.epochs) {
        const current = state
        state = yield* Training.epoch(current, sets, observer).pipe(
          Effect.tapError(() => Effect.sync(progress.clear)),
          Effect.catchTags({
            Stopped: () =>
              Effect.zipRight(
                RunRecord.write(paths.run, record(current, "interrupted")),
                Effect.fail(new Interrupted({ resume: `descent train --resume ${dir}`, kept: kept(current) }))
              ),
            Divergence: (d) =>
              Effect.zipRight(
                RunRecord.write(paths.run, record(current, "diverged")),
                Effect.fail(new Diverged({ epoch: d.epoch, batch: d.batch, eta: TrainingOptions.etaOf(options, d.epoch), kept: kept(current) }))
              )
          })
        )
        progress.clear()
        const metrics = state.epochs[state.epochs.length - 1]!
        if (json) yield* Output.json(seed === undefined ? metrics : { seed, ...metrics })
        else yield* Output.line((seed === undefined ? "" : `seed ${seed}  `) + Output.epochLine(metrics, options.epochs))
        yield* save(state, state.epochs.length === options.epochs ? "complete" : "running")
      }
      if (!json) yield* Output.note(`model: ${paths.model}\nrun record: ${paths.run} (check it with: descent replay ${paths.run})`)
      return state
    })
  )
