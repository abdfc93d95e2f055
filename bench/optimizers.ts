/**
 * Each optimiser's epoch (`descent train --optimizer`) against plain descent's: epochs of every
 * optimiser alternated on MNIST's 60,000 training images, so that a machine that slows down
 * slows all alike. Prints per optimiser the median seconds per epoch, its ratio to sgd's, the
 * test accuracy after one epoch, and whether its parameters came out the same every round.
 *
 * Configurations: `default` (784-16-16-10, sigmoid, quadratic, batch 10) and `784-100-10`
 * (cross-entropy, scaled init, batch 10, on the threads `Threads.auto` picks). Each optimiser has
 * a learning rate that learns with it (sgd 3.0 or 0.5, momentum and nesterov a tenth of that,
 * rmsprop and adam 0.001–0.003): the time of a step does not depend on it. BENCH_ROUNDS sets the
 * alternations (default 3).
 */
import { Batches, Descent, Evaluate, Network, Optimizer, Params, Rng, Threads } from "@descent/core"
import * as NodeThreads from "@descent/core/NodeThreads"
import { Mnist } from "@descent/data"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { performance } from "node:perf_hooks"
import { median, peakRssMb, report } from "./measure.js"
import { onMnist } from "./onMnist.js"

const configs = {
  default: { network: Network.chapter, init: "normal" as const, sgd: 3.0 },
  "784-100-10": { network: Network.make({ sizes: [784, 100, 10], cost: "cross-entropy" }), init: "scaled" as const, sgd: 0.5 }
}
const etaOf = (name: Optimizer.Name, sgd: number): number =>
  name === "sgd" ? sgd : name === "momentum" || name === "nesterov" ? sgd / 10 : name === "rmsprop" ? 0.001 : 0.003

const names = process.argv[2] === undefined ? (Object.keys(configs) as Array<keyof typeof configs>) : [process.argv[2] as keyof typeof configs]
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)

const program = Effect.gen(function* () {
  const loaded = yield* Mnist.Mnist
  for (const name of names) {
    const config = configs[name]
    if (config === undefined) throw new Error(`no configuration ${name}: give one of ${Object.keys(configs).join(", ")}`)
    const { network, init } = config
    const count = Threads.auto(network.layout.sizes[1]!, NodeThreads.cores())
    const threads = yield* NodeThreads.scoped(count)
    const epoch = (optimizer: Optimizer.Name) =>
      Effect.gen(function* () {
        const [initial, rng] = Params.init(network.layout, Rng.make(1), init)
        const { batches } = Batches.epoch(loaded.train, rng, 10)
        const start = performance.now()
        const { params } = yield* Descent.descendWithState(batches, {
          network, params: initial, eta: etaOf(optimizer, config.sgd), optimizer: Optimizer.make(optimizer), threads
        })
        const seconds = (performance.now() - start) / 1000
        const hash = createHash("sha256").update(new Uint8Array(Float64Array.from(params.vector).buffer)).digest("hex")
        return { seconds, hash, accuracy: Evaluate.evaluate(network, params, loaded.test).accuracy }
      })
    const runs = new Map(Optimizer.names.map((optimizer) => [optimizer, [] as Array<{ seconds: number; hash: string; accuracy: number }>]))
    for (const optimizer of Optimizer.names) yield* epoch(optimizer) // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const optimizer of Optimizer.names) runs.get(optimizer)!.push(yield* epoch(optimizer))
    }
    const sgd = median(runs.get("sgd")!.map((r) => r.seconds))
    report(`optimizers ${name} (${network.layout.sizes.join("-")}, batch 10, ${count} thread${count === 1 ? "" : "s"})`, [
      ...Optimizer.names.map((optimizer): [string, string] => {
        const done = runs.get(optimizer)!
        const seconds = median(done.map((r) => r.seconds))
        const same = new Set(done.map((r) => r.hash)).size === 1
        return [
          optimizer,
          `${seconds.toFixed(3)} s per epoch (${(seconds / sgd).toFixed(2)}× sgd's; η ${etaOf(optimizer, config.sgd)}); test accuracy ${(done[0]!.accuracy * 100).toFixed(2)}% after one epoch; ${same ? "the same parameters every round" : "PARAMETERS DIFFER BETWEEN ROUNDS"}`
        ]
      }),
      ["peak RSS", `${peakRssMb().toFixed(0)} MB`]
    ])
  }
})

onMnist(program)
