/**
 * Stochastic gradient descent on MNIST's 60,000 training images, through the public pipeline
 * (`NodeMnist.bundled` → `Batches.epoch` → `Descent.descend`), beside the plain reference
 * implementation (`Reference.updateMiniBatch`, dense loops, immutable steps) on the same
 * batches. Prints seconds per epoch (median of the epochs after a warm-up one), examples per
 * second, the ratio reference/fast, the test accuracy reached (a check the work was real) and
 * peak RSS.
 *
 * Configurations: `default` (784-16-16-10, sigmoid, quadratic, batch 10, η 3.0), `batch100`
 * (the same at batch 100), `noisy` (the default on MNIST with 1 to 64 added to every pixel:
 * almost no zero pixels) and `784-100-10` (cross-entropy, scaled init, batch 10, η 0.5).
 * BENCH_EPOCHS sets the measured epochs of the fast path (default 3; one more warms up).
 */
import { Batches, Descent, Evaluate, Network, Params, Reference, Rng } from "@descent/core"
import { Mnist } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect } from "effect"
import { performance } from "node:perf_hooks"
import { median, peakRssMb, report } from "./measure.js"
import { noisy } from "./noisy.js"

const configs = {
  default: { network: Network.chapter, init: "normal" as const, batchSize: 10, eta: 3.0, referenceEpochs: 2 },
  batch100: { network: Network.chapter, init: "normal" as const, batchSize: 100, eta: 3.0, referenceEpochs: 2 },
  // The chapter's network on MNIST with noise added to every pixel: images with almost no zero
  // pixels, where skipping zeros saves nothing (the sparse path's worst case).
  noisy: { network: Network.chapter, init: "normal" as const, batchSize: 10, eta: 3.0, referenceEpochs: 1, noise: true },
  "784-100-10": {
    network: Network.make({ sizes: [784, 100, 10], cost: "cross-entropy" }),
    init: "scaled" as const,
    batchSize: 10,
    eta: 0.5,
    referenceEpochs: 1
  }
}
const name = (process.argv[2] ?? "default") as keyof typeof configs
const config = configs[name]
const epochs = Number(process.env.BENCH_EPOCHS ?? 3)

const program = Effect.gen(function* () {
  const loaded = yield* Mnist.Mnist
  const [train, test] = "noise" in config ? [noisy(loaded.train), noisy(loaded.test)] : [loaded.train, loaded.test]
  const { batchSize, eta, network } = config
  const [initial, firstRng] = Params.init(network.layout, Rng.make(1), config.init)

  // The fast path: one warm-up epoch, then the measured ones.
  let params = initial
  let rng = firstRng
  const seconds: Array<number> = []
  for (let e = 0; e <= epochs; e++) {
    const epoch = Batches.epoch(train, rng, batchSize)
    rng = epoch.rng
    const start = performance.now()
    params = yield* Descent.descend(epoch.batches, { network, params, eta })
    if (e > 0) seconds.push((performance.now() - start) / 1000)
  }
  const fastRss = peakRssMb()
  const evalStart = performance.now()
  const accuracy = Evaluate.evaluate(network, params, test).accuracy
  const evalSeconds = (performance.now() - evalStart) / 1000

  // The reference on the same first epochs, to compare speed and (a check) the result.
  let slow = initial
  let slowRng = firstRng
  const slowSeconds: Array<number> = []
  for (let e = 0; e < config.referenceEpochs; e++) {
    const epoch = Batches.epoch(train, slowRng, batchSize)
    slowRng = epoch.rng
    const start = performance.now()
    for (const batch of Batches.inOrder(train, epoch.order, batchSize)) slow = Reference.updateMiniBatch(network, slow, batch, eta)
    slowSeconds.push((performance.now() - start) / 1000)
  }
  return { seconds, evalSeconds, accuracy, fastRss, slowSeconds, count: train.count }
})

const result = await Effect.runPromise(program.pipe(Effect.provide(NodeMnist.bundled), Effect.provide(NodeContext.layer)))
const fast = median(result.seconds)
const slow = median(result.slowSeconds)

report(`train-epoch ${name}  ${Network.make({ sizes: config.network.layout.sizes }).layout.sizes.join("-")} ${config.network.hidden.name} ${config.network.cost.name}, batch ${config.batchSize}, eta ${config.eta}, ${result.count} MNIST images`, [
  ["fast: epochs", result.seconds.map((s) => s.toFixed(3)).join(" ") + " s (after a warm-up epoch)"],
  ["fast: seconds/epoch", `${fast.toFixed(3)} (median of ${result.seconds.length}), ${Math.round(result.count / fast)} examples/s`],
  ["reference: seconds/epoch", `${slow.toFixed(3)} (median of ${result.slowSeconds.length}), ${Math.round(result.count / slow)} examples/s`],
  ["speed-up", `${(slow / fast).toFixed(2)}× (reference / fast)`],
  ["evaluate 10,000", `${result.evalSeconds.toFixed(3)} s`],
  ["test accuracy", `${(result.accuracy * 100).toFixed(2)}% after ${epochs + 1} epochs`],
  ["peak RSS", `${result.fastRss.toFixed(0)} MB after the fast epochs; ${peakRssMb().toFixed(0)} MB with the reference`]
])
