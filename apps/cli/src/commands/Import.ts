/**
 * `descent import`: a network trained elsewhere, as a descent model.json — from the JSON that
 * Nielsen's network2.py saves, or from an ONNX file of dense layers — so that every command
 * (eval, weights, noise, mistakes, the page) can look inside it.
 *
 * @since 0.4.0
 */
import { type Cost, Layout, type Memory } from "@descent/core"
import { ModelFile, NielsenModel, OnnxModel, RunRecord } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { UsageError } from "../CliError.js"
import * as Output from "../Output.js"

/**
 * The formats `descent import` reads.
 *
 * @since 0.4.0
 * @category constants
 */
export const formats = ["nielsen", "onnx"] as const

/**
 * Runs `descent import`.
 *
 * @since 0.4.0
 * @category commands
 */
export const run = (flags: {
  readonly format: (typeof formats)[number]
  readonly in: string
  readonly out: string
  readonly cost: Option.Option<Cost.CostName>
  readonly maxMemory: Memory.Limit
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const from = path.resolve(flags.in)
    const out = path.resolve(flags.out)
    if (out === from) return yield* new UsageError({ message: `--out ${flags.out} is the file being imported; give another path, like model.json` })
    if (flags.format === "nielsen" && Option.isSome(flags.cost)) {
      return yield* new UsageError({ message: "--cost is for --format onnx: a network2 file names its own cost; drop --cost" })
    }
    const model = flags.format === "nielsen"
      ? yield* NielsenModel.read(from, flags.maxMemory)
      : yield* OnnxModel.read(from, { cost: Option.getOrUndefined(flags.cost), limit: flags.maxMemory })
    yield* ModelFile.write(out, model)
    const { network } = model
    if (flags.json) {
      yield* Output.json({
        format: flags.format,
        in: from,
        out,
        layers: Layout.format(network.layout),
        activation: network.hidden.name,
        output: network.output.name,
        cost: network.cost.name,
        precision: network.precision,
        paramsSha256: RunRecord.paramsSha256(model.params)
      })
      return
    }
    yield* Output.line(
      `wrote ${out}: a ${Layout.format(network.layout)} network (${network.hidden.name} hidden layers, ${network.output.name} output, ${network.cost.name} cost, computed in ${network.precision}) from ${from}`
    )
    yield* Output.line(`look inside it: descent eval --model ${flags.out}, descent weights --model ${flags.out} --out weights.png`)
  })
