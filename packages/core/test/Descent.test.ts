import { Batches, Descent, Evaluate, Gradient, Network, Optimizer, Params, Reference, Rng, Vector } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { quadrants, snapshot } from "./fixtures.js"

const network = Network.make({ sizes: [16, 8, 4] })
const train = quadrants(1, 300)
const test = quadrants(2, 200)

/** `epochs` epochs of SGD from `seed`, as a user of the library would write them. */
const run = (seed: number, epochs: number, start?: { params: Params.Params; rng: Rng.Rng }) =>
  Effect.gen(function* () {
    let [params, rng] = start ? [start.params, start.rng] : Params.init(network.layout, Rng.make(seed))
    for (let e = 0; e < epochs; e++) {
      const epoch = Batches.epoch(train, rng, 10)
      rng = epoch.rng
      params = yield* Descent.descend(epoch.batches, { network, params, eta: 3.0 })
    }
    return { params, rng }
  })

describe("Descent", () => {
  it.effect("lowers the cost and learns a small synthetic problem", () =>
    Effect.gen(function* () {
      const [initial] = Params.init(network.layout, Rng.make(1))
      const before = Evaluate.evaluate(network, initial, test)
      const { params } = yield* run(1, 15)
      const after = Evaluate.evaluate(network, params, test)
      expect(after.cost).toBeLessThan(before.cost / 4)
      expect(after.accuracy).toBeGreaterThan(0.95)
    }))

  it.effect("same seed → bit-identical parameters; another seed → different ones", () =>
    Effect.gen(function* () {
      const a = yield* run(1, 3)
      const b = yield* run(1, 3)
      const c = yield* run(2, 3)
      expect(Params.equals(a.params, b.params)).toBe(true)
      expect(Params.equals(a.params, c.params)).toBe(false)
    }))

  it.effect("stopping after an epoch and resuming from saved state is bit-identical", () =>
    Effect.gen(function* () {
      const straight = yield* run(4, 3)
      const first = yield* run(4, 1)
      // What a checkpoint keeps: the parameters' entries and the generator's state, via JSON.
      const saved = JSON.parse(JSON.stringify({ params: [...first.params.vector], rng: first.rng.state }))
      const resumed = yield* run(4, 2, {
        params: Params.fromArray(network.layout, saved.params),
        rng: Rng.fromState(saved.rng)
      })
      expect(Params.equals(resumed.params, straight.params)).toBe(true)
    }))

  it("step is params − η·∇C and leaves both inputs untouched", () => {
    const layout = Network.make({ sizes: [2, 1] }).layout
    const params = Params.fromArray(layout, [1, 2, 3])
    const gradient = Gradient.fromArray(layout, [0.5, -1, 0.25])
    const before = [snapshot(params.vector), snapshot(gradient.vector)]
    const next = Descent.step(params, gradient, 2)
    expect([...next.vector]).toEqual([0, 4, 2.5])
    expect([snapshot(params.vector), snapshot(gradient.vector)]).toEqual(before)
    expect(next.vector).not.toBe(params.vector)
  })

  it("with weight decay λ/n, step shrinks the weights by 1 − ηλ/n and leaves biases alone", () => {
    const layout = Network.make({ sizes: [2, 1] }).layout
    const params = Params.fromArray(layout, [1, 2, 3])
    const gradient = Gradient.fromArray(layout, [0.5, -1, 0.25])
    // η = 2, λ/n = 0.1: weights × 0.8, then − 2·g.
    expect([...Descent.step(params, gradient, 2, 0.1).vector]).toEqual([0.8 * 1 - 1, 0.8 * 2 + 2, 2.5])
  })

  it.effect("weight decay 0 is the chapter's plain step p − η∇C, bit for bit; a positive one shrinks the weights", () =>
    Effect.gen(function* () {
      const [params] = Params.init(network.layout, Rng.make(3))
      const epoch = Batches.epoch(train, Rng.make(3), 10)
      const decayed = yield* Descent.descend(epoch.batches, { network, params, eta: 1, weightDecay: 0 })
      // The same descent written out with no decay term at all: the reference gradient, and
      // p − η·g entry by entry.
      let plain = params
      for (const batch of Batches.inOrder(train, epoch.order, 10)) {
        const g = Reference.backprop(network, plain, batch).gradient.vector
        plain = Params.fromArray(network.layout, Array.from(plain.vector, (p, i) => p - 1 * g[i]!))
      }
      expect(Params.equals(decayed, plain)).toBe(true)
      const shrunk = yield* Descent.descend(epoch.batches, { network, params, eta: 1, weightDecay: 0.01 })
      expect(Vector.norm(Params.weights(shrunk, 0))).toBeLessThan(Vector.norm(Params.weights(decayed, 0)))
    }))

  it("step refuses a gradient of another layout", () => {
    const params = Params.fromArray(Network.make({ sizes: [2, 1] }).layout, [1, 2, 3])
    const gradient = Gradient.fromArray(Network.make({ sizes: [1, 1] }).layout, [1, 1])
    expect(() => Descent.step(params, gradient, 1)).toThrow(/cannot step/)
  })

  it.effect("steps emits every step, and its last parameters are what descend returns", () =>
    Effect.gen(function* () {
      const [params] = Params.init(network.layout, Rng.make(3))
      const epoch = Batches.epoch(train, Rng.make(3), 32)
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(Descent.steps(epoch.batches, { network, params, eta: 1 })))
      const folded = yield* Descent.descend(epoch.batches, { network, params, eta: 1 })
      expect(all.map((s) => s.index)).toEqual([...Array(10).keys()])
      expect(all.map((s) => s.examples)).toEqual([32, 32, 32, 32, 32, 32, 32, 32, 32, 12])
      expect(Params.equals(all[all.length - 1]!.params, folded)).toBe(true)
      // Each step's cost, gradient norm and parameters are those of one updateMiniBatch after
      // another (backprop's mean gradient, its norm).
      let at = params
      let i = 0
      for (const batch of Batches.inOrder(train, epoch.order, 32)) {
        const next = Descent.updateMiniBatch(network, at, batch, 1)
        expect([all[i]!.cost, all[i]!.gradientNorm]).toEqual([next.cost, Gradient.norm(next.gradient)])
        expect(Params.equals(all[i]!.params, next.params)).toBe(true)
        at = next.params
        i++
      }
      expect(i).toBe(10)
      expect(all.every((s) => s.gradientNorm > 0)).toBe(true)
    }))

  it.effect("descents one after another, or side by side, each take the steps of updateMiniBatch (a finished descent's buffers serve the next)", () =>
    Effect.gen(function* () {
      const fold = (params: Params.Params, rng: Rng.Rng, size: number) => {
        let at = params
        for (const batch of Batches.inOrder(train, Batches.epoch(train, rng, size).order, size)) {
          at = Descent.updateMiniBatch(network, at, batch, 1).params
        }
        return at
      }
      const [start] = Params.init(network.layout, Rng.make(5))
      // Batches of 10, then larger ones (a new workspace), then smaller ones (the larger spare).
      let params = start
      for (const [seed, size] of [[1, 10], [2, 10], [3, 40], [4, 7]] as const) {
        const expected = fold(params, Rng.make(seed), size)
        params = yield* Descent.descend(Batches.epoch(train, Rng.make(seed), size).batches, { network, params, eta: 1 })
        expect(Params.equals(params, expected)).toBe(true)
      }
      // Two descents of one layout interleaved, batch by batch: neither takes the other's.
      const slow = <A>(stream: Stream.Stream<A>) => Stream.rechunk(stream, 1).pipe(Stream.tap(() => Effect.yieldNow()))
      const [left, right] = yield* Effect.all([
        Descent.descend(slow(Batches.epoch(train, Rng.make(6), 10).batches), { network, params: start, eta: 1 }),
        Descent.descend(slow(Batches.epoch(train, Rng.make(7), 10).batches), { network, params, eta: 1 })
      ], { concurrency: 2 })
      expect(Params.equals(left, fold(start, Rng.make(6), 10))).toBe(true)
      expect(Params.equals(right, fold(params, Rng.make(7), 10))).toBe(true)
    }))

  it.effect("descend over an empty stream returns its starting parameters", () =>
    Effect.gen(function* () {
      const [params] = Params.init(network.layout, Rng.make(3))
      const result = yield* Descent.descend(Stream.empty, { network, params, eta: 1 })
      expect(result).toBe(params)
    }))

  it("refuses, when called and before any batch, a starting state that does not fit the optimiser", () => {
    const [params] = Params.init(network.layout, Rng.make(3))
    const state = Optimizer.initial(Optimizer.make("momentum"), network.layout)
    const options = { network, params, eta: 1, optimizer: Optimizer.make("adam"), state }
    const refusal = new RangeError("adam needs 2 vectors of state of 172 entries")
    expect(() => Descent.descend(Stream.empty, options)).toThrow(refusal)
    expect(() => Descent.descendWithState(Stream.empty, options)).toThrow(refusal)
  })

  it("memory counts each vector of optimiser state twice: in the workspace and the fresh copy handed back", () => {
    const { layout } = network
    const [sgd, momentum, adam] = (["sgd", "momentum", "adam"] as const).map((name) => Descent.memory(layout, 10, Optimizer.make(name))) as [number, number, number]
    expect(sgd).toBe(Descent.memory(layout, 10))
    // Each vector costs the same, at least its two copies of 8 bytes per parameter.
    expect(adam - momentum).toBe(momentum - sgd)
    expect(momentum - sgd).toBeGreaterThanOrEqual(2 * 8 * layout.size)
  })

  it.effect("with no L2, an optimiser's step never reads the parameters: a weight that overflowed stays infinite, as in Optimizer.update", () =>
    Effect.gen(function* () {
      // A layer-2 weight of +∞ saturates its output neuron (σ(∞) = 1, σ′ = 0), so its gradient is
      // 0 and Adam leaves it at +∞; adding 0·w for an L2 of 0 would make it NaN.
      const [start] = Params.init(network.layout, Rng.make(3))
      const at = network.layout.layers[1]!.weightsOffset
      const vector = Float64Array.from(start.vector)
      vector[at] = Infinity
      const params = Params.fromArray(network.layout, vector)
      const batches = Batches.epoch(train, Rng.make(4), 10).batches.pipe(Stream.take(1))
      const stepped = yield* Descent.descend(batches, { network, params, eta: 0.1, optimizer: Optimizer.make("adam") })
      expect(stepped.vector[at]).toBe(Infinity)
    }))
})
