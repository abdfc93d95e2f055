/**
 * `model.json`: a trained network — its layer sizes, activations, cost and every weight and
 * bias, the one big column vector written out as numbers (JSON numbers round-trip float64
 * exactly). Decoded with a Schema when read, so a damaged or foreign file fails with the field
 * at fault.
 *
 * @since 0.1.0
 */
import { Activation, Cost, Layout, type Memory, Network, Params, Precision } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, ParseResult, Schema } from "effect"
import * as AtomicFile from "./AtomicFile.js"
import type { FileError, FileFormatError } from "./FileError.js"
import * as JsonFile from "./JsonFile.js"

// Names from core's tables: a model with an activation or cost added there loads.
const Hidden = Schema.Literal(...Activation.hiddenNames)

/**
 * The most weights and biases a model file holds: 20,000,000 (784-25000-10 has 19.9 million).
 * A model file is read as one JavaScript string, at most `JsonFile.maxStringLength` characters,
 * and each parameter takes up to 25 of them ("-1.2345678901234567e-100,").
 *
 * @since 0.3.0
 * @category constants
 */
export const maxParams = 20_000_000

/**
 * The longest model file: `maxParams` numbers of 25 characters, and the rest.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxBytes = maxParams * 25 + 64 * 1024

/**
 * Why layers of these sizes cannot be kept in a model file, or `undefined` when they can.
 *
 * @since 0.3.0
 * @category checks
 */
export const tooLarge = (layout: Layout.Layout): string | undefined =>
  layout.size <= maxParams
    ? undefined
    : `${Layout.format(layout)} has ${layout.size.toLocaleString("en-US")} weights and biases; a model file holds at most ${maxParams.toLocaleString("en-US")} (it is read back as one JavaScript string)`

// Every entry a finite number, checked in one loop and kept as it is: a per-entry schema would
// copy the array and allocate for each of millions of entries. The message names the first bad
// entry, never the array.
const FiniteNumbers = Schema.declare(
  [],
  {
    decode: () => (input, _, ast) => {
      if (!Array.isArray(input)) return ParseResult.fail(new ParseResult.Type(ast, input, "expected an array of numbers"))
      for (let i = 0; i < input.length; i++) {
        const v: unknown = input[i]
        if (typeof v !== "number" || !Number.isFinite(v)) {
          const found = typeof v === "number" ? String(v) : v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`
          return ParseResult.fail(new ParseResult.Pointer(i, input, new ParseResult.Type(ast, v, `expected a finite number, found ${found}`)))
        }
      }
      return ParseResult.succeed(input as ReadonlyArray<number>)
    },
    encode: () => (input) => ParseResult.succeed(input)
  },
  { identifier: "FiniteNumbers", description: "an array of finite numbers" }
) as unknown as Schema.Schema<ReadonlyArray<number>, ReadonlyArray<number>>

/**
 * @since 0.1.0
 * @category schemas
 */
export const ModelFile = Schema.Struct({
  format: Schema.Literal("descent-model"),
  version: Schema.Literal(1),
  layers: Schema.Array(Schema.Int.pipe(Schema.between(1, 1_000_000))).pipe(Schema.minItems(2), Schema.maxItems(1000)),
  activation: Hidden,
  output: Schema.Literal(...Activation.names),
  cost: Schema.Literal(...Cost.names),
  // Written only for an f32 model: a model file without it computes in f64, as every one did
  // before 0.4.0.
  precision: Schema.optional(Schema.Literal(...Precision.all)),
  params: FiniteNumbers
}).pipe(
  Schema.filter((model) =>
    model.output === "softmax" && model.cost !== "cross-entropy"
      ? { path: ["cost"], message: `a softmax output layer is trained with cross-entropy, not ${model.cost}` }
      : true
  ),
  Schema.filter((model) => {
    const layout = Layout.make(model.layers)
    const large = tooLarge(layout)
    if (large !== undefined) return { path: ["layers"], message: large }
    const size = layout.size
    return model.params.length === size
      ? true
      : { path: ["params"], message: `has ${model.params.length} entries; layers ${model.layers.join("-")} need ${size}` }
  })
)

/**
 * @since 0.1.0
 * @category models
 */
export interface Model {
  readonly network: Network.Network
  readonly params: Params.Params
}

/**
 * A model as written to model.json.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (model: Model): Schema.Schema.Encoded<typeof ModelFile> => ({
  format: "descent-model",
  version: 1,
  layers: model.network.layout.sizes,
  // Network.make never puts a softmax in a hidden layer.
  activation: model.network.hidden.name,
  output: model.network.output.name,
  cost: model.network.cost.name,
  ...(model.network.precision === "f32" ? { precision: "f32" as const } : {}),
  params: Array.from(model.params.vector)
})

// The text of model.json in pieces of `perPiece` parameters: the same characters as
// JSON.stringify(encode(model)), without ever holding all of them (or an array of every
// parameter) at once.
function* pieces(model: Model, perPiece = 65536): Generator<string> {
  const head = JSON.stringify({ ...encode({ ...model, params: Params.unsafeFromArray(model.params.layout, new Float64Array(0)) }) })
  yield head.slice(0, -2) // up to and with `"params":[`
  const vector = model.params.vector
  for (let from = 0; from < vector.length; from += perPiece) {
    const to = Math.min(vector.length, from + perPiece)
    const numbers: Array<string> = []
    // JSON.stringify writes −0 as 0; "-0" parses back as −0, so every bit survives.
    for (let i = from; i < to; i++) numbers.push(Object.is(vector[i], -0) ? "-0" : JSON.stringify(vector[i]!))
    yield (from === 0 ? "" : ",") + numbers.join(",")
  }
  yield "]}\n"
}

/**
 * Writes the model to `path`, atomically, a piece at a time (a model of millions of
 * parameters never becomes one string in memory).
 *
 * @since 0.1.0
 * @category writing
 */
export const write = (path: string, model: Model): Effect.Effect<void, FileError, FileSystem.FileSystem | Path.Path> =>
  AtomicFile.write(path, pieces(model))

/**
 * Reads and checks a model file — first its size (at most `maxBytes`, and what reading it
 * takes within `limit`), then its JSON, then every field.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (
  path: string,
  limit?: Memory.Limit
): Effect.Effect<Model, FileFormatError | FileError | Memory.MemoryLimitError, FileSystem.FileSystem> =>
  JsonFile.read(path, ModelFile, "model file", { maxBytes, limit }).pipe(Effect.map(fromFile))

/**
 * The model a decoded model file describes (checked by `ModelFile`): its network and
 * parameters. `read` uses it, and so does a program that has the file's text some other way
 * (the web page, fetching it).
 *
 * @since 0.3.0
 * @category decoding
 */
export const fromFile = (file: Schema.Schema.Type<typeof ModelFile>): Model => {
  const network = Network.make({
    sizes: file.layers,
    hidden: file.activation,
    output: file.output,
    cost: file.cost,
    precision: file.precision
  })
  return { network, params: Params.fromArray(network.layout, file.params) }
}
