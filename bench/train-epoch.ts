/**
 * Stochastic gradient descent on MNIST's 60,000 training images with the chapter's
 * 784-16-16-10 network (sigmoid, quadratic cost, batch 10, η 3.0, seed 1), through the public
 * pipeline: `Mnist.bundled` → `Batches.epoch` → `Descent.descend` → `Evaluate.evaluate`.
 * Prints seconds per epoch (median over the epochs, the first included), examples per second,
 * test accuracy after the last epoch (a check that the work was real), and peak RSS.
 *
 * BENCH_EPOCHS sets the number of epochs (default 3).
 */
import { Batches, Descent, Evaluate, Network, Params, Rng } from "@descent/core"
import { Mnist } from "@descent/data"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect } from "effect"
import { performance } from "node:perf_hooks"
import { median, peakRssMb, report } from "./measure.js"

const epochs = Number(process.env.BENCH_EPOCHS ?? 3)
const batchSize = 10
const eta = 3.0
const network = Network.chapter

const program = Effect.gen(function* () {
  const { test, train } = yield* Mnist.Mnist
  let [params, rng] = Params.init(network.layout, Rng.make(1))
  const seconds: Array<number> = []
  for (let e = 0; e < epochs; e++) {
    const epoch = Batches.epoch(train, rng, batchSize)
    rng = epoch.rng
    const start = performance.now()
    params = yield* Descent.descend(epoch.batches, { network, params, eta })
    seconds.push((performance.now() - start) / 1000)
  }
  const evalStart = performance.now()
  const evaluation = Evaluate.evaluate(network, params, test)
  const evalSeconds = (performance.now() - evalStart) / 1000
  return { seconds, evaluation, evalSeconds, count: train.count }
})

const { count, evalSeconds, evaluation, seconds } = await Effect.runPromise(
  program.pipe(Effect.provide(Mnist.bundled), Effect.provide(NodeContext.layer))
)
const perEpoch = median(seconds)

report(`train-epoch  784-16-16-10 sigmoid quadratic, batch ${batchSize}, eta ${eta}, ${count} MNIST training images`, [
  ["epochs", seconds.map((s) => s.toFixed(3)).join(" ") + " s"],
  ["seconds/epoch", `${perEpoch.toFixed(3)} (median of ${epochs})`],
  ["examples/second", `${Math.round(count / perEpoch)}`],
  ["evaluate 10,000", `${evalSeconds.toFixed(3)} s`],
  ["test accuracy", `${(evaluation.accuracy * 100).toFixed(2)}% after ${epochs} epochs`],
  ["peak RSS", `${peakRssMb().toFixed(0)} MB`]
])
