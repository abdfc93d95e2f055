/**
 * `descent export`: a model trained here, in a format other programs run — ONNX (for ONNX
 * Runtime, in a service or a browser), a TensorFlow.js LayersModel, or the JSON of Nielsen's
 * network2.py — with the run it came from named inside, when its run record lies beside it.
 *
 * @since 0.4.0
 */
import { Layout, type Memory } from "@descent/core"
import { ModelFile, NielsenModel, OnnxModel, Provenance, RunRecord, TfjsModel } from "@descent/files"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { UsageError } from "../CliError.js"
import * as Output from "../Output.js"
import { versions } from "../Versions.js"

/**
 * The formats `descent export` writes.
 *
 * @since 0.4.0
 * @category constants
 */
export const formats = ["onnx", "tfjs", "nielsen"] as const

/**
 * Runs `descent export`.
 *
 * @since 0.4.0
 * @category commands
 */
export const run = (flags: {
  readonly model: string
  readonly format: (typeof formats)[number]
  readonly out: string
  readonly dtype: Option.Option<OnnxModel.DType>
  readonly maxMemory: Memory.Limit
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const fs = yield* FileSystem.FileSystem
    const modelPath = path.resolve(flags.model)
    const out = path.resolve(flags.out)
    if (out === modelPath) return yield* new UsageError({ message: `--out ${flags.out} is the model itself; give another path` })
    if (flags.format !== "onnx" && Option.isSome(flags.dtype)) {
      const why = flags.format === "tfjs" ? "TensorFlow.js keeps weights as float32" : "network2 JSON holds float64 numbers as written"
      return yield* new UsageError({ message: `--dtype is for --format onnx: ${why}; drop --dtype` })
    }
    const model = yield* ModelFile.read(modelPath, flags.maxMemory)
    const source = Option.getOrUndefined(yield* Provenance.beside(modelPath, model))
    const producerVersion = versions.descent ?? "dev"
    const dtype = Option.getOrElse(flags.dtype, () => "float32" as const)
    if (flags.format === "onnx") yield* OnnxModel.write(out, model, { dtype, source, producerVersion })
    else if (flags.format === "tfjs") yield* TfjsModel.write(out, model, { source, producerVersion })
    // network2 holds sigmoid networks only: refused, naming the model, before anything is written.
    else yield* NielsenModel.write(out, model, modelPath)
    const written = flags.format === "tfjs"
      ? [path.join(out, "model.json"), path.join(out, TfjsModel.shardName)]
      : [out]
    let bytes = 0
    // How much was written, for the line below: a file gone already counts as nothing.
    for (const file of written) bytes += yield* fs.stat(file).pipe(Effect.map((info) => Number(info.size)), Effect.orElseSucceed(() => 0))
    const layers = Layout.format(model.network.layout)
    if (flags.json) {
      yield* Output.json({
        format: flags.format,
        out,
        files: written,
        bytes,
        layers,
        ...(flags.format === "onnx" ? { dtype, opset: OnnxModel.opset } : {}),
        paramsSha256: RunRecord.paramsSha256(model.params),
        ...(source === undefined ? {} : { seed: source.seed, epoch: source.epochs })
      })
      return
    }
    const what = flags.format === "onnx"
      ? `ONNX (opset ${OnnxModel.opset}, ${dtype}; input "input" (batch, ${Layout.inputSize(model.network.layout)}), output "output" (batch, ${Layout.outputSize(model.network.layout)}))`
      : flags.format === "tfjs"
      ? `a TensorFlow.js LayersModel (model.json and ${TfjsModel.shardName}; load it with tf.loadLayersModel)`
      : "network2 JSON (load it with network2.load)"
    yield* Output.line(`wrote ${out}: the ${layers} model as ${what}, ${bytes.toLocaleString("en-US")} bytes`)
    yield* Output.line(source === undefined
      ? "no run record beside the model matches it, so the file names no seed"
      : `from the run of seed ${source.seed}, epoch ${source.epochs} (parameters ${source.paramsSha256.slice(0, 16)}…), named in its metadata`)
  })
