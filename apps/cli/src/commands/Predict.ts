/**
 * `descent predict`: what a saved model says about one image — a test or training image by
 * index, or a PNG of your own — with the ten output activations and the image drawn in the
 * terminal.
 *
 * @since 0.1.0
 */
import { Dataset, Feedforward, type Memory } from "@descent/core"
import { BoundedFile, FileError, ModelFile } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { Unfit, UsageError } from "../CliError.js"
import * as MemoryFlag from "../MemoryFlag.js"
import * as ModelOnData from "../ModelOnData.js"
import * as Output from "../Output.js"
import * as Picture from "../Picture.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Flags {
  readonly model: string
  readonly index: Option.Option<number>
  readonly set: "test" | "train"
  readonly image: Option.Option<string>
  readonly data: Option.Option<string>
  readonly maxMemory: Memory.Limit
  readonly json: boolean
}

const fromDataset = (flags: Flags, index: number) =>
  Effect.gen(function* () {
    const { data, model } = yield* ModelOnData.load(flags.model, flags.data, flags.maxMemory)
    const set = flags.set === "test" ? data.test : data.train
    if (!(index >= 0 && index < set.count)) {
      return yield* new UsageError({
        message: `--index ${index}: the ${flags.set} set has images 0 to ${set.count - 1}`
      })
    }
    const size = set.rows * set.cols
    const pixels = (set.pixels as Uint8Array).slice(index * size, (index + 1) * size)
    return { model, picture: { rows: set.rows, cols: set.cols, pixels }, label: Option.some(set.labels[index]!) }
  })


// A PNG of the user's, read only when it is a file whose bytes fit in `limit`, and decoded only
// when it is whole and its decoding fits too (see `Png.check`).
const fromPng = (modelPath: string, file: string, limit: Memory.Limit) =>
  Effect.gen(function* () {
    const model = yield* ModelFile.read(modelPath, limit)
    yield* ModelOnData.checkClasses(model, modelPath)
    const rest = MemoryFlag.remaining(limit, MemoryFlag.baseline + 8 * model.network.layout.size, "the model")
    // A regular file whose bytes fit in what is left (a pipe or a device has no size to check).
    const bytes = yield* BoundedFile.read(file, ".png file", { maxBytes: Number.MAX_SAFE_INTEGER, limit: rest })
    const ink = yield* Picture.inkOfPng(bytes, file, rest)
    const picture = Picture.toMnist(ink)
    if (picture === undefined) return yield* new FileError({ path: file, problem: "the image is blank: no digit to read" })
    return { model, picture, label: Option.none<number>() }
  })

/**
 * Runs `descent predict`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: Flags) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    if (Option.isSome(flags.index) === Option.isSome(flags.image)) {
      return yield* new UsageError({ message: "predict needs exactly one of --index N (an image of the data set) or --image FILE.png" })
    }
    const modelPath = path.resolve(flags.model)
    const { label, model, picture } = Option.isSome(flags.index)
      ? yield* fromDataset(flags, flags.index.value)
      : yield* fromPng(modelPath, path.resolve(Option.getOrThrow(flags.image)), flags.maxMemory)
    if (picture.pixels.length !== model.network.layout.sizes[0]) {
      return yield* new Unfit({
        message: `${modelPath}: the model takes ${model.network.layout.sizes[0]} pixels; a PNG becomes a 28×28 image (784)`
      })
    }
    const input = Dataset.inputs(picture.pixels)
    const outputs = Array.from(Feedforward.output(model.network, model.params, input))
    const digit = Feedforward.argmax(outputs)
    if (flags.json) {
      yield* Output.json({ digit, outputs, ...(Option.isSome(label) ? { label: label.value } : {}) })
      return
    }
    yield* Output.line(Picture.draw(picture))
    yield* Output.line("")
    yield* Output.line(`the network says: ${digit}` + Option.match(label, { onNone: () => "", onSome: (l) => ` (labelled ${l})` }))
    for (let j = 0; j < outputs.length; j++) {
      const bar = "█".repeat(Math.round(Math.max(0, Math.min(1, outputs[j]!)) * 30))
      yield* Output.line(`  ${j}  ${outputs[j]!.toFixed(4)}  ${bar}`.trimEnd())
    }
  })
