/**
 * `descent eval`: how a saved model does on the test images — accuracy, mean cost, and the
 * confusion matrix of which digits it takes for which.
 *
 * @since 0.1.0
 */
import { Evaluate, Layout } from "@descent/core"
import type { Mnist } from "@descent/data"
import * as Path from "@effect/platform/Path"
import { Effect, type Option } from "effect"
import { UsageError } from "../CliError.js"
import * as Datasets from "../Datasets.js"
import * as ModelFile from "../ModelFile.js"
import * as Output from "../Output.js"

/**
 * A model's input layer must match the images, and its output layer the ten digits.
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
 * Runs `descent eval`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: { readonly model: string; readonly data: Option.Option<string>; readonly json: boolean }) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const modelPath = path.resolve(flags.model)
    const model = yield* ModelFile.read(modelPath)
    const source = yield* Datasets.fromFlag(flags.data)
    const data = yield* Datasets.load(source)
    yield* checkFits(model, modelPath, data, Datasets.describe(source))
    const result = Evaluate.evaluate(model.network, model.params, data.test)
    if (flags.json) {
      Output.json({ accuracy: result.accuracy, cost: result.cost, correct: result.correct, count: result.count, confusion: result.confusion })
      return
    }
    Output.line(`${Layout.format(model.network.layout)} on ${result.count} test images of ${Datasets.describe(source)}`)
    Output.line(`accuracy  ${Output.percent(result.accuracy)} (${result.correct} of ${result.count})`)
    Output.line(`mean cost ${result.cost.toFixed(4)} (${model.network.cost.name})`)
    Output.line("")
    Output.line(Output.confusionTable(result.confusion))
  })
