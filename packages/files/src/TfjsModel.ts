/**
 * A descent model as a TensorFlow.js LayersModel: a folder of `model.json` (a Keras
 * `Sequential` of `Dense` layers, and the manifest of its weights) and `group1-shard1of1.bin`
 * (every kernel and bias as float32, little-endian, in the manifest's order), which
 * `tf.loadLayersModel("…/model.json")` loads as it is. A Dense layer's kernel is
 * (rows=in, cols=out), so descent's (rows=out, cols=in) weights are written transposed.
 *
 * Not for: reading LayersModels back (their meaning is wider than descent's), or float64:
 * TensorFlow.js keeps weights as float32.
 *
 * @since 0.4.0
 */
import { Network, Params } from "@descent/core"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import * as AtomicFile from "./AtomicFile.js"
import { FileError, systemProblem } from "./FileError.js"
import type * as ModelFile from "./ModelFile.js"
import * as Provenance from "./Provenance.js"

/**
 * The name of the weights file beside model.json (TensorFlow.js's own for one shard).
 *
 * @since 0.4.0
 * @category constants
 */
export const shardName = "group1-shard1of1.bin"

/**
 * One weight of the manifest: its name, shape and type.
 *
 * @since 0.4.0
 * @category models
 */
export interface WeightSpec {
  readonly name: string
  readonly shape: ReadonlyArray<number>
  readonly dtype: "float32"
}

/**
 * A LayersModel in memory: the object `model.json` holds, and the bytes of its shard.
 *
 * @since 0.4.0
 * @category models
 */
export interface LayersModel {
  readonly modelJson: {
    readonly format: "layers-model"
    readonly generatedBy: string
    readonly convertedBy: null
    readonly modelTopology: unknown
    readonly weightsManifest: ReadonlyArray<{ readonly paths: ReadonlyArray<string>; readonly weights: ReadonlyArray<WeightSpec> }>
    readonly userDefinedMetadata: { readonly descent: Provenance.Description }
  }
  readonly weightSpecs: ReadonlyArray<WeightSpec>
  readonly weightData: Uint8Array
}

/**
 * `model` as a LayersModel.
 *
 * @since 0.4.0
 * @category encoding
 */
export const encode = (
  model: ModelFile.Model,
  options: { readonly source?: Provenance.Source | undefined; readonly producerVersion?: string | undefined } = {}
): LayersModel => {
  const { layout } = model.network
  const weightSpecs: Array<WeightSpec> = []
  const layers = layout.layers.map((slot, l) => {
    const name = `layer${l + 1}`
    weightSpecs.push({ name: `${name}/kernel`, shape: [slot.inputs, slot.outputs], dtype: "float32" }, { name: `${name}/bias`, shape: [slot.outputs], dtype: "float32" })
    return {
      class_name: "Dense",
      config: {
        name,
        trainable: true,
        dtype: "float32",
        ...(l === 0 ? { batch_input_shape: [null, slot.inputs] } : {}),
        units: slot.outputs,
        activation: Network.activationOf(model.network, l).name,
        use_bias: true
      }
    }
  })
  const weightData = new Uint8Array(4 * layout.size)
  const view = new DataView(weightData.buffer)
  let at = 0
  layout.layers.forEach((slot, l) => {
    const weights = Params.weights(model.params, l) // (rows=out, cols=in)
    // The kernel (rows=in, cols=out): entry (k, j) is weight j·inputs + k.
    for (let k = 0; k < slot.inputs; k++) {
      for (let j = 0; j < slot.outputs; j++, at += 4) view.setFloat32(at, weights[j * slot.inputs + k]!, true)
    }
    for (const b of Params.biases(model.params, l)) view.setFloat32(at, b, true), at += 4
  })
  const version = options.producerVersion ?? ""
  return {
    modelJson: {
      format: "layers-model",
      generatedBy: `descent ${version}`.trim(),
      convertedBy: null,
      modelTopology: {
        class_name: "Sequential",
        config: { name: "descent", layers },
        backend: "tensor_flow.js"
      },
      weightsManifest: [{ paths: [shardName], weights: weightSpecs }],
      userDefinedMetadata: { descent: Provenance.describe(model, options.source) }
    },
    weightSpecs,
    weightData
  }
}

/**
 * Writes `model` as a LayersModel into the folder `path` (model.json and its shard), which must
 * not exist yet or be empty. Both files are written into a hidden folder beside it, which is
 * then renamed into place: a reader sees both files or none.
 *
 * @since 0.4.0
 * @category writing
 */
export const write = (
  path: string,
  model: ModelFile.Model,
  options: Parameters<typeof encode>[1] = {}
): Effect.Effect<void, FileError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const refused = (action: string) => (error: Parameters<typeof systemProblem>[0]) =>
      new FileError({ path, problem: `cannot ${action}: ${systemProblem(error, "a folder", "write")}` })
    const existing = yield* fs.readDirectory(path).pipe(
      Effect.map((entries) => entries.length),
      Effect.catchAll((error) => (error._tag === "SystemError" && error.reason === "NotFound" ? Effect.succeed(-1) : Effect.fail(refused("read the folder")(error))))
    )
    if (existing > 0) return yield* new FileError({ path, problem: "is a folder that is not empty; give a new folder for the LayersModel (model.json and its weights)" })
    const { modelJson, weightData } = encode(model, options)
    const temporary = paths.join(paths.dirname(path), AtomicFile.temporaryName(paths.basename(path)))
    yield* fs.makeDirectory(temporary).pipe(Effect.mapError(refused("create the folder")))
    yield* Effect.gen(function* () {
      // Errors name the folder asked for, not the hidden one.
      const named = Effect.mapError((error: FileError) => new FileError({ path, problem: error.problem }))
      yield* AtomicFile.write(paths.join(temporary, shardName), weightData).pipe(named)
      yield* AtomicFile.writeJson(paths.join(temporary, "model.json"), modelJson).pipe(named)
      // A rename replaces an empty folder in one step (POSIX), and fails on one that is not.
      yield* fs.rename(temporary, path).pipe(Effect.mapError(refused("move the folder into place")))
    }).pipe(Effect.tapError(() => fs.remove(temporary, { recursive: true }).pipe(Effect.ignore)))
  })
