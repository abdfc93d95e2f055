/**
 * Gradient descent: "compute this gradient direction, take a step downhill, and repeat that
 * over and over". Each step is params ← params − η∇C, η being the learning rate; `descend`
 * is the fold of that step over a Stream of mini-batches, and `steps` the same fold with every
 * intermediate step emitted, so progress bars and metrics can watch without the fold knowing
 * about them.
 *
 * Not for: choosing batches (see `Batches`) or judging the result (see `Evaluate`).
 *
 * @since 0.1.0
 */
import { Chunk, Effect, Stream } from "effect"
import { dual } from "effect/Function"
import * as Backprop from "./Backprop.js"
import type { Batch } from "./Batches.js"
import * as Gradient from "./Gradient.js"
import * as Layout from "./Layout.js"
import type * as Network from "./Network.js"
import * as Optimizer from "./Optimizer.js"
import * as Params from "./Params.js"
import * as Precision from "./Precision.js"
import type * as Threads from "./Threads.js"
import * as Kernels from "./internal/kernels.js"
import * as Workspace from "./internal/workspace.js"
import { asArray } from "./internal/vector.js"

/**
 * What a descent needs besides its batches.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly network: Network.Network
  /** Where descent starts. */
  readonly params: Params.Params
  /** η, the learning rate: how far each step moves. */
  readonly eta: number
  /**
   * L2 weight decay λ/n (λ the regularisation strength, n the training set's size): each step
   * also shrinks every weight by the factor 1 − ηλ/n, pulling the network towards small
   * weights. 0, the default, is the chapter's plain descent. Biases are not decayed.
   */
  readonly weightDecay?: number | undefined
  /** How each step goes downhill from the gradient (see `Optimizer`); plain descent by default. */
  readonly optimizer?: Optimizer.Optimizer | undefined
  /**
   * The optimiser's state where descent starts (a run's earlier epochs leave it): by default its
   * `initial` state. Read, never changed.
   */
  readonly state?: Optimizer.State | undefined
  /**
   * Threads to share layer 1's loops with (see `Threads`; on Node, `NodeThreads.scoped`). The
   * parameters are the same to the bit for any count; none, the default, is the caller alone.
   */
  readonly threads?: Threads.Threads | undefined
}

/**
 * Bytes of memory a descent of a network of `layout`, in mini-batches of up to `batchSize`,
 * takes — estimated from the sizes, not allocated: its workspace (the parameters, their
 * gradient, layer 1's weights transposed with their gradient, every layer's values for one
 * batch, the batch's pixels, the optimiser's state) and the fresh parameters and state it hands
 * back.
 *
 * @since 0.3.0
 * @category memory
 */
export const memory = (layout: Layout.Layout, batchSize: number, optimizer: Optimizer.Optimizer = Optimizer.sgd): number => {
  const moments = Optimizer.momentsOf(optimizer)
  return Workspace.workspaceBytes(layout, batchSize, 1, "f64", moments) + 8 * layout.size * (1 + moments)
}

/**
 * The most memory a descent's workspace can have, whatever memory the machine has: one
 * WebAssembly memory, 4 GiB.
 *
 * @since 0.3.0
 * @category memory
 */
export const maxWorkspaceBytes = Workspace.maxWorkspaceBytes

/**
 * Bytes of the workspace alone (see `memory`), to compare with `maxWorkspaceBytes`.
 *
 * @since 0.3.0
 * @category memory
 */
export const workspaceBytes = (layout: Layout.Layout, batchSize: number): number => Workspace.workspaceBytes(layout, batchSize)

/**
 * One step of stochastic gradient descent, as the fold emits it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step {
  /** 0 for the first batch of the stream. */
  readonly index: number
  /** Examples in the batch. */
  readonly examples: number
  /** The batch's mean cost before the step. */
  readonly cost: number
  /** ‖∇C‖ of the batch's mean gradient. */
  readonly gradientNorm: number
  /** The parameters after the step. */
  readonly params: Params.Params
}

/**
 * params − η·∇C: a new `Params`; neither input is changed. With a `weightDecay` of λ/n, the
 * weights become (1 − ηλ/n)·w − η·∂C/∂w (L2 regularisation, as in Nielsen's network2); the
 * biases step as before.
 *
 * @since 0.1.0
 * @category learning
 */
export const step = (
  params: Params.Params,
  gradient: Gradient.Gradient,
  eta: number,
  weightDecay = 0,
  precision: Precision.Precision = "f64"
): Params.Params => {
  if (!Layout.equals(params.layout, gradient.layout)) {
    throw new RangeError(
      `a gradient of ${Layout.format(gradient.layout)} cannot step parameters of ${Layout.format(params.layout)}`
    )
  }
  const p = params.vector
  const g = gradient.vector
  const next = new Float64Array(p.length)
  // In f32 each operation rounds, and so do the parameters and the factors first.
  const round = Precision.rounding(precision)
  // With no decay the factor is exactly 1, and 1·w is w: plain descent, bit for bit.
  const shrink = round(1 - eta * weightDecay)
  const h = round(eta)
  for (const slot of params.layout.layers) {
    for (let i = slot.weightsOffset; i < slot.biasesOffset; i++) next[i] = round(round(shrink * round(p[i]!)) - round(h * g[i]!))
    const end = slot.biasesOffset + slot.outputs
    for (let i = slot.biasesOffset; i < end; i++) next[i] = round(round(p[i]!) - round(h * g[i]!))
  }
  return Params.unsafeFromArray(params.layout, next)
}

/**
 * Backpropagate one mini-batch and step downhill (network.py's `update_mini_batch`).
 *
 * @since 0.1.0
 * @category learning
 */
export const updateMiniBatch = (
  network: Network.Network,
  params: Params.Params,
  batch: Batch,
  eta: number,
  weightDecay = 0
): { readonly params: Params.Params; readonly cost: number; readonly gradient: Gradient.Gradient } => {
  const { cost, gradient } = Backprop.backprop(network, params, batch)
  return { params: step(params, gradient, eta, weightDecay, network.precision), cost, gradient }
}

/**
 * What a watcher hears after each step of `descendWatching`: everything but the parameters,
 * which the fold keeps to itself.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  /** 0 for the first batch of the stream. */
  readonly index: number
  /** Examples in the batch. */
  readonly examples: number
  /** The batch's mean cost before the step. */
  readonly cost: number
}

// The one fold behind `descend`, `descendWatching` and `steps`: the buffers backprop reuses,
// which hold the parameters while the fold steps them in place (see internal/workspace.ts).
// Callers only ever see finished, fresh `Params`.
interface Fold {
  workspace: Workspace.Workspace | undefined
  index: number
  /** The optimiser's state where the fold started. */
  readonly start: Optimizer.State
  /** The optimiser's steps so far, over every descent of the run (Adam's t). */
  steps: number
}

const optimizerOf = (options: Options): Optimizer.Optimizer => options.optimizer ?? Optimizer.sgd

/** The options' parameters and state checked, before any batch: the errors a caller made. */
const check = (options: Options): void => {
  Backprop.checkParams(options.network, options.params)
  if (options.state !== undefined) Optimizer.checkState(optimizerOf(options), options.params.layout, options.state)
}

const startFold = (options: Options): Fold => {
  const start = options.state ?? Optimizer.initial(optimizerOf(options), options.params.layout)
  return { workspace: undefined, index: 0, start, steps: start.steps }
}

/** One step on `batch`: its mean cost, and ‖∇C‖ when `norm` asks for it (before the step). */
const stepFold = (fold: Fold, options: Options, batch: Batch, norm: boolean): { cost: number; gradientNorm: number } => {
  const { network } = options
  Backprop.checkBatch(network, batch)
  const optimizer = optimizerOf(options)
  fold.workspace = Workspace.workspaceFor(
    network, batch.size, asArray(options.params.vector), fold.start.moments, fold.workspace, options.threads
  )
  // The workspace's gradient holds zeros here: a new workspace, or one the last step cleared.
  const step = { eta: options.eta, weightDecay: options.weightDecay ?? 0 }
  const plain = optimizer.name === "sgd"
  // Without a norm to measure first, plain descent steps layer 1 as soon as its gradient is summed.
  const cost = Kernels.backpropSum(fold.workspace, network, batch, norm || !plain ? undefined : step)
  const gradientNorm = norm ? Kernels.gradientNorm(fold.workspace, batch.size) : Number.NaN
  fold.steps++
  if (plain) Kernels.stepAndClear(fold.workspace, batch.size, step.eta, step.weightDecay, !norm)
  else Kernels.optimiseAndClear(fold.workspace, batch.size, optimizer, step.eta, step.weightDecay, fold.steps)
  fold.index++
  return { cost, gradientNorm }
}

// The fold's parameters, fresh: the starting ones if there was no batch.
const paramsOf = (fold: Fold, options: Options): Params.Params => {
  if (fold.workspace === undefined) return options.params
  const params = new Float64Array(options.params.layout.size)
  Workspace.storeParams(fold.workspace, params)
  return Params.unsafeFromArray(options.params.layout, params)
}

/**
 * Where a descent ends: the parameters, and the optimiser's state to carry on from.
 *
 * @since 0.4.0
 * @category models
 */
export interface Result {
  readonly params: Params.Params
  readonly state: Optimizer.State
}

// The end of a descent that ran to its end: its parameters and state, and its workspace given
// back for the next descent (the next epoch) to take.
const finish = (fold: Fold, options: Options): Result => {
  const params = paramsOf(fold, options)
  const state = fold.workspace === undefined
    ? fold.start
    : { steps: fold.steps, moments: Workspace.storeMoments(fold.workspace) }
  if (fold.workspace !== undefined) Workspace.giveBack(fold.workspace)
  fold.workspace = undefined
  return { params, state }
}

/**
 * Every step of the descent over `batches`, in order: `descend`'s fold, emitting each step's
 * cost, gradient norm and parameters (a fresh copy per step, so it allocates where `descend`
 * does not).
 *
 * @since 0.1.0
 * @category learning
 */
export const steps: {
  (options: Options): <E, R>(batches: Stream.Stream<Batch, E, R>) => Stream.Stream<Step, E, R>
  <E, R>(batches: Stream.Stream<Batch, E, R>, options: Options): Stream.Stream<Step, E, R>
} = dual(
  2,
  <E, R>(batches: Stream.Stream<Batch, E, R>, options: Options): Stream.Stream<Step, E, R> => {
    check(options)
    return Stream.suspend(() => {
      const fold = startFold(options)
      return Stream.map(batches, (batch): Step => {
        const index = fold.index
        const { cost, gradientNorm } = stepFold(fold, options, batch, true)
        return { index, examples: batch.size, cost, gradientNorm, params: paramsOf(fold, options) }
      })
    })
  }
)

/**
 * `descend`, telling `watch` about every step as it happens (for progress, metrics, or
 * stopping on a non-finite cost: a failure of `watch` ends the descent).
 *
 * @since 0.1.0
 * @category learning
 */
export const descendWatching = <E, R, E2, R2>(
  batches: Stream.Stream<Batch, E, R>,
  options: Options,
  watch: (progress: Progress) => Effect.Effect<void, E2, R2>
): Effect.Effect<Params.Params, E | E2, R | R2> => Effect.map(descendWithState(batches, options, watch), (result) => result.params)

/**
 * `descendWatching` (with `watch`) or `descend`, ending with the optimiser's state too: what
 * the next descent of the same run (its next epoch) starts from, as `Options.state`.
 *
 * @since 0.4.0
 * @category learning
 */
export const descendWithState = <E, R, E2 = never, R2 = never>(
  batches: Stream.Stream<Batch, E, R>,
  options: Options,
  watch: (progress: Progress) => Effect.Effect<void, E2, R2> = () => Effect.void
): Effect.Effect<Result, E | E2, R | R2> => {
  check(options)
  return Effect.suspend(() => {
    const fold = startFold(options)
    // The steps of a chunk, each followed by what `watch` returns for it. A watcher that has
    // nothing to do returns `Effect.void`, and the next step follows at once; any other effect
    // runs before the next step. So a chunk of many batches costs one Effect, not one each.
    const stepFrom = (chunk: ReadonlyArray<Batch>, from: number): Effect.Effect<void, E2, R2> => {
      for (let i = from; i < chunk.length; i++) {
        const batch = chunk[i]!
        const index = fold.index
        const { cost } = stepFold(fold, options, batch, false)
        const next = watch({ index, examples: batch.size, cost })
        if (next !== Effect.void) return Effect.flatMap(next, () => stepFrom(chunk, i + 1))
      }
      return Effect.void
    }
    return Stream.runForEachChunk(batches, (chunk) => Effect.suspend(() => stepFrom(Chunk.toReadonlyArray(chunk), 0))).pipe(
      Effect.map(() => finish(fold, options))
    )
  })
}

/**
 * The fold of `step` over `batches`: the parameters after the last one (the starting
 * parameters if the stream is empty). The same numbers as folding `updateMiniBatch`, computed
 * in place on a private copy, with no allocation per batch. (`descendWatching` with nobody
 * watching — and so no Effect per batch.)
 *
 * @since 0.1.0
 * @category learning
 */
export const descend: {
  (options: Options): <E, R>(batches: Stream.Stream<Batch, E, R>) => Effect.Effect<Params.Params, E, R>
  <E, R>(batches: Stream.Stream<Batch, E, R>, options: Options): Effect.Effect<Params.Params, E, R>
} = dual(
  2,
  <E, R>(batches: Stream.Stream<Batch, E, R>, options: Options): Effect.Effect<Params.Params, E, R> => {
    check(options)
    return Effect.suspend(() => {
      const fold = startFold(options)
      return Stream.runForEachChunk(batches, (chunk) =>
        Effect.sync(() => {
          for (const batch of chunk) stepFold(fold, options, batch, false)
        })
      ).pipe(Effect.map(() => finish(fold, options).params))
    })
  }
)
