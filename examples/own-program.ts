/**
 * Use descent in your own Effect program: provide the bundled-MNIST Layer, fold gradient
 * descent over a stream of mini-batches, and evaluate on the test images. (The README shows
 * this file; the tests run it.)
 */
import { Batches, Descent, Evaluate, Network, Params, Rng } from "@descent/core"
import { Mnist } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import { NodeContext } from "@effect/platform-node"
import { Console, Effect, Stream } from "effect"

const program = Effect.gen(function* () {
  const { test, train } = yield* Mnist.Mnist
  const network = Network.chapter // 784-16-16-10: 13,002 weights and biases
  const [initial, rng] = Params.init(network.layout, Rng.make(1))
  const epoch = Batches.epoch(train, rng, 10) // shuffled with the seed, 10 images a batch
  const params = yield* epoch.batches.pipe(
    Stream.take(2000), // a third of an epoch
    Descent.descend({ network, params: initial, eta: 3.0 }) // params ← params − η∇C, folded
  )
  const before = Evaluate.evaluate(network, initial, test)
  const after = Evaluate.evaluate(network, params, test)
  yield* Console.log(`test accuracy: ${(before.accuracy * 100).toFixed(2)}% before, ${(after.accuracy * 100).toFixed(2)}% after 2,000 steps`)
})

program.pipe(Effect.provide(NodeMnist.bundled), Effect.provide(NodeContext.layer), Effect.runPromise)
