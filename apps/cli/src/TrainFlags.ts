/**
 * Every `descent train` flag, once: its name, its text for `--help`, its default (taken from
 * `TrainingOptions.defaults`, and shown by `--help` as "Defaults to: …"), and its check — a
 * bad value is refused by the parser, before any work, with a line naming the flag and the fix.
 * Then how the flags become the `TrainingOptions` a run records.
 *
 * Each parsed flag remembers whether the command line gave it, so that `--resume` can refuse
 * any flag beside it (a resumed run takes its options from its checkpoint).
 *
 * @since 0.2.0
 */
import { Activation, Cost, Layout, Optimizer, Params, Precision, Threads } from "@descent/core"
import { ModelFile, TrainingOptions } from "@descent/files"
import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { UsageError } from "./CliError.js"
import * as Datasets from "./Datasets.js"
import * as Flag from "./Flag.js"
import * as MemoryFlag from "./MemoryFlag.js"

/**
 * A flag's value, and whether the command line gave it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Given<A> {
  readonly value: A
  readonly given: boolean
}

const defaults = TrainingOptions.defaults

const { checked, text } = Flag

/** `option` or, when it is not given, `fallback` (shown by `--help` as `shown`), and which. */
const defaulted = <A>(option: Options.Options<A>, fallback: A, shown: string = String(fallback)): Options.Options<Given<A>> =>
  Flag.withDefault(Options.map(option, (value): Given<A> => ({ value, given: true })), { value: fallback, given: false }, shown)

const positive = (flag: string, what: string, example: string) => (value: number) =>
  Number.isFinite(value) && value > 0 ? undefined : `--${flag} ${value}: ${what} must be a number above 0, like ${example}`

const atLeastOne = (flag: string, what: string) => (value: number) => (value >= 1 ? undefined : `--${flag} ${value}: ${what}`)

/** A setting of some optimisers: absent unless given (the optimiser's default, `shown`, then). */
const setting = (flag: string, pseudo: string, description: string, check: (value: number) => string | undefined, shown: string) =>
  defaulted(
    checked(Options.float(flag).pipe(Options.withPseudoName(pseudo), Options.withDescription(description)), check).pipe(
      Options.map((value): number | undefined => value)
    ),
    undefined,
    shown
  )

const fraction = (flag: string, what: string, example: string) => (value: number) =>
  Number.isFinite(value) && value >= 0 && value < 1 ? undefined : `--${flag} ${value}: ${what} must be at least 0 and below 1, like ${example}`

/**
 * A seed descent accepts: a 32-bit signed integer.
 *
 * @since 0.3.0
 * @category checks
 */
export const isSeed = (seed: number): boolean => Number.isSafeInteger(seed) && seed >= -0x80000000 && seed <= 0x7fffffff

/**
 * "784,16,16,10" as layer sizes, or why not.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseLayers = (text: string): Effect.Effect<ReadonlyArray<number>, string> => {
  const parts = text.split(",").map((part) => part.trim())
  const sizes = parts.map(Number)
  if (parts.some((part) => !/^\d+$/.test(part))) {
    return Effect.fail(`--layers ${text}: give whole numbers separated by commas, like 784,16,16,10`)
  }
  const invalid = Layout.validate(sizes)
  if (invalid !== undefined) return Effect.fail(`--layers ${text}: ${invalid.message.replace(/^layers [^:]*: /, "")}`)
  if (sizes[sizes.length - 1] !== 10) return Effect.fail(`--layers ${text}: the last layer must have 10 neurons, one per digit`)
  if (sizes.length > 1000) return Effect.fail(`--layers ${text}: at most 1000 layers`)
  const large = ModelFile.tooLarge(Layout.make(sizes))
  if (large !== undefined) return Effect.fail(`--layers ${text}: ${large}; use fewer neurons`)
  return Effect.succeed(sizes)
}

/**
 * "1,2,3" as seeds, or why not.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseSeeds = (text: string): Effect.Effect<ReadonlyArray<number>, string> => {
  const parts = text.split(",").map((part) => part.trim())
  const seeds = parts.map(Number)
  if (parts.some((part) => !/^-?\d+$/.test(part)) || !seeds.every(isSeed)) {
    return Effect.fail(`--seeds ${text}: give 32-bit integers separated by commas, like 1,2,3`)
  }
  if (new Set(seeds).size !== seeds.length) return Effect.fail(`--seeds ${text}: each seed once`)
  if (seeds.length < 2) return Effect.fail(`--seeds ${text}: give at least two seeds (for one, use --seed)`)
  return Effect.succeed(seeds)
}

const parsed = <A>(option: Options.Options<string>, parse: (text: string) => Effect.Effect<A, string>) =>
  Options.mapEffect(option, (text) => Effect.mapError(parse(text), (message) => ValidationError.invalidValue(HelpDoc.p(message))))

/**
 * `--threads N`, for `train` and `replay`: how many threads share layer 1 (the results are the
 * same for any number).
 *
 * @since 0.4.0
 * @category flags
 */
export const threads = defaulted(
  checked(
    Options.integer("threads").pipe(
      Options.withPseudoName("N"),
      Options.withDescription(
        "Threads to share each batch's first layer between (the results are the same to the bit for any number). They pay for a wide first layer — 784-100-10 trains about 1.3× as fast on 2 threads as on 1 — and hardly for the chapter's 16 neurons."
      )
    ),
    (n) => (n >= 1 && n <= Threads.maxCount ? undefined : `--threads ${n}: give 1 to ${Threads.maxCount}`)
  ).pipe(Options.map((n): number | undefined => n)),
  undefined,
  "1 per 12 neurons of the first hidden layer, up to the cores (the chapter's network: 1)"
)

/**
 * The flags of `descent train`, for `Command.make`.
 *
 * @since 0.2.0
 * @category flags
 */
export const flags = {
  data: defaulted(
    text("data").pipe(
      Options.withPseudoName("DIR|URL"),
      Options.withDescription(
        "A folder in MNIST's layout (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; raw or .gz), or an http(s):// URL under which those files are served."
      ),
      Options.map((text): string | undefined => text)
    ),
    undefined,
    "the bundled MNIST"
  ),
  layers: defaulted(
    parsed(
      Options.text("layers").pipe(
        Options.withPseudoName("SIZES"),
        Options.withDescription(
          "Neurons per layer, input first; the input must match the image's pixels and the output be 10. The default is the chapter's network: 13,002 weights and biases."
        )
      ),
      parseLayers
    ),
    defaults.layers,
    defaults.layers.join(",")
  ),
  activation: defaulted(
    Options.choice("activation", Activation.hiddenNames).pipe(
      Options.withDescription("Activation of the hidden layers (--output sets the output layer's).")
    ),
    defaults.activation
  ),
  output: defaulted(
    Options.choice("output", Activation.names).pipe(
      Options.withDescription(
        "The output layer's activation: sigmoid (ten outputs each in (0,1)) or softmax (a probability distribution over the ten digits; needs --cost cross-entropy)."
      )
    ),
    defaults.output
  ),
  cost: defaulted(
    Options.choice("cost", Cost.names).pipe(
      Options.withDescription("The cost to lower: quadratic ½‖a − y‖² (the chapter's) or cross-entropy.")
    ),
    defaults.cost
  ),
  precision: defaulted(
    Options.choice("precision", Precision.all).pipe(
      Options.withDescription(
        "The numbers the network computes in: f64 (double, the chapter's) or f32 (single: about 1.5× as fast for wide layers, such as 784-100-10; its own bits, which replay as exactly)."
      )
    ),
    defaults.precision
  ),
  init: defaulted(
    Options.choice("init", Params.initNames).pipe(
      Options.withDescription("Initial weights: normal N(0,1) as network.py, or scaled N(0,1/fan-in).")
    ),
    defaults.init
  ),
  eta: defaulted(
    checked(
      Options.float("eta").pipe(
        Options.withPseudoName("ETA"),
        Options.withDescription("η, the learning rate: each step is params − η·∇C.")
      ),
      positive("eta", "the learning rate", "3.0")
    ),
    defaults.eta
  ),
  etaDecay: defaulted(
    checked(
      Options.float("eta-decay").pipe(
        Options.withPseudoName("FACTOR"),
        Options.withDescription(
          "Multiply the learning rate by FACTOR after every epoch (epoch k uses η·FACTORᵏ⁻¹): big steps first, fine ones later. 1 keeps it constant."
        )
      ),
      (f) => (f > 0 && f <= 1 ? undefined : `--eta-decay ${f}: the factor must be above 0 and at most 1, like 0.95`)
    ),
    defaults.etaDecay
  ),
  schedule: defaulted(
    Options.choice("schedule", TrainingOptions.schedules).pipe(
      Options.withDescription(
        "How the learning rate changes over the epochs: constant; exponential (epoch k uses η·FACTORᵏ⁻¹, FACTOR from --eta-decay); step (η times --eta-decay every --decay-every epochs); cosine (from η down to --eta-min along half a cosine, over the epochs after --warmup)."
      ),
      Options.map((name): TrainingOptions.Schedule | undefined => name)
    ),
    undefined,
    "exponential with --eta-decay, else constant"
  ),
  decayEvery: defaulted(
    checked(
      Options.integer("decay-every").pipe(
        Options.withPseudoName("K"),
        Options.withDescription("With --schedule step: multiply the learning rate by --eta-decay every K epochs.")
      ),
      atLeastOne("decay-every", "give a period of at least 1 epoch")
    ),
    defaults.decayEvery
  ),
  etaMin: defaulted(
    checked(
      Options.float("eta-min").pipe(
        Options.withPseudoName("ETA"),
        Options.withDescription("With --schedule cosine: the learning rate it heads for in the last epoch.")
      ),
      (eta) => (Number.isFinite(eta) && eta >= 0 ? undefined : `--eta-min ${eta}: give a learning rate of 0 or more, like 0.01`)
    ),
    defaults.etaMin
  ),
  warmup: defaulted(
    checked(
      Options.integer("warmup").pipe(
        Options.withPseudoName("N"),
        Options.withDescription(
          "Start with N epochs whose learning rate climbs linearly (epoch k of them uses η·k/N), then follow --schedule."
        )
      ),
      (n) => (n >= 0 ? undefined : `--warmup ${n}: give a number of epochs, 0 for none`)
    ),
    defaults.warmup
  ),
  optimizer: defaulted(
    Options.choice("optimizer", Optimizer.names).pipe(
      Options.withDescription(
        "How each step goes downhill: sgd (params − η·∇C, the chapter's), momentum or nesterov (along a running sum of gradients, --momentum), rmsprop (each parameter's step scaled by its gradients' running RMS, --beta2, --epsilon), adam or adamw (both averages, bias-corrected: --beta1, --beta2, --epsilon; adamw also decays the weights by --weight-decay). As PyTorch defines them; typical η: 3 for sgd here, 0.5 for momentum, 0.001–0.01 for rmsprop and adam."
      )
    ),
    defaults.optimizer
  ),
  momentum: setting("momentum", "MU", "μ of --optimizer momentum and nesterov: how much of the running sum each step keeps.", fraction("momentum", "μ", "0.9"), "0.9"),
  beta1: setting(
    "beta1", "B1", "β₁ of --optimizer adam and adamw: how much of the gradients' running average each step keeps.",
    fraction("beta1", "β₁", "0.9"), "0.9"
  ),
  beta2: setting(
    "beta2", "B2", "β₂ of --optimizer adam and adamw, α of rmsprop: how much of the squared gradients' running average each step keeps.",
    fraction("beta2", "β₂", "0.999"), "0.999 (rmsprop: 0.99)"
  ),
  epsilon: setting(
    "epsilon", "EPS", "ε of --optimizer rmsprop, adam and adamw, added to the root of the squares' average.", positive("epsilon", "ε", "1e-8"), "1e-8"
  ),
  weightDecay: setting(
    "weight-decay", "D",
    "Decoupled weight decay of --optimizer adamw: each step first multiplies every weight by 1 − η·D (biases are not decayed). --l2 is the other kind, added to the gradient.",
    (d) => (Number.isFinite(d) && d >= 0 ? undefined : `--weight-decay ${d}: give a decay of 0 or more, like 0.01`), "0.01"
  ),
  l2: defaulted(
    checked(
      Options.float("l2").pipe(
        Options.withPseudoName("LAMBDA"),
        Options.withDescription(
          "L2 regularisation λ: each step also shrinks the weights by 1 − ηλ/n (n training images), as Nielsen's network2; with another --optimizer, (λ/n)·w is added to the weights' gradient."
        )
      ),
      (l2) => (Number.isFinite(l2) && l2 >= 0 ? undefined : `--l2 ${l2}: the regularisation strength λ must be 0 or more, like 5.0`)
    ),
    defaults.l2
  ),
  batchSize: defaulted(
    checked(
      Options.integer("batch-size").pipe(
        Options.withPseudoName("M"),
        Options.withDescription("Examples per mini-batch (a final shorter batch is kept).")
      ),
      atLeastOne("batch-size", "a mini-batch needs at least 1 example")
    ),
    defaults.batchSize
  ),
  epochs: defaulted(
    checked(
      Options.integer("epochs").pipe(Options.withPseudoName("N"), Options.withDescription("Passes over the training set.")),
      (n) => (n < 1 ? `--epochs ${n}: train for at least 1 epoch` : n > 100_000 ? `--epochs ${n}: at most 100000 (a run record must stay readable)` : undefined)
    ),
    defaults.epochs
  ),
  seed: defaulted(
    checked(
      Options.integer("seed").pipe(
        Options.withPseudoName("SEED"),
        Options.withDescription("Seed of every random choice (initial weights, shuffles): same seed, same result, bit for bit.")
      ),
      (seed) => (isSeed(seed) ? undefined : `--seed ${seed}: give a 32-bit integer`)
    ),
    defaults.seed
  ),
  seeds: defaulted(
    parsed(
      Options.text("seeds").pipe(
        Options.withPseudoName("S1,S2,..."),
        Options.withDescription(
          "Run the same options once per seed (into OUT/seed-S) and report the final test accuracy as mean ± standard deviation over the seeds."
        )
      ),
      parseSeeds
    ).pipe(Options.map((seeds): ReadonlyArray<number> | undefined => seeds)),
    undefined,
    "one run, of --seed"
  ),
  validation: defaulted(
    checked(
      Options.integer("validation").pipe(
        Options.withPseudoName("N"),
        Options.withDescription(
          "Hold out the last N training images (10000 as Nielsen does) and report accuracy on them each epoch, to choose a recipe without touching the test set."
        )
      ),
      (n) => (n >= 0 ? undefined : `--validation ${n}: give a number of training images to hold out (0 for none)`)
    ),
    defaults.validation
  ),
  subset: defaulted(
    checked(
      Options.integer("subset").pipe(
        Options.withPseudoName("N"),
        Options.withDescription("Train on only the first N training images (reports training accuracy each epoch).")
      ),
      atLeastOne("subset", "train on at least 1 image")
    ).pipe(Options.map((n): number | null => n)),
    defaults.subset,
    "all"
  ),
  shuffleLabels: Options.boolean("shuffle-labels").pipe(
    Options.withDescription(
      "Permute the training labels with the seed — the memorisation experiment (Zhang et al. 2017): training accuracy rises while test accuracy stays near 10%."
    ),
    Options.map((value): Given<boolean> => ({ value, given: value }))
  ),
  augment: Options.boolean("augment").pipe(
    Options.withDescription(
      "Learn from the training images moved anew every epoch, from the run's seed: shifted by up to 2 pixels, turned by up to 10°, scaled by up to ±10% and bent by an elastic distortion (Simard et al. 2003) — descent augment shows what the network is fed. Validation and test images are never augmented; an augmented run replays bit for bit."
    ),
    Options.map((value): Given<boolean> => ({ value, given: value }))
  ),
  augmentStrength: defaulted(
    checked(
      Options.float("augment-strength").pipe(
        Options.withPseudoName("S"),
        Options.withDescription(
          "With --augment: how far images move, as a multiple of the defaults (0.5: shifts of up to 1 pixel, turns of 5°, ±5% scaling, half the elastic α). Small networks learn best from gentle augmentation."
        )
      ),
      (s) =>
        Number.isFinite(s) && s > 0 && s <= TrainingOptions.maxAugmentStrength
          ? undefined
          : `--augment-strength ${s}: give a multiple of the default augmentation above 0 and at most ${TrainingOptions.maxAugmentStrength}, like 0.5`
    ),
    defaults.augmentStrength
  ),
  jobs: defaulted(
    checked(
      Options.integer("jobs").pipe(
        Options.withPseudoName("N"),
        Options.withDescription(
          "With --seeds: how many of the seeds' runs go at once, each in a process of its own (every result the same as run alone). 1 runs them one after another in this process."
        )
      ),
      (n) => (n >= 1 ? undefined : `--jobs ${n}: give at least 1`)
    ).pipe(Options.map((n): number | undefined => n)),
    undefined,
    "as many as --max-memory holds, up to twice the cores"
  ),
  threads,
  out: defaulted(
    text("out").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription("Folder for model.json, run.json and checkpoint.json."),
      Options.map((text): string | undefined => text)
    ),
    undefined,
    "a new folder under runs/"
  ),
  resume: text("resume").pipe(
    Options.withPseudoName("DIR"),
    Options.withDescription("Continue the run in this folder from its last checkpoint, with the options recorded there."),
    Options.optional
  ),
  stopWhenStalled: Options.boolean("stop-when-stalled").pipe(
    Options.withDescription(
      "Stop (exit 1) when learning has stalled: after an epoch whose test accuracy is at chance with the neurons saturated (sigmoids pinned at 0 or 1, ReLUs dead), usually from too large an --eta. Without it a warning is printed and training goes on."
    )
  ),
  maxMemory: MemoryFlag.option,
  json: Options.boolean("json").pipe(
    Options.withDescription("Print results as JSON on stdout (one object per line) and nothing else there.")
  )
}

/**
 * The flags as parsed.
 *
 * @since 0.2.0
 * @category models
 */
export type Flags = Command.Command.ParseConfig<typeof flags>

// Flags that shape a run (everything but how to run and print it), in --help's order.
const shaping = [
  "data", "layers", "activation", "output", "cost", "precision", "init", "eta", "etaDecay", "schedule", "decayEvery", "etaMin", "warmup",
  "optimizer", "momentum", "beta1", "beta2", "epsilon", "weightDecay", "l2", "batchSize", "epochs", "seed", "seeds",
  "validation", "subset", "shuffleLabels", "augment", "augmentStrength", "out"
] as const

/**
 * The flags the command line gave, as written there ("--eta-decay"): `--resume` refuses them.
 *
 * @since 0.2.0
 * @category getters
 */
export const given = (parsed: Flags): ReadonlyArray<string> =>
  shaping.filter((name) => parsed[name].given).map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)

/**
 * The flags `--resume` refuses: every one that shapes a run but `--data`, which may say where
 * the run's data is now (its files' SHA-256 must still be the recorded ones).
 *
 * @since 0.3.0
 * @category getters
 */
export const givenBesideResume = (parsed: Flags): ReadonlyArray<string> => given(parsed).filter((flag) => flag !== "--data")

/**
 * The options of a run from the flags (its seed as given; `--seeds` runs substitute theirs),
 * with the checks that involve more than one flag.
 *
 * @since 0.2.0
 * @category resolving
 */
export const toOptions = (parsed: Flags): Effect.Effect<TrainingOptions.TrainingOptions, UsageError, Path.Path> =>
  Effect.gen(function* () {
    if (parsed.output.value === "softmax" && parsed.cost.value !== "cross-entropy") {
      return yield* new UsageError({ message: "--output softmax: a softmax output layer is trained with --cost cross-entropy" })
    }
    if (parsed.seed.given && parsed.seeds.given) {
      return yield* new UsageError({ message: "--seed and --seeds: give one or the other" })
    }
    const optimizer = parsed.optimizer.value
    const uses = Optimizer.uses[optimizer]
    // Each optimiser's setting, by its flag and its name in core's Optimizer.
    const settings = [
      ["momentum", parsed.momentum, "momentum"], ["beta1", parsed.beta1, "beta1"], ["beta2", parsed.beta2, "beta2"],
      ["epsilon", parsed.epsilon, "epsilon"], ["weight-decay", parsed.weightDecay, "decay"]
    ] as const
    for (const [flag, setting, name] of settings) {
      if (setting.given && !uses.includes(name)) {
        const users = Optimizer.names.filter((other) => Optimizer.uses[other].includes(name))
        return yield* new UsageError({ message: `--${flag}: only --optimizer ${users.join(" or ")} uses it, not ${optimizer}` })
      }
    }
    const schedule = parsed.schedule.value
    const inferred = schedule ?? (parsed.etaDecay.value === 1 ? "constant" : "exponential")
    if ((schedule === "exponential" || schedule === "step") && !parsed.etaDecay.given) {
      return yield* new UsageError({ message: `--schedule ${schedule}: give the factor too, with --eta-decay FACTOR (like 0.95${schedule === "step" ? ", or 0.1 with --decay-every 10" : ""})` })
    }
    if ((inferred === "constant" || inferred === "cosine") && parsed.etaDecay.given && parsed.etaDecay.value !== 1) {
      return yield* new UsageError({ message: `--eta-decay: a ${inferred} schedule does not use it (--schedule exponential or step does)` })
    }
    if (parsed.decayEvery.given && inferred !== "step") {
      return yield* new UsageError({ message: "--decay-every: only --schedule step uses it" })
    }
    if (parsed.etaMin.given && inferred !== "cosine") {
      return yield* new UsageError({ message: "--eta-min: only --schedule cosine uses it" })
    }
    if (parsed.etaMin.value >= parsed.eta.value && parsed.etaMin.given) {
      return yield* new UsageError({ message: `--eta-min ${parsed.etaMin.value}: give a rate below --eta ${parsed.eta.value}` })
    }
    if (parsed.augmentStrength.given && !parsed.augment.value) {
      return yield* new UsageError({ message: "--augment-strength says how far --augment moves the images: give --augment too" })
    }
    if (parsed.warmup.value >= parsed.epochs.value) {
      return yield* new UsageError({ message: `--warmup ${parsed.warmup.value}: warm up for fewer epochs than --epochs ${parsed.epochs.value}` })
    }
    return {
      layers: parsed.layers.value,
      activation: parsed.activation.value,
      output: parsed.output.value,
      cost: parsed.cost.value,
      precision: parsed.precision.value,
      init: parsed.init.value,
      eta: parsed.eta.value,
      etaDecay: parsed.etaDecay.value,
      ...(schedule === undefined ? {} : { schedule }),
      warmup: parsed.warmup.value,
      decayEvery: parsed.decayEvery.value,
      etaMin: parsed.etaMin.value,
      optimizer,
      ...(parsed.momentum.value === undefined ? {} : { momentum: parsed.momentum.value }),
      ...(parsed.beta1.value === undefined ? {} : { beta1: parsed.beta1.value }),
      ...(parsed.beta2.value === undefined ? {} : { beta2: parsed.beta2.value }),
      ...(parsed.epsilon.value === undefined ? {} : { epsilon: parsed.epsilon.value }),
      ...(parsed.weightDecay.value === undefined ? {} : { weightDecay: parsed.weightDecay.value }),
      l2: parsed.l2.value,
      batchSize: parsed.batchSize.value,
      epochs: parsed.epochs.value,
      seed: parsed.seed.value,
      data: yield* Datasets.fromFlag(Option.fromNullable(parsed.data.value)),
      validation: parsed.validation.value,
      subset: parsed.subset.value,
      shuffleLabels: parsed.shuffleLabels.value,
      augment: parsed.augment.value,
      augmentStrength: parsed.augmentStrength.value
    }
  })
