/**
 * What `eval`, `predict`, `noise` and `mistakes` start from: a saved model and the data set
 * it is to be judged on, checked to fit each other — the model takes the images' pixels and
 * names one of the ten digits — and to fit the memory limit together.
 *
 * @since 0.1.0
 */
import { Dataset, Evaluate, Layout, Memory } from "@descent/core"
import type { Mnist } from "@descent/data"
import { ModelFile } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect, type Option } from "effect"
import { Unfit } from "./CliError.js"
import * as Datasets from "./Datasets.js"
import * as MemoryFlag from "./MemoryFlag.js"

/**
 * A model must name one of the data's classes — ten outputs for MNIST's ten digits — whatever
 * its input.
 *
 * @since 0.3.0
 * @category validation
 */
export const checkClasses = (model: ModelFile.Model, modelPath: string): Effect.Effect<void, Unfit> => {
  const outputs = Layout.outputSize(model.network.layout)
  return outputs === Dataset.classes
    ? Effect.void
    : Effect.fail(
        new Unfit({
          message: `${modelPath}: the model has ${outputs} output neuron${outputs === 1 ? "" : "s"}, but the data's labels are the ${Dataset.classes} digits 0–9: give a model trained on digits (its last layer has ${Dataset.classes} neurons)`
        })
      )
}

/**
 * A model's input layer must match the images, and its outputs the digits.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkFits = (model: ModelFile.Model, modelPath: string, data: Mnist.MnistData, source: string) => {
  const pixels = data.test.rows * data.test.cols
  const inputs = Layout.inputSize(model.network.layout)
  return inputs === pixels
    ? checkClasses(model, modelPath)
    : Effect.fail(
        new Unfit({
          message: `${modelPath}: the model takes ${inputs} pixels, but ${source} has ${data.test.rows}×${data.test.cols} = ${pixels}`
        })
      )
}

/**
 * Reads the model, loads the data (`--data`, or the bundled MNIST) and checks they fit, each
 * within `limit`: the model file's reading, then the data in what is left after the model and
 * its evaluation. `left` is the limit that remains for further work.
 *
 * @since 0.1.0
 * @category loading
 */
export const load = (modelFlag: string, dataFlag: Option.Option<string>, limit: Memory.Limit) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const modelPath = path.resolve(modelFlag)
    const model = yield* ModelFile.read(modelPath, limit)
    yield* checkClasses(model, modelPath)
    // The model's parameters, and a workspace to evaluate MNIST's 10,000 test images with.
    const modelBytes = MemoryFlag.baseline + 8 * model.network.layout.size + Evaluate.memory(model.network.layout, 10_000)
    const over = Memory.check(limit, modelBytes, modelPath, `evaluating ${Layout.format(model.network.layout)}`)
    if (over !== undefined) return yield* over
    const source = yield* Datasets.fromFlag(dataFlag)
    const data = yield* Datasets.load(source, MemoryFlag.remaining(limit, modelBytes, "the model"))
    const described = Datasets.describe(source)
    if (data.test.count === 0) {
      return yield* new Unfit({
        message: `${data.files.testImages.path}: holds no test images, so there is nothing to judge the model on; give a data set that has some`
      })
    }
    yield* checkFits(model, modelPath, data, described)
    const dataBytes = data.train.pixels.length + data.test.pixels.length + data.train.count + data.test.count
    // What is left of the limit once the model and the data are in memory, for the work on them.
    const left = MemoryFlag.remaining(limit, modelBytes + dataBytes, "the model and the data")
    return { model, modelPath, data, source: described, left }
  })
