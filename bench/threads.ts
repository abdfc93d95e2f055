/**
 * Layer 1 on one thread and on several (`Descent.Options.threads`, `NodeThreads`), alternated
 * epoch by epoch on MNIST's 60,000 training images, so that a machine that slows down slows
 * both alike. Prints per configuration the median seconds per epoch of each thread count, the
 * ratio, and whether the parameters came out identical (they must: a thread count never changes
 * a bit).
 *
 * Configurations: `default` (784-16-16-10, sigmoid, quadratic, batch 10, η 3.0), `784-30-10`,
 * `784-100-10` (cross-entropy, scaled init, batch 10, η 0.5), `784-100-10-batch100`,
 * `784-100-10-f32` (in single precision), and `noisy` (the default on MNIST with 1 to 64 added
 * to every pixel). BENCH_ROUNDS sets the alternations (default 4); BENCH_THREADS the thread
 * count beside 1 (default: the machine's cores).
 */
import { Batches, Descent, Network, Params, Rng, type Threads } from "@descent/core"
import * as NodeThreads from "@descent/core/NodeThreads"
import { Mnist } from "@descent/data"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { performance } from "node:perf_hooks"
import { median, peakRssMb, report } from "./measure.js"
import { noisy } from "./noisy.js"
import { onMnist } from "./onMnist.js"

const chapter = { network: Network.chapter, init: "normal" as const, batchSize: 10, eta: 3.0 }
const wide = (hidden: number, batchSize: number, precision: "f64" | "f32" = "f64") => ({
  network: Network.make({ sizes: [784, hidden, 10], cost: "cross-entropy", precision }),
  init: "scaled" as const,
  batchSize,
  eta: 0.5
})
const configs = {
  default: chapter,
  "784-30-10": wide(30, 10),
  "784-100-10": wide(100, 10),
  "784-100-10-batch100": wide(100, 100),
  "784-100-10-f32": wide(100, 10, "f32"),
  noisy: { ...chapter, noise: true }
}
const names = process.argv[2] === undefined ? (Object.keys(configs) as Array<keyof typeof configs>) : [process.argv[2] as keyof typeof configs]
const rounds = Number(process.env.BENCH_ROUNDS ?? 4)
const many = Number(process.env.BENCH_THREADS ?? NodeThreads.cores())

const sha = (params: Params.Params) => createHash("sha256").update(new Uint8Array(Float64Array.from(params.vector).buffer)).digest("hex")

const program = Effect.gen(function* () {
  const loaded = yield* Mnist.Mnist
  const pool = yield* NodeThreads.scoped(many)
  for (const name of names) {
    const config = configs[name]
    if (config === undefined) throw new Error(`no configuration ${name}: give one of ${Object.keys(configs).join(", ")}`)
    const train = "noise" in config ? noisy(loaded.train) : loaded.train
    const { batchSize, eta, network } = config
    const [initial, rng] = Params.init(network.layout, Rng.make(1), config.init)
    const epoch = (threads: Threads.Threads | undefined) =>
      Effect.gen(function* () {
        const { batches } = Batches.epoch(train, rng, batchSize)
        const start = performance.now()
        const params = yield* Descent.descend(batches, { network, params: initial, eta, threads })
        return { seconds: (performance.now() - start) / 1000, hash: sha(params) }
      })
    yield* epoch(undefined) // warm-up
    const alone: Array<number> = []
    const shared: Array<number> = []
    const hashes = new Set<string>()
    for (let round = 0; round < rounds; round++) {
      const a = yield* epoch(undefined)
      const b = yield* epoch(pool)
      alone.push(a.seconds)
      shared.push(b.seconds)
      hashes.add(a.hash).add(b.hash)
    }
    report(`threads ${name} (${network.layout.sizes.join("-")}, batch ${batchSize}${"noise" in config ? ", noisy pixels" : ""})`, [
      ["1 thread", `${median(alone).toFixed(3)} s per epoch (${alone.map((s) => s.toFixed(3)).join(", ")})`],
      [`${many} threads`, `${median(shared).toFixed(3)} s per epoch (${shared.map((s) => s.toFixed(3)).join(", ")})`],
      ["ratio", `${(median(shared) / median(alone)).toFixed(2)}× the time of 1 thread`],
      ["parameters", hashes.size === 1 ? `identical (${[...hashes][0]!.slice(0, 16)}…)` : `DIFFER: ${[...hashes].join(", ")}`],
      ["peak RSS", `${peakRssMb().toFixed(0)} MB`]
    ])
  }
})

onMnist(program)
