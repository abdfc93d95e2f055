/**
 * `descent train`: trains a network on MNIST (or a folder in its layout), reporting each epoch,
 * and keeps a model, a run record and a checkpoint in the run's folder after every epoch.
 * `--resume DIR` carries a stopped run on from its checkpoint.
 *
 * @since 0.1.0
 */
import { Layout, Numerics } from "@descent/core"
import type { IdxError, Mnist, MnistError } from "@descent/data"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { Checkpoint } from "@descent/files"
import { Diverged, Interrupted, UsageError } from "../CliError.js"
import { type FileError, type FileFormatError, NumericsMismatch } from "@descent/files"
import * as Datasets from "../Datasets.js"
import { ModelFile } from "@descent/files"
import * as Output from "../Output.js"
import * as Progress from "../Progress.js"
import { RunRecord } from "@descent/files"
import * as StopSignal from "../StopSignal.js"
import * as Training from "../Training.js"
import { TrainingOptions } from "@descent/files"
import { engine, versions } from "../Versions.js"

/**
 * The flags as parsed; absent ones take the defaults of `TrainingOptions.defaults`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flags {
  readonly data: Option.Option<string>
  readonly layers: Option.Option<string>
  readonly activation: Option.Option<"sigmoid" | "relu">
  readonly output: Option.Option<"sigmoid" | "softmax">
  readonly cost: Option.Option<"quadratic" | "cross-entropy">
  readonly init: Option.Option<"normal" | "scaled">
  readonly eta: Option.Option<number>
  readonly etaDecay: Option.Option<number>
  readonly l2: Option.Option<number>
  readonly batchSize: Option.Option<number>
  readonly epochs: Option.Option<number>
  readonly seed: Option.Option<number>
  readonly seeds: Option.Option<string>
  readonly validation: Option.Option<number>
  readonly subset: Option.Option<number>
  readonly shuffleLabels: boolean
  readonly out: Option.Option<string>
  readonly resume: Option.Option<string>
  readonly json: boolean
}

type Failure = UsageError | IdxError | MnistError | FileError | FileFormatError | Diverged | Interrupted | NumericsMismatch

const files = (dir: string, path: Path.Path) => ({
  checkpoint: path.join(dir, "checkpoint.json"),
  model: path.join(dir, "model.json"),
  run: path.join(dir, "run.json")
})

/**
 * "784,16,16,10" as layer sizes, or why not.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseLayers = (text: string): Either<ReadonlyArray<number>> => {
  const parts = text.split(",").map((part) => part.trim())
  const sizes = parts.map(Number)
  if (parts.some((part) => !/^\d+$/.test(part))) {
    return { error: `--layers ${text}: give whole numbers separated by commas, like 784,16,16,10` }
  }
  const invalid = Layout.validate(sizes)
  if (invalid !== undefined) return { error: `--layers ${text}: ${invalid.message.replace(/^layers [^:]*: /, "")}` }
  if (sizes[sizes.length - 1] !== 10) return { error: `--layers ${text}: the last layer must have 10 neurons, one per digit` }
  return { value: sizes }
}

type Either<A> = { readonly value: A; readonly error?: undefined } | { readonly error: string; readonly value?: undefined }

const validate = (flags: Flags): Effect.Effect<Omit<TrainingOptions.TrainingOptions, "data">, UsageError> => {
  const d = TrainingOptions.defaults
  const eta = Option.getOrElse(flags.eta, () => d.eta)
  const l2 = Option.getOrElse(flags.l2, () => d.l2)
  const etaDecay = Option.getOrElse(flags.etaDecay, () => d.etaDecay)
  const batchSize = Option.getOrElse(flags.batchSize, () => d.batchSize)
  const epochs = Option.getOrElse(flags.epochs, () => d.epochs)
  const seed = Option.getOrElse(flags.seed, () => d.seed)
  const validation = Option.getOrElse(flags.validation, () => d.validation)
  const subset = Option.getOrNull(flags.subset)
  const output = Option.getOrElse(flags.output, () => d.output)
  const cost = Option.getOrElse(flags.cost, () => d.cost)
  const layers: Either<ReadonlyArray<number>> = Option.match(flags.layers, {
    onNone: () => ({ value: d.layers }),
    onSome: parseLayers
  })
  const problem =
    !(Number.isFinite(eta) && eta > 0) ? `--eta ${eta}: the learning rate must be a number above 0, like 3.0`
    : !(etaDecay > 0 && etaDecay <= 1) ? `--eta-decay ${etaDecay}: the factor must be above 0 and at most 1, like 0.95`
    : !(Number.isFinite(l2) && l2 >= 0) ? `--l2 ${l2}: the regularisation strength λ must be 0 or more, like 5.0`
    : !(batchSize >= 1) ? `--batch-size ${batchSize}: a mini-batch needs at least 1 example`
    : !(epochs >= 1) ? `--epochs ${epochs}: train for at least 1 epoch`
    : !isSeed(seed) ? `--seed ${seed}: give a 32-bit integer`
    : !(validation >= 0) ? `--validation ${validation}: give a number of training images to hold out (0 for none)`
    : subset !== null && !(subset >= 1) ? `--subset ${subset}: train on at least 1 image`
    : output === "softmax" && cost !== "cross-entropy" ? `--output softmax: a softmax output layer is trained with --cost cross-entropy`
    : layers.error
  if (problem !== undefined) return Effect.fail(new UsageError({ message: problem }))
  return Effect.succeed({
    layers: layers.value!,
    activation: Option.getOrElse(flags.activation, () => d.activation),
    output,
    cost,
    init: Option.getOrElse(flags.init, () => d.init),
    eta,
    etaDecay,
    l2,
    batchSize,
    epochs,
    seed,
    validation,
    subset,
    shuffleLabels: flags.shuffleLabels
  })
}

const isSeed = (seed: number) => Number.isSafeInteger(seed) && seed >= -0x80000000 && seed <= 0x7fffffff

/**
 * "1,2,3" as seeds, or why not.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseSeeds = (text: string): Either<ReadonlyArray<number>> => {
  const parts = text.split(",").map((part) => part.trim())
  const seeds = parts.map(Number)
  if (parts.some((part) => !/^-?\d+$/.test(part)) || !seeds.every(isSeed)) {
    return { error: `--seeds ${text}: give 32-bit integers separated by commas, like 1,2,3` }
  }
  if (new Set(seeds).size !== seeds.length) return { error: `--seeds ${text}: each seed once` }
  if (seeds.length < 2) return { error: `--seeds ${text}: give at least two seeds (for one, use --seed)` }
  return { value: seeds }
}

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

const newRunDirectory = (name: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)
    for (let n = 1; ; n++) {
      const dir = path.resolve("runs", `${stamp}-${name}${n === 1 ? "" : `-${n}`}`)
      if (!(yield* fs.exists(dir).pipe(Effect.orElseSucceed(() => false)))) return dir
    }
  })

/**
 * Runs `descent train`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: Flags): Effect.Effect<void, Failure, FileSystem.FileSystem | Path.Path> =>
  Option.isSome(flags.resume)
    ? resume(flags.resume.value, flags)
    : Option.isSome(flags.seeds)
    ? manySeeds(flags, flags.seeds.value)
    : start(flags)

const holdsRun = (dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    if (yield* fs.exists(files(dir, path).checkpoint).pipe(Effect.orElseSucceed(() => false))) {
      return yield* new UsageError({
        message: `--out ${dir}: this folder already holds a run; continue it with --resume ${dir}, or choose another --out`
      })
    }
  })

const makeDirectory = (dir: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeDirectory(dir, { recursive: true })).pipe(
    Effect.mapError((error) => new UsageError({ message: `--out ${dir}: cannot create the folder (${error.message})` }))
  )

const start = (flags: Flags) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const chosen = yield* validate(flags)
    const options: TrainingOptions.TrainingOptions = { ...chosen, data: yield* Datasets.fromFlag(flags.data) }
    const dir = yield* Option.match(flags.out, {
      onNone: () => newRunDirectory(`seed${options.seed}`),
      onSome: (out) => Effect.succeed(path.resolve(out))
    })
    yield* holdsRun(dir)
    const data = yield* Datasets.load(options.data)
    yield* checkShape(options, data)
    yield* makeDirectory(dir)
    const { sets, state } = Training.begin(options, data)
    yield* train(dir, state, sets, RunRecord.fingerprints(data.files), flags.json, undefined)
  })

/**
 * The same options over several seeds, one run folder each, and the spread of the final test
 * accuracy: mean ± sample standard deviation over the seeds — never the best of them.
 */
const manySeeds = (flags: Flags, text: string) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    if (Option.isSome(flags.seed)) {
      return yield* new UsageError({ message: "--seed and --seeds: give one or the other" })
    }
    const seeds = parseSeeds(text)
    if (seeds.error !== undefined) return yield* new UsageError({ message: seeds.error })
    const chosen = yield* validate(flags)
    const base: TrainingOptions.TrainingOptions = { ...chosen, data: yield* Datasets.fromFlag(flags.data) }
    const root = yield* Option.match(flags.out, {
      onNone: () => newRunDirectory(`seeds${seeds.value!.join("-")}`),
      onSome: (out) => Effect.succeed(path.resolve(out))
    })
    const dirs = seeds.value!.map((seed) => path.join(root, `seed-${seed}`))
    for (const dir of dirs) yield* holdsRun(dir)
    const data = yield* Datasets.load(base.data)
    yield* checkShape(base, data)
    const finals: Array<RunRecord.EpochMetrics> = []
    for (const [i, seed] of seeds.value!.entries()) {
      const options = { ...base, seed }
      yield* makeDirectory(dirs[i]!)
      const { sets, state } = Training.begin(options, data)
      const done = yield* train(dirs[i]!, state, sets, RunRecord.fingerprints(data.files), flags.json, seed)
      finals.push(done.epochs[done.epochs.length - 1]!)
    }
    const summary = summarise(seeds.value!, finals)
    if (flags.json) Output.json(summary)
    else {
      const show = (s: Spread) => `${Output.percent(s.mean)} ± ${Output.percent(s.std)}`
      Output.line(
        `seeds ${seeds.value!.join(",")}: final test accuracy ${show(summary.testAccuracy)}` +
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

const resume = (dir: string, flags: Flags) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const given = ([
      "data", "layers", "activation", "output", "cost", "init", "eta", "etaDecay", "l2", "batchSize", "epochs", "seed", "seeds",
      "validation", "subset", "out"
    ] as const)
      .filter((name) => Option.isSome(flags[name] as Option.Option<unknown>))
      .map(String)
      .concat(flags.shuffleLabels ? ["shuffleLabels"] : [])
    if (given.length > 0) {
      const names = given.map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")
      return yield* new UsageError({
        message: `--resume continues a run with the options recorded in it; drop ${names}`
      })
    }
    const runDir = path.resolve(dir)
    const checkpoint = yield* Checkpoint.read(files(runDir, path).checkpoint)
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
      Output.note(`${runDir}: all ${state.options.epochs} epochs are done; nothing to resume`)
      return
    }
    if (checkpoint.numerics !== Numerics.version) {
      return yield* new NumericsMismatch({
        path: files(runDir, path).checkpoint,
        what: "checkpoint",
        recorded: checkpoint.numerics,
        current: Numerics.version,
        rerecord: TrainingOptions.commandLine(checkpoint.options)
      })
    }
    if (!flags.json) Output.note(`resuming ${runDir} after epoch ${state.epochs.length} of ${state.options.epochs}`)
    yield* train(runDir, state, sets, fingerprints, flags.json, undefined)
  })

const train = (
  dir: string,
  initial: Training.State,
  sets: Training.Sets,
  fingerprints: RunRecord.DataFingerprints,
  json: boolean,
  seed: number | undefined
): Effect.Effect<Training.State, Failure, FileSystem.FileSystem | Path.Path> =>
  Effect.scoped(
    Effect.gen(function* () {
      const path = yield* Path.Path
      const paths = files(dir, path)
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
      if (!json) Output.note(`training ${Layout.format(initial.network.layout)} on ${Datasets.describe(options.data)} into ${dir}`)
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
        if (json) Output.json(seed === undefined ? metrics : { seed, ...metrics })
        else Output.line((seed === undefined ? "" : `seed ${seed}  `) + Output.epochLine(metrics, options.epochs))
        yield* save(state, state.epochs.length === options.epochs ? "complete" : "running")
      }
      if (!json) Output.note(`model: ${paths.model}\nrun record: ${paths.run} (check it with: descent replay ${paths.run})`)
      return state
    })
  )
