// Layer 1 shared out between threads (Threads, NodeThreads): the parameters after a descent are
// the reference's, bit for bit, for every thread count — including more threads than layer 1
// has pairs of neurons (some panels empty), odd layers (a padding lane in the last panel),
// batches that are not a multiple of four, a short last batch, growing batches, weight decay,
// and batches of plain inputs between batches of images.
import { Batches, Descent, Network, Params, Reference, Rng, Threads } from "@descent/core"
import * as NodeThreads from "@descent/core/NodeThreads"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { mixedImages, sparseImages } from "./fixtures.js"

const data = sparseImages(11, 83, 7)

// First layers of 9 (5 pairs: 7 threads leave panels empty), 16, 19 and 100 neurons (blocks of
// 16 and 8 in a panel, and leftovers).
// In f32 (four neurons to a vector), 9 and 19 neurons leave 3 and 1 padding lanes.
const networks = [
  Network.make({ sizes: [49, 9, 10] }),
  Network.make({ sizes: [49, 16, 16, 10] }),
  Network.make({ sizes: [49, 19, 10], hidden: "relu", output: "softmax", cost: "cross-entropy" }),
  Network.make({ sizes: [49, 100, 10], cost: "cross-entropy" }),
  Network.make({ sizes: [49, 9, 10], precision: "f32" }),
  Network.make({ sizes: [49, 19, 10], hidden: "relu", output: "softmax", cost: "cross-entropy", precision: "f32" }),
  Network.make({ sizes: [49, 100, 10], cost: "cross-entropy", precision: "f32" })
]

const descendBoth = (network: Network.Network, threads: Threads.Threads, batchSize: number, weightDecay: number) =>
  Effect.gen(function* () {
    const [start] = Params.init(network.layout, Rng.make(3), "scaled")
    let threaded = start
    let slow = start
    let rng = Rng.make(4)
    for (let epoch = 0; epoch < 2; epoch++) {
      const shuffled = Batches.epoch(data, rng, batchSize)
      rng = shuffled.rng
      threaded = yield* Descent.descend(shuffled.batches, { network, params: threaded, eta: 0.5, weightDecay, threads })
      for (const batch of Batches.inOrder(data, shuffled.order, batchSize)) {
        slow = Reference.updateMiniBatch(network, slow, batch, 0.5, weightDecay)
      }
    }
    return { threaded, slow }
  })

describe("Threads: layer 1 on several threads = the reference, bit for bit", () => {
  for (const count of [1, 2, 3, 7]) {
    it.scoped(`${count} thread${count === 1 ? "" : "s"}: two epochs of each network, batches of 10, 7 (with weight decay) and 1`, () =>
      Effect.gen(function* () {
        const threads = yield* NodeThreads.scoped(count)
        expect(threads.count).toBe(count)
        for (const network of networks) {
          for (const [batchSize, weightDecay] of [[10, 0], [7, 0.002], [1, 0]] as const) {
            const { threaded, slow } = yield* descendBoth(network, threads, batchSize, weightDecay)
            expect(Params.equals(threaded, slow)).toBe(true)
          }
        }
      }), 120_000)
  }

  it.scoped("2 threads: a network, another, and the first again (its finished descent's buffers, which the helpers left, are not taken up again)", () =>
    Effect.gen(function* () {
      const threads = yield* NodeThreads.scoped(2)
      for (const network of [networks[1]!, networks[3]!, networks[1]!]) {
        const { threaded, slow } = yield* descendBoth(network, threads, 10, 0)
        expect(Params.equals(threaded, slow)).toBe(true)
      }
    }), 120_000)

  it.scoped("2 and 3 threads: images without background beside sparse ones (the dense path), in both precisions", () =>
    Effect.gen(function* () {
      const images = mixedImages(8, 77, 12)
      for (const count of [2, 3]) {
        const threads = yield* NodeThreads.scoped(count)
        for (const precision of ["f64", "f32"] as const) {
          const network = Network.make({ sizes: [144, 30, 10], cost: "cross-entropy", precision })
          const [start] = Params.init(network.layout, Rng.make(3), "scaled")
          const shuffled = Batches.epoch(images, Rng.make(4), 10)
          const threaded = yield* Descent.descend(shuffled.batches, { network, params: start, eta: 0.5, threads })
          let slow = start
          for (const batch of Batches.inOrder(images, shuffled.order, 10)) slow = Reference.updateMiniBatch(network, slow, batch, 0.5)
          expect(Params.equals(threaded, slow)).toBe(true)
        }
      }
    }), 120_000)

  it.scoped("3 threads: growing batches, and plain inputs between images, in one descent; steps' norms too", () =>
    Effect.gen(function* () {
      const threads = yield* NodeThreads.scoped(3)
      const network = networks[3]!
      const [params] = Params.init(network.layout, Rng.make(5), "scaled")
      const [draws] = Rng.uniforms(Rng.make(6), 2 * 49 * 12)
      const plain = (size: number): Batches.Batch => ({
        size,
        inputSize: 49,
        inputs: Float64Array.from({ length: size * 49 }, (_, i) => (draws[2 * i]! < 0.5 ? 0 : 4 * draws[2 * i + 1]! - 2)),
        labels: Array.from({ length: size }, (_, e) => (e * 3) % 10)
      })
      const images = (size: number, from: number) =>
        Batches.fromIndices(data, Array.from({ length: size }, (_, i) => (from + i * 7) % data.count))
      const batches = [images(3, 0), plain(2), images(11, 5), plain(12), images(4, 9), images(1, 2), images(12, 1)]
      const alone = yield* Stream.runCollect(Descent.steps(Stream.fromIterable(batches), { network, params, eta: 0.3 }))
      const shared = yield* Stream.runCollect(Descent.steps(Stream.fromIterable(batches), { network, params, eta: 0.3, threads }))
      const slow = batches.reduce((p, batch) => Reference.updateMiniBatch(network, p, batch, 0.3), params)
      const last = [...shared].at(-1)!
      expect(Params.equals(last.params, slow)).toBe(true)
      expect([...shared].map((step) => [step.cost, step.gradientNorm])).toEqual([...alone].map((step) => [step.cost, step.gradientNorm]))
    }), 120_000)

  it("refuses a thread count that is not a whole number from 1 to 64", () => {
    const spawn = (): Threads.Helper => ({ post: () => undefined, terminate: () => undefined })
    for (const count of [0, -1, 1.5, 65, Number.NaN]) expect(() => Threads.make(count, spawn)).toThrow(/whole number from 1 to 64/)
    expect(Threads.make(64, spawn).count).toBe(64)
  })

  it.scoped("closing the scope stops the helpers", () =>
    Effect.gen(function* () {
      // The process's report lists its running worker threads.
      const running = () => (process.report.getReport() as { readonly workers: ReadonlyArray<unknown> }).workers.length
      const before = running()
      yield* Effect.scoped(Effect.gen(function* () {
        const threads = yield* NodeThreads.scoped(3)
        yield* descendBoth(networks[0]!, threads, 10, 0)
        expect(running()).toBe(before + 2)
      }))
      expect(running()).toBe(before)
    }), 60_000)
})

describe("Threads.make: a pool's helpers, as started by spawn", () => {
  // Helpers that only record what they are told.
  const recording = () => {
    const log: Array<string> = []
    const spawn = (thread: number): Threads.Helper => {
      log.push(`spawn ${thread}`)
      return { post: (message) => void log.push(`post ${thread}: job ${message.job}, thread ${message.thread}`), terminate: () => void log.push(`terminate ${thread}`) }
    }
    const work = (job: number): Threads.Work => ({ module: {}, memory: {}, job, quit: () => void log.push(`quit ${job}`) })
    return { log, spawn, work }
  }

  it("starts helpers 1 to count − 1, hands each new work its thread number after quitting the last, and on close quits and stops them", () => {
    const { log, spawn, work } = recording()
    const pool = Threads.make(3, spawn)
    pool.attach(work(100))
    pool.attach(work(200))
    pool.close()
    expect(log).toEqual([
      "spawn 1", "spawn 2",
      "post 1: job 100, thread 1", "post 2: job 100, thread 2",
      "quit 100", "post 1: job 200, thread 1", "post 2: job 200, thread 2",
      "quit 200", "terminate 1", "terminate 2"
    ])
  })

  it("a pool of 1 starts no helpers", () => {
    const { log, spawn, work } = recording()
    const pool = Threads.make(1, spawn)
    pool.attach(work(100))
    pool.close()
    expect(log).toEqual(["quit 100"])
  })
})

describe("Threads.auto: one thread per 12 neurons of layer 1, at least 1, at most the cores and 64", () => {
  it("gives the thread count for a first layer's neurons and the cores", () => {
    expect(Threads.auto(0, 8)).toBe(1)
    expect(Threads.auto(11, 8)).toBe(1)
    expect(Threads.auto(30, 8)).toBe(2)
    expect(Threads.auto(100, 2)).toBe(2)
    expect(Threads.auto(100, 4.5)).toBe(4)
    expect(Threads.auto(10_000, 128)).toBe(64)
  })
})
