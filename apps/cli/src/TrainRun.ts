/**
 * One training run in its folder, from its first files to its last epoch: the checks made
 * before it starts (memory, the data's shape), the loop over epochs with its reports, and how
 * its three files are saved after each — the checkpoint first, the run's one commit point (see
 * `RunFolder`) — and how a stopped run is resumed from them. `descent train` runs one of these
 * per seed; `replay` checks a recorded run's memory the same way.
 *
 * @since 0.3.0
 */
import { Dataset, Descent, Layout, Memory, Network, Numerics, Params, Threads } from "@descent/core"
import * as NodeThreads from "@descent/core/NodeThreads"
import type { IdxError, Mnist, MnistError } from "@descent/data"
import {
  Checkpoint,
  type FileError,
  FileFormatError,
  ModelFile,
  NumericsMismatch,
  RunRecord,
  Training,
  TrainingOptions
} from "@descent/files"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { Diverged, Interrupted, Stalled, Unfit, UsageError } from "./CliError.js"
import * as Datasets from "./Datasets.js"
import * as Invocation from "./Invocation.js"
import * as MemoryFlag from "./MemoryFlag.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as RunFolder from "./RunFolder.js"
import * as StopSignal from "./StopSignal.js"
import * as TrainFlags from "./TrainFlags.js"
import { engine, versions } from "./Versions.js"

/**
 * Everything a run can fail with.
 *
 * @since 0.3.0
 * @category errors
 */
export type Failure =
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

/**
 * The data fits the options: there are images to learn from and to be judged on, as many
 * pixels as the first layer has neurons, ten outputs for the ten digits, and enough images to
 * hold out and take a subset of. `from` names the run record or checkpoint the options were
 * read from; without it they are the command line's flags (a usage error, exit 2), with it
 * the file's (exit 1).
 *
 * @since 0.3.0
 * @category checks
 */
export const checkShape = (
  options: TrainingOptions.TrainingOptions,
  data: Mnist.MnistData,
  from?: string
): Effect.Effect<void, UsageError | Unfit> => {
  const pixels = data.train.rows * data.train.cols
  const source = Datasets.describe(options.data)
  if (data.train.count === 0 || data.test.count === 0) {
    const [file, set, use] = data.train.count === 0
      ? [data.files.trainImages.path, "training", "a network learns from them"]
      : [data.files.testImages.path, "test", "each epoch is judged on them"]
    return Effect.fail(new Unfit({ message: `${file}: holds no ${set} images, and ${use}; give a data set that has some` }))
  }
  const flag = (name: string, value: string) => (from === undefined ? `--${name} ${value}` : `${from}: its ${name} ${value}`)
  const problem =
    options.layers[0] !== pixels
      ? `${flag("layers", options.layers.join(","))}: the first layer must have one neuron per pixel: ${pixels} for the ${data.train.rows}×${data.train.cols} images of ${source}`
      : Layout.outputSize(Layout.make(options.layers)) !== Dataset.classes
      ? `${flag("layers", options.layers.join(","))}: the last layer must have ${Dataset.classes} neurons, one per digit`
      : options.validation >= data.train.count
      ? `${flag("validation", String(options.validation))}: ${source} has ${data.train.count} training images; hold out fewer`
      : options.subset !== null && options.subset > data.train.count - options.validation
      ? `${flag("subset", String(options.subset))}: only ${data.train.count - options.validation} training images are left after holding out ${options.validation}`
      : undefined
  if (problem === undefined) return Effect.void
  return Effect.fail(from === undefined ? new UsageError({ message: problem }) : new Unfit({ message: problem }))
}

/**
 * What the network and its batches need, checked from the options alone, before the data is
 * loaded: the fold's workspace fits one WebAssembly memory, and the run fits the limit. Gives
 * the part of the limit left for the data. `from`: as for `checkShape` (`replay` and `--resume`
 * check the options of their file this way).
 *
 * @since 0.3.0
 * @category memory
 */
export const checkMemory = (
  options: TrainingOptions.TrainingOptions,
  limit: Memory.Limit,
  from?: string
): Effect.Effect<Memory.Limit, UsageError | Unfit | Memory.MemoryLimitError> => {
  const layout = Layout.make(options.layers)
  const what = `--layers ${options.layers.join(",")} --batch-size ${options.batchSize}`
  const workspace = Descent.workspaceBytes(layout, options.batchSize)
  if (workspace > Descent.maxWorkspaceBytes) {
    const message = `one batch of ${Layout.format(layout)} in batches of ${options.batchSize} needs ${Memory.format(workspace)} of WebAssembly memory, which holds at most ${Memory.format(Descent.maxWorkspaceBytes)}`
    return Effect.fail(
      from === undefined
        ? new UsageError({ message: `${what}: ${message}; use a smaller --batch-size or fewer neurons` })
        : new Unfit({ message: `${from}: ${message}` })
    )
  }
  const needed = memory(options)
  const over = Memory.check(limit, needed, from ?? what, `training ${Layout.format(layout)} in batches of ${options.batchSize}`)
  if (over !== undefined) return Effect.fail(from === undefined ? new UsageError({ message: over.message }) : over)
  return Effect.succeed(MemoryFlag.remaining(limit, needed, `the training of ${Layout.format(layout)}`))
}

/**
 * Bytes one run of these options takes besides its data: the process, and the training. Each
 * epoch evaluates the test images (MNIST's 10,000) and, for --subset or --shuffle-labels, the
 * training images: the larger is not known before the data is, so 60,000 are allowed for.
 *
 * @since 0.3.0
 * @category memory
 */
export const memory = (options: TrainingOptions.TrainingOptions): number => MemoryFlag.baseline + Training.memory(options, 60_000)

/**
 * Bytes one run takes in a process of its own (a `--seeds` or `sweep` run): `memory`, and
 * MNIST's images as loaded (55 MB of pixels, with room for decoding them).
 *
 * @since 0.4.0
 * @category memory
 */
export const processMemory = (options: TrainingOptions.TrainingOptions): number => memory(options) + 128 * 1024 * 1024

/**
 * Resumes the run in `dir` from its checkpoint, with the options recorded there, to its last
 * epoch; first brings its model and record level with the checkpoint. A run whose epochs are
 * all done gets only its missing files. Gives the run's last state.
 *
 * @since 0.3.0
 * @category training
 */
export const resume = (dir: string, flags: TrainFlags.Flags, seed?: number) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const runDir = path.resolve(dir)
    const paths = RunFolder.files(runDir, path)
    // A write killed halfway leaves a temporary file; the file it was replacing is intact.
    yield* RunFolder.clearTemporaries(runDir)
    const checkpoint = yield* RunFolder.readCheckpoint(runDir, flags.maxMemory)
    const last = checkpoint.epochs[checkpoint.epochs.length - 1]
    const damaged = (problem: string) => new FileFormatError({ path: paths.checkpoint, what: "checkpoint", problem: `${problem}: the checkpoint is damaged; start the run again` })
    if (last !== undefined && RunRecord.paramsSha256(checkpoint.params) !== last.paramsSha256) {
      return yield* damaged(`field "params": the parameters do not hash to the SHA-256 recorded for epoch ${last.epoch}`)
    }
    // The data may have moved: --data says where it is now (its files' SHA-256 are checked).
    const options = flags.data.given
      ? { ...checkpoint.options, data: yield* Datasets.fromFlag(Option.fromNullable(flags.data.value)) }
      : checkpoint.options
    const forData = yield* checkMemory(options, flags.maxMemory, paths.checkpoint)
    // The checkpoint is the commit point: the state after its last epoch is the run's.
    const state: Training.State = {
      options,
      network: TrainingOptions.network(options),
      epochs: checkpoint.epochs,
      params: checkpoint.params,
      optimizer: checkpoint.optimizer,
      rng: checkpoint.rng
    }
    if (state.epochs.length >= state.options.epochs) {
      if (yield* RunFolder.isFinished(runDir, checkpoint)) {
        yield* Output.note(`${runDir}: all ${state.options.epochs} epochs are done; nothing to resume`)
        return state
      }
      // Stopped after the last checkpoint but before the model and the record caught up.
      yield* saveViews(runDir, checkpoint.data, state, "complete")
      yield* Output.note(
        `${runDir}: all ${state.options.epochs} epochs were done; model.json and run.json now hold the last of them (the run had stopped before writing them)`
      )
      return state
    }
    if (checkpoint.numerics !== Numerics.version) {
      return yield* new NumericsMismatch({
        path: paths.checkpoint,
        what: "checkpoint",
        recorded: checkpoint.numerics,
        current: Numerics.version,
        rerecord: TrainingOptions.commandLine(options)
      })
    }
    const data = yield* Datasets.load(options.data, forData).pipe(
      Effect.catchTag("IdxError", (error): Effect.Effect<never, IdxError | Unfit> =>
        flags.data.given || !["Missing", "FolderMissing", "DanglingLink", "Unreachable"].includes(error.reason)
          ? Effect.fail(error)
          : Effect.fail(new Unfit({ message: `${error.message}; the run's data is where its checkpoint says: if it has moved, resume with --resume ${runDir} --data NEW_PLACE` }))
      )
    )
    const fingerprints = RunRecord.fingerprints(data.files)
    for (const key of Object.keys(fingerprints) as Array<keyof RunRecord.DataFingerprints>) {
      if (fingerprints[key].sha256 !== checkpoint.data[key].sha256) {
        return yield* new Unfit({
          message: `${Datasets.describe(options.data)}: ${fingerprints[key].file} is not the file this run started with (its SHA-256 differs); resume with the same data`
        })
      }
    }
    yield* checkShape(options, data, paths.checkpoint)
    // The sets follow from the options and the seed; the rest of the state is the checkpoint's.
    const begun = Training.begin(options, data)
    const { sets } = begun
    if (last === undefined && !Params.equals(begun.state.params, checkpoint.params)) {
      return yield* damaged(`field "params": the parameters are not the ones the seed ${options.seed} starts from`)
    }
    // The model and the record may be an epoch behind the checkpoint: bring them level first.
    yield* saveViews(runDir, fingerprints, state, "running")
    if (!flags.json) yield* Output.note(`resuming ${runDir} after epoch ${state.epochs.length} of ${state.options.epochs}`)
    return yield* train(runDir, state, sets, fingerprints, flags, seed)
  })

// The engine this process is: what each record says trained it.
const environment = { engine, node: process.version, platform: `${process.platform}-${process.arch}`, packages: versions }

const record = (state: Training.State, fingerprints: RunRecord.DataFingerprints, status: RunRecord.RunRecord["status"]) =>
  Training.record(state, fingerprints, status, environment)

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
      optimizer: state.optimizer,
      rng: state.rng
    }).pipe(Effect.zipRight(saveViews(dir, fingerprints, state, status)))
  )

/**
 * A new run in `dir`: its folder created with its first files, then trained to its last epoch.
 *
 * @since 0.3.0
 * @category training
 */
export const start = (
  dir: string,
  options: TrainingOptions.TrainingOptions,
  data: Mnist.MnistData,
  flags: TrainFlags.Flags,
  seed: number | undefined
) =>
  Effect.gen(function* () {
    const { sets, state } = Training.begin(options, data)
    const fingerprints = RunRecord.fingerprints(data.files)
    yield* RunFolder.create(dir, (folder) => save(folder, fingerprints, state, "running"))
    return yield* train(dir, state, sets, fingerprints, flags, seed)
  })

/**
 * The threads a run shares layer 1 between: `--threads`, else `Threads.auto` for the network on
 * `cores` (this machine's, or a run's share of them when several go at once).
 *
 * @since 0.4.0
 * @category training
 */
export const threadsFor = (asked: number | undefined, network: Network.Network, cores = NodeThreads.cores()): number =>
  asked ?? Threads.auto(network.layout.sizes[1]!, cores)

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

      const threads = yield* NodeThreads.scoped(threadsFor(flags.threads.value, initial.network))
      const progress = Progress.make(options.epochs)
      // A signal's note goes on a clean line: the bar is taken down first, and not drawn again.
      const stop = yield* StopSignal.listen(Invocation.line("train", "--resume", dir), progress.clear)
      const observer: Training.Observer = {
        onStep: (epoch, done, total, cost) => {
          if (!stop.requested()) progress.update(epoch, done, total, cost)
        },
        stopRequested: stop.requested,
        turn: StopSignal.turn
      }

      if (!json) {
        yield* Output.note(
          `training ${Layout.format(initial.network.layout)}${options.precision === "f32" ? " in f32" : ""}${options.optimizer === "sgd" ? "" : ` with ${options.optimizer}`} on ${Datasets.describe(options.data)}${threads.count > 1 ? `, on ${threads.count} threads,` : ""} into ${dir}`
        )
      }
      let state = initial
      let warned = false
      while (state.epochs.length < options.epochs) {
        const current = state
        state = yield* Training.epoch(current, sets, observer, threads).pipe(
          Effect.tapError(() => Effect.sync(progress.clear)),
          Effect.catchTags({
            Stopped: () =>
              Effect.zipRight(
                RunRecord.write(paths.run, record(current, fingerprints, "interrupted")),
                Effect.fail(new Interrupted({ resume: Invocation.line("train", "--resume", dir), kept: kept(current) }))
              ),
            Divergence: (d) =>
              Effect.zipRight(
                RunRecord.write(paths.run, record(current, fingerprints, "diverged")),
                Effect.fail(new Diverged({ epoch: d.epoch, batch: d.batch, eta: TrainingOptions.etaOf(options, d.epoch), l2: options.l2, kept: kept(current) }))
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
      if (!json) yield* Output.note(`model: ${paths.model}\nrun record: ${paths.run} (check it with: ${Invocation.line("replay", paths.run)})`)
      return state
    })
  )
