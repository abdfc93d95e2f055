/**
 * `model.json`: a trained network — its layer sizes, activations, cost and every weight and
 * bias, the one big column vector written out as numbers (JSON numbers round-trip float64
 * exactly). Decoded with a Schema when read, so a damaged or foreign file fails with the field
 * at fault.
 *
 * @since 0.1.0
 */
import { Activation, Cost, Layout, Network, Params } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, Schema } from "effect"
import * as AtomicFile from "./AtomicFile.js"
import type { FileError, FileFormatError } from "./FileError.js"
import * as JsonFile from "./JsonFile.js"

// Names from core's tables: a model with an activation or cost added there loads.
const Hidden = Schema.Literal(...Activation.hiddenNames)

/**
 * @since 0.1.0
 * @category schemas
 */
export const ModelFile = Schema.Struct({
  format: Schema.Literal("descent-model"),
  version: Schema.Literal(1),
  layers: Schema.Array(Schema.Int.pipe(Schema.between(1, 1_000_000))).pipe(Schema.minItems(2)),
  activation: Hidden,
  output: Schema.Literal(...Activation.names),
  cost: Schema.Literal(...Cost.names),
  params: Schema.Array(Schema.Finite)
}).pipe(
  Schema.filter((model) =>
    model.output === "softmax" && model.cost !== "cross-entropy"
      ? { path: ["cost"], message: `a softmax output layer is trained with cross-entropy, not ${model.cost}` }
      : true
  ),
  Schema.filter((model) => {
    const size = Layout.make(model.layers).size
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
  params: Array.from(model.params.vector)
})

/**
 * Writes the model to `path`, atomically.
 *
 * @since 0.1.0
 * @category writing
 */
export const write = (path: string, model: Model): Effect.Effect<void, FileError, FileSystem.FileSystem | Path.Path> =>
  AtomicFile.write(path, JSON.stringify(encode(model)) + "\n")

/**
 * Reads and checks a model file.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (path: string): Effect.Effect<Model, FileFormatError | FileError, FileSystem.FileSystem> =>
  JsonFile.read(path, ModelFile, "model file").pipe(
    Effect.map((file) => {
      const network = Network.make({ sizes: file.layers, hidden: file.activation, output: file.output, cost: file.cost })
      return { network, params: Params.fromArray(network.layout, file.params) }
    })
  )
