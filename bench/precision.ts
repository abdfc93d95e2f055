/**
 * f64 against f32 (`Network.make({ precision })`, `descent train --precision`): epochs of each
 * alternated on MNIST's 60,000 training images, so that a machine that slows down slows both
 * alike, each on the thread count `descent train` picks by default (`Threads.auto`). Prints per
 * configuration the median seconds per epoch of each precision, the ratio, the test accuracy
 * each reached, and whether each precision's parameters came out the same every round (they
 * must: a run is the same every time).
 *
 * Configurations: `default` (784-16-16-10, sigmoid, quadratic, batch 10, η 3.0), `784-30-10`
 * and `784-100-10` (cross-entropy, scaled init, batch 10, η 0.5), and `noisy` (the default on
 * MNIST with 1 to 64 added to every pixel, as `pnpm bench threads noisy`). BENCH_ROUNDS sets
 * the alternations (default 4); BENCH_THREADS a thread count instead of `Threads.auto`'s.
 */
import { Batches, Descent, Evaluate, Network, Params, Precision, Rng, Threads } from "@descent/core"
import * as NodeThreads from "@descent/core/NodeThreads"
import { Mnist } from "@descent/data"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { performance } from "node:perf_hooks"
import { median, peakRssMb, report } from "./measure.js"
import { noisy } from "./noisy.js"
import { onMnist } from "./onMnist.js"

const chapter = (precision: Precision.Precision) => ({
  network: Network.make({ sizes: [784, 16, 16, 10], precision }),
  init: "normal" as const,
  eta: 3.0
})
const wide = (hidden: number) => (precision: Precision.Precision) => ({
  network: Network.make({ sizes: [784, hidden, 10], cost: "cross-entropy", precision }),
  init: "scaled" as const,
  eta: 0.5
})
const configs = { default: chapter, "784-30-10": wide(30), "784-100-10": wide(100), noisy: chapter }

const names = process.argv[2] === undefined ? (Object.keys(configs) as Array<keyof typeof configs>) : [process.argv[2] as keyof typeof configs]
const rounds = Number(process.env.BENCH_ROUNDS ?? 4)

const program = Effect.gen(function* () {
  const loaded = yield* Mnist.Mnist
  for (const name of names) {
    const config = configs[name]
    if (config === undefined) throw new Error(`no configuration ${name}: give one of ${Object.keys(configs).join(", ")}`)
    const count = Number(process.env.BENCH_THREADS ?? Threads.auto(config("f64").network.layout.sizes[1]!, NodeThreads.cores()))
    const [train, test] = name === "noisy" ? [noisy(loaded.train), noisy(loaded.test)] : [loaded.train, loaded.test]
    const threads = yield* NodeThreads.scoped(count)
    const epoch = (precision: Precision.Precision) =>
      Effect.gen(function* () {
        const { eta, init, network } = config(precision)
        const [initial, rng] = Params.init(network.layout, Rng.make(1), init)
        const { batches } = Batches.epoch(train, rng, 10)
        const start = performance.now()
        const params = yield* Descent.descend(batches, { network, params: initial, eta, threads })
        const seconds = (performance.now() - start) / 1000
        const hash = createHash("sha256").update(new Uint8Array(Float64Array.from(params.vector).buffer)).digest("hex")
        return { seconds, hash, accuracy: Evaluate.evaluate(network, params, test).accuracy }
      })
    yield* epoch("f64") // warm-up
    yield* epoch("f32")
    const runs = { f64: [] as Array<{ seconds: number; hash: string; accuracy: number }>, f32: [] as Array<{ seconds: number; hash: string; accuracy: number }> }
    for (let round = 0; round < rounds; round++) {
      runs.f64.push(yield* epoch("f64"))
      runs.f32.push(yield* epoch("f32"))
    }
    const line = (precision: Precision.Precision) => {
      const seconds = runs[precision].map((r) => r.seconds)
      const same = new Set(runs[precision].map((r) => r.hash)).size === 1
      return `${median(seconds).toFixed(3)} s per epoch (${seconds.map((s) => s.toFixed(3)).join(", ")}); test accuracy ${(runs[precision][0]!.accuracy * 100).toFixed(2)}% after one epoch; ${same ? "the same parameters every round" : "PARAMETERS DIFFER BETWEEN ROUNDS"}`
    }
    report(`precision ${name} (${config("f64").network.layout.sizes.join("-")}, batch 10, ${count} thread${count === 1 ? "" : "s"})`, [
      ["f64", line("f64")],
      ["f32", line("f32")],
      ["ratio", `${(median(runs.f32.map((r) => r.seconds)) / median(runs.f64.map((r) => r.seconds))).toFixed(2)}× the time of f64`],
      ["peak RSS", `${peakRssMb().toFixed(0)} MB`]
    ])
  }
})

onMnist(program)
