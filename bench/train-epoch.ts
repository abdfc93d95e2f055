/**
 * One epoch of stochastic gradient descent on 60,000 examples of the chapter's 784-16-16-10
 * network (sigmoid, quadratic cost, batch 10, η 3.0), run through the public pipeline:
 * `Batches.epoch` → `Descent.descend`. Prints examples per second, seconds per epoch and the
 * process's peak RSS.
 *
 * Until `@descent/data` reads MNIST, the examples are seeded random bytes of MNIST's shape;
 * the arithmetic per example is the same.
 */
import { Batches, Dataset, Descent, Network, Params, Rng } from "@descent/core"
import { Effect } from "effect"
import { performance } from "node:perf_hooks"

const count = 60_000
const epochs = Number(process.env.BENCH_EPOCHS ?? 3)

const syntheticMnist = (seed: number): Dataset.Dataset => {
  const pixels = new Uint8Array(count * 784)
  const labels = new Uint8Array(count)
  let rng = Rng.make(seed)
  for (let i = 0; i < count; i++) {
    const [noise, next] = Rng.uniforms(rng, 785)
    rng = next
    for (let k = 0; k < 784; k++) pixels[i * 784 + k] = Math.floor(noise[k]! * 256)
    labels[i] = Math.floor(noise[784]! * 10)
  }
  return Dataset.make({ rows: 28, cols: 28, pixels, labels })
}

const network = Network.chapter
const dataset = syntheticMnist(7)
let [params, rng] = Params.init(network.layout, Rng.make(1))
const seconds: Array<number> = []
for (let e = 0; e < epochs; e++) {
  const epoch = Batches.epoch(dataset, rng, 10)
  rng = epoch.rng
  const start = performance.now()
  params = Effect.runSync(Descent.descend(epoch.batches, { network, params, eta: 3.0 }))
  seconds.push((performance.now() - start) / 1000)
}
const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)]!
const peakMb = process.resourceUsage().maxRSS / 1024

console.log(`train-epoch  784-16-16-10 sigmoid quadratic, batch 10, eta 3.0, ${count} synthetic examples`)
console.log(`  epochs:          ${seconds.map((s) => s.toFixed(3)).join(" ")} s`)
console.log(`  seconds/epoch:   ${median.toFixed(3)} (median of ${epochs})`)
console.log(`  examples/second: ${Math.round(count / median)}`)
console.log(`  peak RSS:        ${peakMb.toFixed(0)} MB`)
