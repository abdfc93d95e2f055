/**
 * The `descent` command line: every command, flag and default, with the text `--help` shows.
 * The handlers live in `commands/`; the runtime wiring in `bin.ts`.
 *
 * @since 0.1.0
 */
import { Cost } from "@descent/core"
import { Args, Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Augment from "./commands/Augment.js"
import * as Eval from "./commands/Eval.js"
import * as Export from "./commands/Export.js"
import * as Import from "./commands/Import.js"
import * as Mistakes from "./commands/Mistakes.js"
import * as Noise from "./commands/Noise.js"
import * as Plot from "./commands/Plot.js"
import * as Predict from "./commands/Predict.js"
import * as Replay from "./commands/Replay.js"
import * as Serve from "./commands/Serve.js"
import * as Sweep from "./commands/Sweep.js"
import * as Train from "./commands/Train.js"
import * as Weights from "./commands/Weights.js"
import * as Flag from "./Flag.js"
import * as MemoryFlag from "./MemoryFlag.js"
import * as ServeFlags from "./ServeFlags.js"
import * as SweepSpec from "./SweepSpec.js"
import * as TrainFlags from "./TrainFlags.js"
import { versions } from "./Versions.js"
import { OnnxModel, TrainingOptions } from "@descent/files"


const json = Options.boolean("json").pipe(
  Options.withDescription("Print results as JSON on stdout (one object per line) and nothing else there.")
)
const data = Flag.withDefault(
  Flag.text("data").pipe(
    Options.withPseudoName("DIR|URL"),
    Options.withDescription(
      "A folder in MNIST's layout (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; raw or .gz), or an http(s):// URL under which those files are served."
    ),
    Options.map(Option.some)
  ),
  Option.none(),
  "the bundled MNIST"
)
const model = Flag.text("model").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("A model.json written by descent train.")
)

const train = Command.make(
  "train",
  TrainFlags.flags,
  Train.run
).pipe(
  Command.withDescription(
    "Train a network by stochastic gradient descent and report each epoch: training cost, test accuracy, test cost, seconds. Ctrl-C stops after the current batch and keeps the last checkpoint."
  )
)

const maxMemory = MemoryFlag.option

const evaluate = Command.make("eval", { model, data, maxMemory, json }, Eval.run).pipe(
  Command.withDescription("Evaluate a model on the test images: accuracy, mean cost, confusion matrix.")
)

const predict = Command.make(
  "predict",
  {
    model,
    index: Options.integer("index").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("Predict image N of the data set (see --set)."),
      Options.optional
    ),
    set: Flag.withDefault(Options.choice("set", ["test", "train"]).pipe(Options.withDescription("Which set --index counts in.")), "test" as const),
    image: Flag.text("image").pipe(
      Options.withPseudoName("FILE.png"),
      Options.withDescription("Predict a PNG of any size: made 28×28 grey, fitted to 20×20 and centred by mass, as MNIST's digits were."),
      Options.optional
    ),
    data,
    maxMemory,
    json
  },
  Predict.run
).pipe(Command.withDescription("Show what a model says about one image: the digit, the ten outputs, and the image."))

const replay = Command.make(
  "replay",
  { run: Args.text({ name: "RUN.json" }).pipe(Args.withDescription("A run record written by descent train.")), threads: TrainFlags.threads, maxMemory, json },
  Replay.run
).pipe(
  Command.withDescription(
    "Re-run a recorded run from its seed and check that every epoch's parameters are bit-identical (exit 0), or name the first epoch that differs (exit 1). A run recorded on Node, Bun or Deno replays on any of them, on any number of threads; one made by descent 0.1, whose numbers depended on the engine, is refused with the command that re-records it (exit 1)."
  )
)

const picture = (what: string) =>
  Flag.text("out").pipe(Options.withPseudoName("FILE.png|FILE.svg"), Options.withDescription(`Where to write ${what}: a PNG, or an SVG (its words as text).`))

const weights = Command.make("weights", { model, out: picture("the picture of the weights"), maxMemory }, Weights.run).pipe(
  Command.withDescription(
    "Draw each first-layer neuron's weights as an image, in a grid of numbered tiles with a colour key: blue where ink excites the neuron, red where it inhibits it, white for zero (each tile scaled to its own largest weight, printed under it)."
  )
)

const plot = Command.make(
  "plot",
  {
    runs: Args.text({ name: "RUN.json" }).pipe(
      Args.withDescription("One or more run records written by descent train."),
      Args.atLeast(1)
    ),
    out: Flag.text("out").pipe(
      Options.withPseudoName("FILE.svg|FILE.png"),
      Options.withDescription("Where to write the chart: an SVG, or a PNG (drawn at twice its size).")
    ),
    maxMemory
  },
  Plot.run
).pipe(Command.withDescription("Chart training cost and test accuracy per epoch for one or more runs: each run named by its folder, each cost function on its own axis, identical runs marked."))

const noise = Command.make(
  "noise",
  {
    model,
    count: Options.integer("count").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("Noise images to feed (and as many test images to compare).")
    ).pipe((count) => Flag.withDefault(count, 1000)),
    seed: Options.integer("seed").pipe(
      Options.withPseudoName("SEED"),
      Options.withDescription("Seed of the noise (a 32-bit integer).")
    ).pipe((seed) => Flag.checked(seed, (n) => (TrainFlags.isSeed(n) ? undefined : `--seed ${n}: give a 32-bit integer`)), (seed) => Flag.withDefault(seed, 1)),
    data,
    maxMemory,
    json
  },
  Noise.run
).pipe(
  Command.withDescription(
    "Feed seeded random-noise images and show how confidently the network still names a digit, beside real test images."
  )
)

const mistakes = Command.make(
  "mistakes",
  {
    model,
    out: picture("the picture of the mistakes"),
    count: Options.integer("count").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("How many mistakes to show, most confident first (1 to 400).")
    ).pipe((count) => Flag.withDefault(count, 30)),
    data,
    maxMemory,
    json
  },
  Mistakes.run
).pipe(
  Command.withDescription(
    "Find the test images the network gets wrong most confidently, list them, and draw them in a grid, each labelled with its true label, what the network said, its confidence and its index."
  )
)

const parsedWith = <A>(parse: (text: string) => Effect.Effect<A, string>) => (option: Options.Options<string>) =>
  Options.mapEffect(option, (text) => Effect.mapError(parse(text), (message) => ValidationError.invalidValue(HelpDoc.p(message))))
// A flag given any number of times, each value parsed.
const eachParsedWith = <A>(parse: (text: string) => Effect.Effect<A, string>) => (option: Options.Options<string>) =>
  Options.mapEffect(Options.repeated(option), (texts) =>
    Effect.mapError(Effect.forEach(texts, parse), (message) => ValidationError.invalidValue(HelpDoc.p(message))))

const sweep = Command.make(
  "sweep",
  {
    grid: Flag.withDefault(Options.text("grid").pipe(
      Options.withPseudoName("SETTING=V1,V2,…"),
      Options.withDescription(
        "A descent train setting and the values to try (--grid eta=0.5,1,3; layer sizes joined by -, as --grid layers=784-30-10,784-100-10). Give --grid once per setting: every combination runs."
      ),
      eachParsedWith(SweepSpec.parseAxis)
    ), [], "none"),
    set: Flag.withDefault(Options.text("set").pipe(
      Options.withPseudoName("SETTING=VALUE"),
      Options.withDescription("A descent train setting every point shares (--set cost=cross-entropy); once per setting."),
      eachParsedWith(SweepSpec.parseSetting)
    ), [], "none"),
    seeds: Flag.withDefault(
      Options.text("seeds").pipe(
        Options.withPseudoName("S1,S2,..."),
        Options.withDescription("The seeds each point runs with; each point is ranked by the mean over them."),
        parsedWith(SweepSpec.parseSeeds)
      ),
      [1, 2, 3],
      "1,2,3"
    ),
    validation: Flag.withDefault(
      Flag.checked(
        Options.integer("validation").pipe(
          Options.withPseudoName("N"),
          Options.withDescription(
            "Training images held out, from the end of the training set, to rank the points on (never the test set, which is kept for the recipe finally chosen)."
          )
        ),
        (n) => (n >= 1 ? undefined : `--validation ${n}: a sweep ranks on held-out images: give at least 1 (10000, as Nielsen)`)
      ),
      10000
    ),
    data,
    out: Flag.text("out").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription("Folder for sweep.json, its chart and every run (OUT/<point>/seed-S); the same command again continues it."),
      Options.optional
    ),
    resume: Flag.text("resume").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription("Continue the sweep in this folder: skip the runs that finished, resume those that stopped, then rank them all."),
      Options.optional
    ),
    jobs: Flag.checked(
      Options.integer("jobs").pipe(Options.withPseudoName("N"), Options.withDescription("How many runs go at once (default: as many as --max-memory holds, up to twice the cores).")),
      (n) => (n >= 1 ? undefined : `--jobs ${n}: give at least 1`)
    ).pipe(Options.optional),
    maxMemory,
    json
  },
  Sweep.run
).pipe(
  Command.withDescription(
    "Try a grid of descent train settings × seeds, each run holding out the same --validation images, and rank the settings by their mean validation accuracy in the last epoch: a table, sweep.json and a chart (sweep.png, sweep.svg). Every run replays; the same command again skips what finished."
  )
)

const augment = Command.make(
  "augment",
  {
    index: Options.integer("index").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("The image to augment: image N of the data set (see --set).")
    ),
    set: Flag.withDefault(Options.choice("set", ["train", "test"]).pipe(Options.withDescription("Which set --index counts in.")), "train" as const),
    count: Options.integer("count").pipe(
      Options.withPseudoName("K"),
      Options.withDescription(`How many augmented versions to draw (1 to ${Augment.maxCount}).`)
    ).pipe((count) => Flag.withDefault(count, 15)),
    seed: Options.integer("seed").pipe(
      Options.withPseudoName("SEED"),
      Options.withDescription("Seed of the augmentations (a 32-bit integer).")
    ).pipe((seed) => Flag.checked(seed, (n) => (TrainFlags.isSeed(n) ? undefined : `--seed ${n}: give a 32-bit integer`)), (seed) => Flag.withDefault(seed, 1)),
    strength: Options.float("strength").pipe(
      Options.withPseudoName("S"),
      Options.withDescription("How far images move, as a multiple of the defaults: train's --augment-strength.")
    ).pipe(
      (strength) => Flag.checked(strength, (s) => (Number.isFinite(s) && s > 0 && s <= TrainingOptions.maxAugmentStrength ? undefined : `--strength ${s}: give a multiple of the default augmentation above 0 and at most ${TrainingOptions.maxAugmentStrength}, like 0.5`)),
      (strength) => Flag.withDefault(strength, 1)
    ),
    out: picture("the picture of the image and its augmented versions"),
    data,
    maxMemory
  },
  Augment.run
).pipe(
  Command.withDescription(
    "Show what the network is fed when training images are augmented: one image beside versions of it drawn from a seed — each shifted, turned and scaled about its centre and bent by an elastic distortion (Simard et al. 2003) — in a grid of labelled tiles with a key."
  )
)

const exportCommand = Command.make(
  "export",
  {
    model,
    format: Options.choice("format", Export.formats).pipe(
      Options.withDescription(
        "onnx: an ONNX file (opset 13: one Gemm per layer, then Sigmoid, Relu or Softmax; a symbolic batch dimension), for ONNX Runtime. tfjs: a TensorFlow.js LayersModel, a folder of model.json and its weights. nielsen: the JSON that network2.py's save() writes (sigmoid networks only)."
      )
    ),
    out: Flag.text("out").pipe(
      Options.withPseudoName("PATH"),
      Options.withDescription("Where to write it: a file (model.onnx, network2.json), or for tfjs a new or empty folder.")
    ),
    dtype: Flag.withDefault(
      Options.choice("dtype", OnnxModel.dtypes).pipe(
        Options.withDescription("The ONNX tensors' type (onnx only): float32, as runtimes expect, or float64, every bit of descent's parameters."),
        Options.map(Option.some)
      ),
      Option.none(),
      "float32"
    ),
    maxMemory,
    json
  },
  Export.run
).pipe(
  Command.withDescription(
    "Write a model in another program's format — ONNX, TensorFlow.js or Nielsen's network2 JSON — naming the run it came from (seed, hash) inside, when its run.json lies beside it."
  )
)

const importCommand = Command.make(
  "import",
  {
    format: Options.choice("format", Import.formats).pipe(
      Options.withDescription(
        "nielsen: a JSON file saved by network2.py (sizes, weights, biases, cost). onnx: an ONNX file of dense layers — Gemm, or MatMul then Add, each followed by Sigmoid, Relu or Softmax; any other node is refused by name."
      )
    ),
    in: Flag.text("in").pipe(Options.withPseudoName("PATH"), Options.withDescription("The file to import.")),
    out: Flag.text("out").pipe(Options.withPseudoName("FILE"), Options.withDescription("Where to write the descent model, like model.json.")),
    cost: Flag.withDefault(
      Options.choice("cost", Cost.names).pipe(
        Options.withDescription(
          "The cost the model is evaluated with (onnx only; ONNX has none): by default the one descent wrote into the file, else cross-entropy for a softmax output and quadratic for the rest."
        ),
        Options.map(Option.some)
      ),
      Option.none(),
      "the file's, else by its output"
    ),
    maxMemory,
    json
  },
  Import.run
).pipe(
  Command.withDescription(
    "Read a network trained elsewhere — network2.py's JSON, or an ONNX file of dense layers — as a descent model.json, for eval, weights, noise, mistakes and the page."
  )
)

const serve = Command.make("serve", ServeFlags.flags, Serve.run).pipe(
  Command.withDescription(
    "Serve the page on this machine — draw a digit and watch every layer respond, look inside each neuron, train in the page — with a model, runs and data for it to load. Prints its address; Ctrl-C stops it."
  )
)

/**
 * Every command by name, in the order `--help` lists them.
 *
 * @since 0.3.0
 * @category cli
 */
export const commands = { train, eval: evaluate, predict, replay, weights, plot, noise, mistakes, augment, sweep, export: exportCommand, import: importCommand, serve } as const

/**
 * `descent` itself: the commands under one name.
 *
 * @since 0.3.0
 * @category cli
 */
export const descent = Command.make("descent").pipe(
  Command.withDescription(
    "A neural network learns handwritten digits by gradient descent (3Blue1Brown, chapter 2)."
  ),
  Command.withSubcommands([train, evaluate, predict, replay, weights, plot, noise, mistakes, augment, sweep, exportCommand, importCommand, serve])
)

/**
 * The whole command line, ready to run on `process.argv`.
 *
 * @since 0.1.0
 * @category cli
 */
export const cli = Command.run(descent, { name: "descent", version: versions.descent ?? "dev" })
