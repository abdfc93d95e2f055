// The workspace (internal/workspace.ts), seen through the modules that use it: a workspace
// reused from an earlier descent or one-off call fits the new work (its precision, its
// optimiser's state, its threads), and a pool of one thread is never handed work. (A kernels
// build that does not fit the workspace's plan: KernelsBuild.test.ts.)
import { Batches, Descent, Feedforward, Network, Optimizer, Params, Reference, Rng, Threads } from "@descent/core"
import * as NodeThreads from "@descent/core/NodeThreads"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { sparseImages } from "./fixtures.js"

const data = sparseImages(11, 40, 7)

/** One epoch in batches of 10 by `Descent.descend`, and the epoch (whose order the reference can follow). */
const descend = (network: Network.Network, params: Params.Params, options: { optimizer?: Optimizer.Optimizer; threads?: Threads.Threads } = {}) =>
  Effect.gen(function* () {
    const epoch = Batches.epoch(data, Rng.make(4), 10)
    const fast = yield* Descent.descend(epoch.batches, { network, params, eta: 0.5, ...options })
    return { fast, epoch }
  })

describe("Workspace: a workspace reused from earlier work fits the new work", () => {
  it.effect("a descent in f32 after one in f64 of the same layout computes in f32", () =>
    Effect.gen(function* () {
      const f64 = Network.make({ sizes: [49, 9, 10] })
      // The same layout object, in the other precision: the spare workspace (f64) must not do.
      const f32: Network.Network = { ...f64, precision: "f32" }
      const [start] = Params.init(f64.layout, Rng.make(3), "scaled")
      yield* descend(f64, start)
      const { fast, epoch } = yield* descend(f32, start)
      let slow = start
      for (const batch of Batches.inOrder(data, epoch.order, 10)) slow = Reference.updateMiniBatch(f32, slow, batch, 0.5)
      expect(Params.equals(fast, slow)).toBe(true)
    }))

  it.effect("a descent with momentum after one with plain SGD of the same layout keeps its velocity", () =>
    Effect.gen(function* () {
      const network = Network.make({ sizes: [49, 9, 10] })
      const [start] = Params.init(network.layout, Rng.make(3), "scaled")
      const momentum = Optimizer.make("momentum")
      yield* descend(network, start)
      const { fast } = yield* descend(network, start, { optimizer: momentum })
      // The same descent on a layout of its own, which has no spare workspace.
      const alone = yield* descend(Network.make({ sizes: [49, 9, 10] }), start, { optimizer: momentum })
      expect(Params.equals(fast, alone.fast)).toBe(true)
    }))

  it("feedforward in f32 after feedforward in f64 of the same layout computes in f32", () => {
    const f64 = Network.make({ sizes: [49, 9, 10] })
    const f32: Network.Network = { ...f64, precision: "f32" }
    const [params] = Params.init(f64.layout, Rng.make(3), "scaled")
    const input = Float64Array.from({ length: 49 }, (_, i) => (i % 5) / 4)
    const first = Feedforward.feedforward(f64, params, input).activations.at(-1)!
    const alone = Feedforward.feedforward(Network.make({ sizes: [49, 9, 10], precision: "f32" }), params, input).activations.at(-1)!
    // f32 rounds differently from f64, so the two answers differ (and the test can tell them).
    expect(Array.from(alone)).not.toEqual(Array.from(first))
    expect(Array.from(Feedforward.feedforward(f32, params, input).activations.at(-1)!)).toEqual(Array.from(alone))
    // And back: f64 again, not the f32 workspace.
    expect(Array.from(Feedforward.feedforward(f64, params, input).activations.at(-1)!)).toEqual(Array.from(first))
  })

  it.scoped("a descent with a pool after one without, of the same layout, sets the pool's helpers working", () =>
    Effect.gen(function* () {
      const network = Network.make({ sizes: [49, 9, 10] })
      const [start] = Params.init(network.layout, Rng.make(3), "scaled")
      const pool = yield* NodeThreads.scoped(2)
      let attached = 0
      const watched: Threads.Threads = { count: pool.count, attach: (work) => (attached++, pool.attach(work)), close: pool.close }
      const alone = yield* descend(network, start)
      const shared = yield* descend(network, start, { threads: watched })
      expect(attached).toBe(1)
      expect(Params.equals(shared.fast, alone.fast)).toBe(true)
    }), 60_000)

  it.effect("a pool of one thread is never handed work: the caller works alone", () =>
    Effect.gen(function* () {
      const network = Network.make({ sizes: [49, 9, 10] })
      const [start] = Params.init(network.layout, Rng.make(3), "scaled")
      let attached = 0
      const one: Threads.Threads = { count: 1, attach: () => void attached++, close: () => undefined }
      const alone = yield* descend(network, start)
      const pooled = yield* descend(Network.make({ sizes: [49, 9, 10] }), start, { threads: one })
      expect(attached).toBe(0)
      expect(Params.equals(pooled.fast, alone.fast)).toBe(true)
    }))
})
