/**
 * The `descent` command line: every command, flag and default, with the text `--help` shows.
 * The handlers live in `commands/`; the runtime wiring in `bin.ts`.
 *
 * @since 0.1.0
 */
import { Args, Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect } from "effect"
import * as Eval from "./commands/Eval.js"
import * as Mistakes from "./commands/Mistakes.js"
import * as Noise from "./commands/Noise.js"
import * as Plot from "./commands/Plot.js"
import * as Predict from "./commands/Predict.js"
import * as Replay from "./commands/Replay.js"
import * as Train from "./commands/Train.js"
import * as Weights from "./commands/Weights.js"
import * as MemoryFlag from "./MemoryFlag.js"
import * as TrainFlags from "./TrainFlags.js"
import { versions } from "./Versions.js"

const json = Options.boolean("json").pipe(
  Options.withDescription("Print results as JSON on stdout (one object per line) and nothing else there.")
)
const data = TrainFlags.text("data").pipe(
  Options.withPseudoName("DIR|URL"),
  Options.withDescription(
    "A folder in MNIST's layout (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; raw or .gz), or an http(s):// URL under which those files are served. Default: the bundled MNIST."
  ),
  Options.optional
)
const model = TrainFlags.text("model").pipe(
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
    set: Options.choice("set", ["test", "train"]).pipe(
      Options.withDescription("Which set --index counts in."),
      Options.withDefault("test" as const)
    ),
    image: TrainFlags.text("image").pipe(
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
  { run: Args.text({ name: "RUN.json" }).pipe(Args.withDescription("A run record written by descent train.")), maxMemory, json },
  Replay.run
).pipe(
  Command.withDescription(
    "Re-run a recorded run from its seed and check that every epoch's parameters are bit-identical (exit 0), or name the first epoch that differs (exit 1). A run recorded on Node, Bun or Deno replays on any of them; one made by descent 0.1, whose numbers depended on the engine, is refused with the command that re-records it (exit 1)."
  )
)

const png = (what: string) =>
  TrainFlags.text("out").pipe(Options.withPseudoName("FILE.png"), Options.withDescription(`Where to write ${what} (a PNG).`))

const weights = Command.make("weights", { model, out: png("the grid of weight images"), maxMemory }, Weights.run).pipe(
  Command.withDescription(
    "Draw each first-layer neuron's weights as an image, in a grid: blue where ink excites the neuron, red where it inhibits it, white for zero (each tile scaled to its own largest weight)."
  )
)

const plot = Command.make(
  "plot",
  {
    runs: Args.text({ name: "RUN.json" }).pipe(
      Args.withDescription("One or more run records written by descent train."),
      Args.atLeast(1)
    ),
    out: TrainFlags.text("out").pipe(
      Options.withPseudoName("FILE.svg|FILE.png"),
      Options.withDescription("Where to write the chart: .svg or .png.")
    ),
    maxMemory
  },
  Plot.run
).pipe(Command.withDescription("Chart training cost and test accuracy per epoch for one or more runs, side by side."))

const noise = Command.make(
  "noise",
  {
    model,
    count: Options.integer("count").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("Noise images to feed (and as many test images to compare)."),
      Options.withDefault(1000)
    ),
    seed: Options.integer("seed").pipe(
      Options.withPseudoName("SEED"),
      Options.withDescription("Seed of the noise (a 32-bit integer)."),
      Options.mapEffect((seed) =>
        TrainFlags.isSeed(seed) ? Effect.succeed(seed) : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--seed ${seed}: give a 32-bit integer`)))
      ),
      Options.withDefault(1)
    ),
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
    out: png("the grid of mistakes"),
    count: Options.integer("count").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("How many mistakes to show."),
      Options.withDefault(30)
    ),
    data,
    maxMemory,
    json
  },
  Mistakes.run
).pipe(
  Command.withDescription(
    "Find the test images the network gets wrong most confidently and draw them as a labelled grid (true label > what it said, confidence)."
  )
)

const descent = Command.make("descent").pipe(
  Command.withDescription(
    "A neural network learns handwritten digits by gradient descent (3Blue1Brown, chapter 2)."
  ),
  Command.withSubcommands([train, evaluate, predict, replay, weights, plot, noise, mistakes])
)

/**
 * The whole command line, ready to run on `process.argv`.
 *
 * @since 0.1.0
 * @category cli
 */
export const cli = Command.run(descent, { name: "descent", version: versions.descent ?? "dev" })
