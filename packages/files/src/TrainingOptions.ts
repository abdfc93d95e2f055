/**
 * Everything that decides a training run's result — the network's shape, the learning rate,
 * the batch size, the number of epochs, the seed and the data — as one value with a Schema, so
 * run records and checkpoints can store it and `replay` and `--resume` can use it again.
 *
 * @since 0.1.0
 */
import { Activation, Augment, Cost, Network, Numerics, Optimizer, Params, Precision } from "@descent/core"
import { Schema } from "effect"

/**
 * Where the examples come from.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DataSource = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("bundled") }),
  Schema.Struct({ kind: Schema.Literal("directory"), path: Schema.String }),
  Schema.Struct({ kind: Schema.Literal("url"), url: Schema.String })
)

/**
 * @since 0.1.0
 * @category models
 */
export type DataSource = Schema.Schema.Type<typeof DataSource>

/**
 * The most layers a run may have (of at most 1,000,000 neurons each), as a model file allows.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxLayers = 1000

/**
 * The most epochs a run may have: a million.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxEpochs = 1_000_000

/**
 * The strongest augmentation a run may ask for: four times `Augment.defaults` (shifts of 8
 * pixels, turns of 40°, scaling by ±40%) — a digit is hardly one any more beyond.
 *
 * @since 0.4.0
 * @category constants
 */
export const maxAugmentStrength = 4

/**
 * A seed: a 32-bit signed integer, as `Rng.make` takes it.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Seed = Schema.Int.pipe(Schema.between(-0x80000000, 0x7fffffff))

/**
 * How the learning rate changes from epoch to epoch (see `etaOf`):
 * - `constant`: η every epoch;
 * - `exponential`: η·decayᵏ⁻¹ in epoch k;
 * - `step`: η·decay^⌊(k−1)/every⌋ — η multiplied by `etaDecay` every `decayEvery` epochs;
 * - `cosine`: from η down towards `etaMin` along half a cosine (Loshchilov & Hutter's SGDR,
 *   without restarts): etaMin + (η − etaMin)·(1 + cos(π·(k−1)/K))/2 over the K epochs after
 *   the warm-up.
 * Any of them may start with `warmup` epochs whose rate climbs linearly, η·k/warmup.
 *
 * @since 0.4.0
 * @category models
 */
export const schedules = ["constant", "step", "exponential", "cosine"] as const

/**
 * @since 0.4.0
 * @category models
 */
export type Schedule = (typeof schedules)[number]

// A setting of an optimiser that is a fraction of the past kept each step: at least 0, below 1.
const Fraction = Schema.Number.pipe(Schema.finite(), Schema.nonNegative(), Schema.lessThan(1))

/**
 * Every number is finite (JSON's `1e999` parses as Infinity, which JSON.stringify would write
 * back as null: a file descent could not read again), and in the range a run can take.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TrainingOptions = Schema.Struct({
  layers: Schema.Array(Schema.Int.pipe(Schema.between(1, 1_000_000))).pipe(Schema.minItems(2), Schema.maxItems(maxLayers)),
  // Names from core's tables: an activation or cost added there can be trained and recorded.
  activation: Schema.Literal(...Activation.hiddenNames),
  output: Schema.optionalWith(Schema.Literal(...Activation.names), { default: () => "sigmoid" as const }),
  cost: Schema.Literal(...Cost.names),
  // Absent in records written before 0.4.0, which all computed in f64.
  precision: Schema.optionalWith(Schema.Literal(...Precision.all), { default: () => "f64" as const }),
  init: Schema.Literal(...Params.initNames),
  eta: Schema.Number.pipe(Schema.finite(), Schema.positive()),
  /** The learning rate is multiplied by this after every epoch: epoch k uses η·decayᵏ⁻¹. */
  etaDecay: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.positive(), Schema.lessThanOrEqualTo(1)), {
    default: () => 1
  }),
  /**
   * How the learning rate changes over the epochs. Absent (in records written before 0.4.0, and
   * whenever `--schedule` is not given): `exponential` when etaDecay is below 1, else `constant`.
   */
  schedule: Schema.optional(Schema.Literal(...schedules)),
  /** Epochs of linear warm-up before the schedule (see `schedules`). */
  warmup: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 0 }),
  /** The `step` schedule's period, in epochs. */
  decayEvery: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 10 }),
  /** Where the `cosine` schedule heads. */
  etaMin: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()), { default: () => 0 }),
  /** λ of L2 regularisation; each step shrinks the weights by 1 − ηλ/n. */
  l2: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()), { default: () => 0 }),
  /** How each step goes downhill (see core's Optimizer); absent in records before 0.4.0: sgd. */
  optimizer: Schema.optionalWith(Schema.Literal(...Optimizer.names), { default: () => "sgd" as const }),
  // The optimiser's settings, each present only when the run chose it; absent, the optimiser's
  // default (`Optimizer.make`).
  momentum: Schema.optional(Fraction),
  beta1: Schema.optional(Fraction),
  beta2: Schema.optional(Fraction),
  epsilon: Schema.optional(Schema.Number.pipe(Schema.finite(), Schema.positive())),
  weightDecay: Schema.optional(Schema.Number.pipe(Schema.finite(), Schema.nonNegative())),
  batchSize: Schema.Int.pipe(Schema.positive()),
  epochs: Schema.Int.pipe(Schema.between(1, maxEpochs)),
  seed: Seed,
  data: DataSource,
  /** Training images held out, from the end of the training set, to report accuracy on. */
  validation: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 0 }),
  /** Train on only the first this-many training images (after the validation split). */
  subset: Schema.optionalWith(Schema.NullOr(Schema.Int.pipe(Schema.positive())), { default: () => null }),
  /** Labels of the training images permuted with the seed: the memorisation experiment. */
  shuffleLabels: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** The training images moved and bent anew every epoch, from the run's generator (see core's
   * Augment, whose defaults it uses); absent in records before 0.4.0: none. */
  augment: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** With augment: every magnitude of core's `Augment.defaults` times this (see `Augment.scaled`). */
  augmentStrength: Schema.optionalWith(Schema.Number.pipe(Schema.finite(), Schema.positive(), Schema.lessThanOrEqualTo(maxAugmentStrength)), {
    default: () => 1
  })
}).pipe(
  // `network` could not make this network (Network.make refuses it).
  Schema.filter((options) =>
    options.output === "softmax" && options.cost !== "cross-entropy"
      ? { path: ["cost"], message: `a softmax output layer is trained with cross-entropy, not ${options.cost}` }
      : true
  )
)

/**
 * @since 0.1.0
 * @category models
 */
export type TrainingOptions = Schema.Schema.Type<typeof TrainingOptions>

/**
 * The chapter's network with Nielsen's network.py settings, on the bundled MNIST.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: TrainingOptions = {
  layers: [784, 16, 16, 10],
  activation: "sigmoid",
  output: "sigmoid",
  cost: "quadratic",
  precision: "f64",
  init: "normal",
  eta: 3.0,
  etaDecay: 1,
  warmup: 0,
  decayEvery: 10,
  etaMin: 0,
  l2: 0,
  optimizer: "sgd",
  batchSize: 10,
  epochs: 30,
  seed: 1,
  data: { kind: "bundled" },
  validation: 0,
  subset: null,
  shuffleLabels: false,
  augment: false,
  augmentStrength: 1
}

/**
 * The schedule the options follow: the one they name, or, for options that name none (every
 * record before 0.4.0), `exponential` when etaDecay is below 1 and `constant` otherwise.
 *
 * @since 0.4.0
 * @category getters
 */
export const scheduleOf = (options: TrainingOptions): Schedule =>
  options.schedule ?? (options.etaDecay === 1 ? "constant" : "exponential")

/**
 * The learning rate of epoch `epoch` (1 for the first), by the options' schedule (see
 * `schedules`), its powers and cosines from `Numerics` (the same bits on every engine).
 *
 * @since 0.1.0
 * @category getters
 */
export const etaOf = (options: TrainingOptions, epoch: number): number => {
  const { eta, etaDecay, warmup } = options
  if (epoch <= warmup) return (eta * epoch) / warmup
  const k = epoch - warmup
  switch (scheduleOf(options)) {
    case "constant":
      return eta
    case "exponential":
      return etaDecay === 1 ? eta : eta * Numerics.pow(etaDecay, k - 1)
    case "step":
      return eta * Numerics.pow(etaDecay, Math.floor((k - 1) / options.decayEvery))
    case "cosine": {
      const span = Math.max(1, options.epochs - warmup)
      return options.etaMin + ((eta - options.etaMin) * (1 + Numerics.cos((Math.PI * (k - 1)) / span))) / 2
    }
  }
}

/**
 * How the options augment each epoch's training images (core's `Augment.defaults` scaled by
 * `augmentStrength`), or `undefined` when they do not.
 *
 * @since 0.4.0
 * @category getters
 */
export const augmentOf = (options: TrainingOptions): Augment.Options | undefined =>
  options.augment ? Augment.scaled(options.augmentStrength) : undefined

/**
 * The optimiser the options train with, its settings the options' or its defaults.
 *
 * @since 0.4.0
 * @category getters
 */
export const optimizerOf = (options: TrainingOptions): Optimizer.Optimizer =>
  Optimizer.make(options.optimizer, {
    ...(options.momentum === undefined ? {} : { momentum: options.momentum }),
    ...(options.beta1 === undefined ? {} : { beta1: options.beta1 }),
    ...(options.beta2 === undefined ? {} : { beta2: options.beta2 }),
    ...(options.epsilon === undefined ? {} : { epsilon: options.epsilon }),
    ...(options.weightDecay === undefined ? {} : { decay: options.weightDecay })
  })

/**
 * The network these options train: hidden layers use `activation`; the output layer is a
 * sigmoid (each of the ten outputs in (0, 1)) or a softmax (the ten outputs a probability
 * distribution, trained with cross-entropy); it computes in `precision` (see core's Precision).
 *
 * @since 0.1.0
 * @category getters
 */
export const network = (options: TrainingOptions): Network.Network =>
  Network.make({
    sizes: options.layers,
    hidden: options.activation,
    output: options.output,
    cost: options.cost,
    precision: options.precision
  })

/**
 * The `descent train` flags that start a run with these options, as separate arguments: each
 * option that differs from `defaults` as its flag, in the order `descent train --help` lists
 * them (the seed and the epochs always). Numbers are written so that they read back as the same
 * double.
 *
 * @since 0.3.0
 * @category getters
 */
export const flagsOf = (options: TrainingOptions): ReadonlyArray<string> => {
  const flags: Array<string> = []
  const flag = (name: string, value: string | number, differs: boolean) => {
    if (differs) flags.push(`--${name}`, String(value))
  }
  if (options.data.kind === "directory") flags.push("--data", options.data.path)
  if (options.data.kind === "url") flags.push("--data", options.data.url)
  flag("layers", options.layers.join(","), options.layers.join(",") !== defaults.layers.join(","))
  flag("activation", options.activation, options.activation !== defaults.activation)
  flag("output", options.output, options.output !== defaults.output)
  flag("cost", options.cost, options.cost !== defaults.cost)
  flag("precision", options.precision, options.precision !== defaults.precision)
  flag("init", options.init, options.init !== defaults.init)
  flag("eta", options.eta, options.eta !== defaults.eta)
  if (options.schedule !== undefined) flag("schedule", options.schedule, true)
  flag("eta-decay", options.etaDecay, options.etaDecay !== defaults.etaDecay)
  flag("decay-every", options.decayEvery, options.decayEvery !== defaults.decayEvery)
  flag("eta-min", options.etaMin, options.etaMin !== defaults.etaMin)
  flag("warmup", options.warmup, options.warmup !== defaults.warmup)
  flag("optimizer", options.optimizer, options.optimizer !== defaults.optimizer)
  if (options.momentum !== undefined) flag("momentum", options.momentum, true)
  if (options.beta1 !== undefined) flag("beta1", options.beta1, true)
  if (options.beta2 !== undefined) flag("beta2", options.beta2, true)
  if (options.epsilon !== undefined) flag("epsilon", options.epsilon, true)
  if (options.weightDecay !== undefined) flag("weight-decay", options.weightDecay, true)
  flag("l2", options.l2, options.l2 !== defaults.l2)
  flag("batch-size", options.batchSize, options.batchSize !== defaults.batchSize)
  flag("epochs", options.epochs, true)
  flag("seed", options.seed, true)
  flag("validation", options.validation, options.validation !== defaults.validation)
  if (options.subset !== null) flag("subset", options.subset, true)
  if (options.shuffleLabels) flags.push("--shuffle-labels")
  if (options.augment) flags.push("--augment")
  flag("augment-strength", options.augmentStrength, options.augmentStrength !== defaults.augmentStrength)
  return flags
}

/**
 * The `descent train` command that starts a run with these options (`flagsOf`), shell-quoted
 * where needed, so it can be pasted.
 *
 * @since 0.2.0
 * @category getters
 */
export const commandLine = (options: TrainingOptions): string => {
  const quote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`)
  return ["descent train", ...flagsOf(options).map(quote)].join(" ")
}
