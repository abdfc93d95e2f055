/**
 * What `eval`, `predict`, `noise` and `mistakes` start from: a saved model and the data set
 * it is to be judged on, checked to fit each other.
 *
 * @since 0.1.0
 */
import { Layout } from "@descent/core"
import type { Mnist } from "@descent/data"
import { ModelFile } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect, type Option } from "effect"
import { UsageError } from "./CliError.js"
import * as Datasets from "./Datasets.js"

/**
 * A model's input layer must match the images.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkFits = (model: ModelFile.Model, modelPath: string, data: Mnist.MnistData, source: string) => {
  const pixels = data.test.rows * data.test.cols
  const inputs = Layout.inputSize(model.network.layout)
  return inputs === pixels
    ? Effect.void
    : Effect.fail(
        new UsageError({
          message: `${modelPath}: the model takes ${inputs} pixels, but ${source} has ${data.test.rows}×${data.test.cols} = ${pixels}`
        })
      )
}

/**
 * Reads the model, loads the data (`--data`, or the bundled MNIST) and checks they fit.
 *
 * @since 0.1.0
 * @category loading
 */
export const load = (modelFlag: string, dataFlag: Option.Option<string>) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const modelPath = path.resolve(modelFlag)
    const model = yield* ModelFile.read(modelPath)
    const source = yield* Datasets.fromFlag(dataFlag)
    const data = yield* Datasets.load(source)
    const described = Datasets.describe(source)
    yield* checkFits(model, modelPath, data, described)
    return { model, modelPath, data, source: described }
  })
