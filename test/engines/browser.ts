// A training run in a browser page, built from the library's own calls — MNIST fetched with
// Mnist.loadUrl, then Params.init, and per epoch Augment.dataset (with augment), Batches.epoch,
// Descent.descendWithState (the optimiser's state carried over) and Evaluate.evaluate — the
// chain the CLI's `train` follows, written out independently of it.
// test/engines.test.ts bundles this file for Chromium and checks that its numbers equal
// `descent train --json`'s, to the bit, and its data fingerprints the run record's.
import { Augment, Batches, Dataset, Descent, Evaluate, Network, Numerics, Optimizer, Params, Rng } from "@descent/core"
import { Mnist } from "@descent/data"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Effect } from "effect"

export interface Options {
  readonly layers: ReadonlyArray<number>
  readonly activation: "sigmoid" | "relu"
  readonly output: "sigmoid" | "softmax"
  readonly cost: "quadratic" | "cross-entropy"
  readonly precision: "f64" | "f32"
  readonly init: "normal" | "scaled"
  readonly eta: number
  readonly etaDecay: number
  readonly l2: number
  readonly batchSize: number
  readonly epochs: number
  readonly seed: number
  readonly subset: number
  /** With its default settings (the test gives none). */
  readonly optimizer: Optimizer.Name
  readonly augment: boolean
}

export interface Metrics {
  readonly epoch: number
  readonly trainCost: number
  readonly testAccuracy: number
  readonly testCost: number
  readonly paramsSha256: string
  readonly trainAccuracy: number
}

const sha256 = async (bytes: Uint8Array): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>))
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")
}

/**
 * Fetches MNIST from `base`, trains on it as `descent train` does with these options, and
 * reports each epoch and the data's fingerprints.
 */
export const train = async (
  options: Options,
  base: string
): Promise<{ readonly epochs: ReadonlyArray<Metrics>; readonly sha256: ReadonlyArray<string> }> => {
  const network = Network.make({
    sizes: options.layers,
    hidden: options.activation,
    output: options.output,
    cost: options.cost,
    precision: options.precision
  })
  const data = await Effect.runPromise(Mnist.loadUrl(base).pipe(Effect.provide(FetchHttpClient.layer)))
  const train = Dataset.take(data.train, options.subset)
  const test = data.test
  let [params, rng] = Params.init(network.layout, Rng.make(options.seed), options.init)
  const optimizer = Optimizer.make(options.optimizer)
  let state = Optimizer.initial(optimizer, network.layout)
  const metrics: Array<Metrics> = []
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    let learning = train
    if (options.augment) [learning, rng] = Augment.dataset(train, rng)
    const shuffled = Batches.epoch(learning, rng, options.batchSize)
    let costSum = 0
    ;({ params, state } = await Effect.runPromise(
      Descent.descendWithState(
        shuffled.batches,
        {
          network,
          params,
          eta: options.eta * Numerics.pow(options.etaDecay, epoch - 1),
          weightDecay: options.l2 / train.count,
          optimizer,
          state
        },
        (step) => Effect.sync(() => void (costSum += step.cost * step.examples))
      )
    ))
    rng = shuffled.rng
    const evaluation = Evaluate.evaluate(network, params, test)
    metrics.push({
      epoch,
      trainCost: costSum / train.count,
      testAccuracy: evaluation.accuracy,
      testCost: evaluation.cost,
      paramsSha256: await sha256(Params.toBytes(params)),
      trainAccuracy: Evaluate.evaluate(network, params, train).accuracy
    })
  }
  const { testImages, testLabels, trainImages, trainLabels } = data.files
  return { epochs: metrics, sha256: [trainImages, trainLabels, testImages, testLabels].map((file) => file.sha256) }
}

