/**
 * `descent eval`: how a saved model does on the test images — accuracy, mean cost, and the
 * confusion matrix of which digits it takes for which.
 *
 * @since 0.1.0
 */
import { Evaluate, Layout, type Memory } from "@descent/core"
import { Effect, type Option } from "effect"
import * as ModelOnData from "../ModelOnData.js"
import * as Output from "../Output.js"

/**
 * Runs `descent eval`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: {
  readonly model: string
  readonly data: Option.Option<string>
  readonly maxMemory: Memory.Limit
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const { data, model, source } = yield* ModelOnData.load(flags.model, flags.data, flags.maxMemory)
    const result = Evaluate.evaluate(model.network, model.params, data.test)
    if (flags.json) {
      yield* Output.json({ accuracy: result.accuracy, cost: result.cost, correct: result.correct, count: result.count, confusion: result.confusion })
      return
    }
    yield* Output.line(`${Layout.format(model.network.layout)} on ${result.count} test images of ${source}`)
    yield* Output.line(`accuracy  ${Output.percent(result.accuracy)} (${result.correct} of ${result.count})`)
    yield* Output.line(`mean cost ${result.cost.toFixed(4)} (${model.network.cost.name})`)
    yield* Output.line("")
    yield* Output.line(Output.confusionTable(result.confusion))
  })
