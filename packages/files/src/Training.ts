/**
 * A training run, one epoch at a time: shuffle with the run's generator, fold
 * params ← params − η∇C over the mini-batches, then evaluate on the test images. Shared by
 * `train`, `train --resume` and `replay`, so all three compute exactly the same thing.
 *
 * Watching is separate from learning: an `Observer` hears every step (for progress) and may ask
 * the run to stop after the current batch; neither changes the numbers.
 *
 * Platform-free: the CLI runs it on Node, and the web page in a Web Worker, so a run trained in
 * the page has the very hashes `descent train` prints. (Since 0.3.0 in `@descent/files`; before,
 * in the CLI.)
 *
 * @since 0.1.0
 */
import { Augment, Batches, Dataset, Descent, Evaluate, Layout, Network, Numerics, Optimizer, Params, Rng, Saturation, Threads, Vector } from "@descent/core"
import * as RunRecord from "./RunRecord.js"
import * as TrainingOptions from "./TrainingOptions.js"
import { Clock, Data, Effect } from "effect"

/**
 * A run between epochs.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  readonly options: TrainingOptions.TrainingOptions
  readonly network: Network.Network
  /** Metrics of the epochs completed so far. */
  readonly epochs: ReadonlyArray<RunRecord.EpochMetrics>
  readonly params: Params.Params
  /** The optimiser's state after the last epoch (none for plain descent but its step count). */
  readonly optimizer: Optimizer.State
  /** The generator the next epoch shuffles with. */
  readonly rng: Rng.Rng
}

/**
 * What a run tells whoever watches it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Observer {
  /** After each step: examples done so far in this epoch, and the batch's cost. */
  readonly onStep: (epoch: number, done: number, total: number, cost: number) => void
  /** Checked before an epoch and after each batch: true stops the run there. */
  readonly stopRequested: () => boolean
  /**
   * Run every 256 examples or so: a turn of the host's event loop (Node's `setImmediate`, a
   * worker's message queue), so that a Ctrl-C or a "pause" is heard within a few batches.
   * Without it the epoch runs through.
   */
  readonly turn?: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const silent: Observer = { onStep: () => {}, stopRequested: () => false }

/**
 * The cost or a parameter stopped being a finite number.
 *
 * @since 0.1.0
 * @category errors
 */
export class Divergence extends Data.TaggedError("Divergence")<{ readonly epoch: number; readonly batch: number }> {}

/**
 * The observer asked the run to stop; the epoch in progress was abandoned.
 *
 * @since 0.1.0
 * @category errors
 */
export class Stopped extends Data.TaggedError("Stopped")<{ readonly epoch: number }> {}

/**
 * The examples a run learns from and is judged on.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sets {
  /** The training images — after the validation split and `subset`, with labels shuffled if asked. */
  readonly train: Dataset.Dataset
  /** The last `validation` training images, held out; absent when none are. */
  readonly validation: Dataset.Dataset | undefined
  readonly test: Dataset.Dataset
  /** With `augment`: the buffer each epoch's augmented training images are written into. */
  readonly augmented?: Uint8Array
}

/**
 * A new run, and the sets it uses. Everything follows from the options and the seed: the
 * generator first draws the parameters, then (for `shuffleLabels`) the permutation of the
 * training labels, then each epoch's shuffle — so a resumed or replayed run rebuilds exactly
 * the same sets.
 *
 * @since 0.1.0
 * @category constructors
 */
export const begin = (
  options: TrainingOptions.TrainingOptions,
  data: { readonly train: Dataset.Dataset; readonly test: Dataset.Dataset }
): { readonly sets: Sets; readonly state: State } => {
  const network = TrainingOptions.network(options)
  const [params, afterInit] = Params.init(network.layout, Rng.make(options.seed), options.init)
  const all = data.train
  const kept = all.count - options.validation
  const validation = options.validation > 0 ? Dataset.slice(all, kept, all.count) : undefined
  const learning = Dataset.take(Dataset.slice(all, 0, kept), options.subset ?? kept)
  let rng = afterInit
  let train = learning
  if (options.shuffleLabels) {
    const [order, next] = Rng.permutation(rng, learning.count)
    rng = next
    train = { ...learning, labels: Uint8Array.from(order, (i) => learning.labels[i]!) }
  }
  const optimizer = Optimizer.initial(TrainingOptions.optimizerOf(options), network.layout)
  const sets: Sets = {
    train,
    validation,
    test: data.test,
    ...(options.augment ? { augmented: new Uint8Array(train.count * train.rows * train.cols) } : {})
  }
  return { sets, state: { options, network, epochs: [], params, optimizer, rng } }
}

// Examples trained between two turns of the event loop: about a millisecond of work for the
// chapter's network.
const turnEvery = 256

/**
 * Runs the next epoch and evaluates the result on the test set. With `threads`, layer 1 is
 * shared out between them (see `@descent/core`'s `Threads`): the same parameters, to the bit.
 *
 * @since 0.1.0
 * @category training
 */
export const epoch = (
  state: State,
  sets: Sets,
  observer: Observer,
  threads?: Threads.Threads
): Effect.Effect<State, Divergence | Stopped> =>
  Effect.gen(function* () {
    const number = state.epochs.length + 1
    // A monotonic clock: an epoch's seconds never go negative when the system's clock is set back.
    const started = yield* Clock.currentTimeNanos
    const { network, options } = state
    // With augment, the epoch learns from its own augmented images: the generator draws them
    // first, then the shuffle.
    const augment = TrainingOptions.augmentOf(options)
    const [learning, beforeShuffle] = augment !== undefined
      ? Augment.dataset(sets.train, state.rng, augment, sets.augmented)
      : [sets.train, state.rng]
    const shuffled = Batches.epoch(learning, beforeShuffle, options.batchSize)
    const total = sets.train.count
    let done = 0
    let costSum = 0
    // Asked to stop before the epoch, or after any of its batches: no further batch is stepped,
    // and the epoch's steps are not kept.
    if (observer.stopRequested()) return yield* new Stopped({ epoch: number })
    const { params, state: optimizer } = yield* Descent.descendWithState(
      shuffled.batches,
      {
        network,
        params: state.params,
        eta: TrainingOptions.etaOf(options, number),
        weightDecay: options.l2 / total,
        optimizer: TrainingOptions.optimizerOf(options),
        state: state.optimizer,
        threads
      },
      (step): Effect.Effect<void, Divergence | Stopped> => {
        // A non-finite cost shows divergence at the batch it happens in; a non-finite
        // parameter that has not reached the cost yet is caught at the end of the epoch.
        if (!Number.isFinite(step.cost)) return Effect.fail(new Divergence({ epoch: number, batch: step.index + 1 }))
        const before = done
        done += step.examples
        costSum += step.cost * step.examples
        observer.onStep(number, done, total, step.cost)
        if (observer.stopRequested()) return Effect.fail(new Stopped({ epoch: number }))
        // An epoch is one long computation: give Node's event loop a turn now and then, so
        // that a Ctrl-C is heard (and a progress bar redrawn) within a few batches.
        return observer.turn !== undefined && Math.floor(done / turnEvery) > Math.floor(before / turnEvery) ? observer.turn : Effect.void
      }
    )
    if (!Vector.isFinite(params.vector)) {
      return yield* new Divergence({ epoch: number, batch: Batches.countOf(total, options.batchSize) })
    }
    const test = Evaluate.evaluate(network, params, sets.test)
    // Accuracy on the training labels shows memorisation; it costs a pass over the training
    // set, so it is measured only when the training set was made special.
    const trainAccuracy = options.shuffleLabels || options.subset !== null
      ? Evaluate.evaluate(network, params, sets.train).accuracy
      : undefined
    const validationAccuracy = sets.validation && Evaluate.evaluate(network, params, sets.validation).accuracy
    const finished = yield* Clock.currentTimeNanos
    const metrics: RunRecord.EpochMetrics = {
      epoch: number,
      trainCost: total === 0 ? 0 : costSum / total,
      testAccuracy: test.accuracy,
      testCost: test.cost,
      seconds: Number(finished - started) / 1e9,
      paramsSha256: RunRecord.paramsSha256(params),
      ...(trainAccuracy === undefined ? {} : { trainAccuracy }),
      ...(validationAccuracy === undefined ? {} : { validationAccuracy })
    }
    return { ...state, epochs: [...state.epochs, metrics], params, optimizer, rng: shuffled.rng }
  })

/**
 * Whether learning has stalled after the state's last epoch (see `@descent/core`'s
 * `Saturation`): measured only when test accuracy is at chance, so a run that learns pays
 * nothing for the check.
 *
 * @since 0.3.0
 * @category diagnosing
 */
export const stall = (state: State, sets: Sets): Saturation.Stall | undefined => {
  const last = state.epochs[state.epochs.length - 1]
  if (last === undefined) return undefined
  const chance = Saturation.chanceOf(sets.test.labels)
  if (!Saturation.atChance(last.testAccuracy, chance)) return undefined
  return Saturation.diagnose(state.network, Saturation.measure(state.network, state.params, sets.test), last.testAccuracy, chance)
}

/**
 * Bytes a run with these options takes beside its data, estimated from the layer sizes and
 * the batch size before anything is allocated: the fold's workspace, evaluation of the largest
 * set it judges each epoch, the parameters between epochs, and the bytes hashed and saved
 * after each (the files themselves are written a piece at a time) — with a quarter more for
 * the garbage collector's lag. Measured on Node 20 (one epoch on 6,000 images, peak RSS with the
 * data and the process's own ~70 MB): 147 MiB for 784-16-16-10 against 169 estimated, 296 for
 * 784-2000-10 against 355, 456 for 784-5000-10 against 637, 438 for 784-1000-10 in batches of
 * 6,000 against 509.
 *
 * @since 0.3.0
 * @category memory
 */
export const memory = (options: TrainingOptions.TrainingOptions, largestEvaluated: number): number => {
  const layout = Layout.make(options.layers)
  const optimizer = TrainingOptions.optimizerOf(options)
  const fold = Descent.memory(layout, options.batchSize, optimizer)
  const evaluate = Evaluate.memory(layout, largestEvaluated)
  // The parameters between epochs, their bytes hashed, and saved; the optimiser's state and its
  // bytes saved.
  const kept = 8 * layout.size * (3 + 2 * Optimizer.momentsOf(optimizer))
  // Each epoch's augmented training images (at most MNIST's 60,000, as `largestEvaluated`
  // allows for), and augmenting them.
  const inputs = options.layers[0]!
  const side = Math.ceil(Math.sqrt(inputs)) // square images, as MNIST's
  const augment = options.augment ? largestEvaluated * inputs + Augment.memory(largestEvaluated, side, side) : 0
  return Math.ceil(1.25 * (fold + evaluate + kept + augment))
}

/**
 * The run record of `state`: its options, numerics, data fingerprints and epochs, with `status`
 * and the `environment` that trained it — what `descent train` writes as run.json, and the web
 * page hands out for download.
 *
 * @since 0.3.0
 * @category records
 */
export const record = (
  state: State,
  data: RunRecord.DataFingerprints,
  status: RunRecord.RunRecord["status"],
  environment: RunRecord.RunRecord["environment"]
): RunRecord.RunRecord => ({
  format: "descent-run",
  version: 1,
  status,
  options: state.options,
  numerics: Numerics.version,
  data,
  epochs: state.epochs,
  environment
})
