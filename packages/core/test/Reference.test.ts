// The fast kernels (sparse inputs, reused buffers, in-place fold) against the plain reference
// implementation: not close — equal, bit for bit, so that speed never changes a result. In each
// precision: f64, and f32 (whose every operation rounds to single precision).
import { Activation, Backprop, Batches, Cost, Dataset, Descent, Evaluate, Network, Params, Precision, Reference, Rng } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { mixedImages, sparseImages } from "./fixtures.js"

const bits = (v: ArrayLike<number>) => Array.from(new Uint8Array(Float64Array.from(v).buffer))

// Layer sizes that are odd, below and above the SIMD loops' blocks of 8 and 16 neurons, so
// every padding lane and leftover loop is run.
const configs: Array<[Activation.ActivationName, Activation.ActivationName, Cost.CostName, Array<number>]> = [
  ["sigmoid", "sigmoid", "quadratic", [36, 9, 7, 10]],
  ["relu", "sigmoid", "cross-entropy", [36, 15, 21, 10]],
  ["sigmoid", "softmax", "cross-entropy", [36, 19, 10]],
  ["relu", "relu", "quadratic", [36, 16, 16, 10]]
]

for (const precision of Precision.all) describe(`fast kernels = reference, bit for bit, in ${precision}`, () => {
  const data = sparseImages(1, 97, 6)
  for (const [hidden, output, cost, sizes] of configs) {
    const network = Network.make({ sizes, hidden, output, cost, precision })
    const [params] = Params.init(network.layout, Rng.make(2), hidden === "relu" ? "scaled" : "normal")

    it(`backprop: ${hidden}/${output}/${cost}, batches of 1 to 11`, () => {
      for (const size of [1, 2, 3, 4, 5, 7, 8, 10, 11]) {
        const batch = Batches.fromIndices(data, Array.from({ length: size }, (_, i) => (i * 13) % data.count))
        const fast = Backprop.backprop(network, params, batch)
        const slow = Reference.backprop(network, params, batch)
        expect(bits(fast.gradient.vector)).toEqual(bits(slow.gradient.vector))
        expect(fast.cost).toBe(slow.cost)
      }
    })

    it.effect(`descend over two epochs, with and without weight decay: ${hidden}/${output}/${cost}`, () =>
      Effect.gen(function* () {
        for (const [batchSize, weightDecay] of [[10, 0], [7, 0.001], [1, 0]] as const) {
          let fast = params
          let slow = params
          let rng = Rng.make(5)
          for (let epoch = 0; epoch < 2; epoch++) {
            const shuffled = Batches.epoch(data, rng, batchSize)
            rng = shuffled.rng
            fast = yield* Descent.descend(shuffled.batches, { network, params: fast, eta: 0.5, weightDecay })
            for (const batch of Batches.inOrder(data, shuffled.order, batchSize)) {
              slow = Reference.updateMiniBatch(network, slow, batch, 0.5, weightDecay)
            }
          }
          expect(Params.equals(fast, slow)).toBe(true)
        }
      }))

    it(`evaluate's outputs: ${hidden}/${output}/${cost}`, () => {
      const fast = Evaluate.outputs(network, params, data)
      const slow = Reference.outputs(network, params, Batches.fromIndices(data, Array.from({ length: data.count }, (_, i) => i)))
      expect(bits(fast)).toEqual(bits(slow))
    })
  }

  it("backprop of a batch given as plain inputs (any numbers, not a dataset's bytes)", () => {
    const network = Network.make({ sizes: [21, 9, 10], precision })
    const [params] = Params.init(network.layout, Rng.make(6))
    const [draws] = Rng.uniforms(Rng.make(7), 2 * 21 * 11)
    for (const size of [1, 4, 6, 11]) {
      // Half the inputs 0, the rest anywhere in [−2, 2): sparse like an image, but not bytes.
      const inputs = Float64Array.from({ length: size * 21 }, (_, i) => (draws[2 * i]! < 0.5 ? 0 : 4 * draws[2 * i + 1]! - 2))
      const batch = { size, inputSize: 21, inputs, labels: Array.from({ length: size }, (_, e) => e % 10) }
      const fast = Backprop.backprop(network, params, batch)
      const slow = Reference.backprop(network, params, batch)
      expect(bits(fast.gradient.vector)).toEqual(bits(slow.gradient.vector))
    }
  })

  it("batches of a dataset's bytes and of plain inputs, one after another in one workspace", () => {
    // The two ways inputs are loaded share the workspace's buffers: each must leave them as the
    // other expects (a plain batch of 3 between image batches of 11 reuses only some rows).
    const network = Network.make({ sizes: [36, 9, 10], precision })
    const [params] = Params.init(network.layout, Rng.make(8))
    const [draws] = Rng.uniforms(Rng.make(9), 2 * 36 * 5)
    const plain = (size: number) => ({
      size,
      inputSize: 36,
      // Zeros, negative zeros (not nonzero inputs either) and values in [−2, 2).
      inputs: Float64Array.from({ length: size * 36 }, (_, i) => (draws[2 * i]! < 0.3 ? 0 : draws[2 * i]! < 0.5 ? -0 : 4 * draws[2 * i + 1]! - 2)),
      labels: Array.from({ length: size }, (_, e) => (e * 3) % 10)
    })
    const images = (size: number, from: number) => Batches.fromIndices(data, Array.from({ length: size }, (_, i) => (from + i * 7) % data.count))
    for (const batch of [images(11, 0), plain(3), images(11, 5), plain(5), plain(1), images(4, 9), images(11, 2)]) {
      const fast = Backprop.backprop(network, params, batch)
      const slow = Reference.backprop(network, params, batch)
      expect(bits(fast.gradient.vector)).toEqual(bits(slow.gradient.vector))
      expect(fast.cost).toBe(slow.cost)
    }
  })

  it.effect("images without background beside sparse ones (the forward pass's dense path): backprop, descent and evaluation", () =>
    Effect.gen(function* () {
      const images = mixedImages(3, 61, 9)
      const network = Network.make({ sizes: [81, 19, 10], cost: "cross-entropy", precision })
      const [params] = Params.init(network.layout, Rng.make(4), "scaled")
      for (const size of [1, 2, 3, 5, 8, 11]) {
        const batch = Batches.fromIndices(images, Array.from({ length: size }, (_, i) => (i * 7) % images.count))
        const fast = Backprop.backprop(network, params, batch)
        const slow = Reference.backprop(network, params, batch)
        expect(bits(fast.gradient.vector)).toEqual(bits(slow.gradient.vector))
        expect(fast.cost).toBe(slow.cost)
      }
      const shuffled = Batches.epoch(images, Rng.make(6), 6)
      const fast = yield* Descent.descend(shuffled.batches, { network, params, eta: 0.5 })
      let slow = params
      for (const batch of Batches.inOrder(images, shuffled.order, 6)) slow = Reference.updateMiniBatch(network, slow, batch, 0.5)
      expect(Params.equals(fast, slow)).toBe(true)
      const all = Batches.fromIndices(images, Array.from({ length: images.count }, (_, i) => i))
      expect(bits(Evaluate.outputs(network, params, images))).toEqual(bits(Reference.outputs(network, params, all)))
    }))

  it("a dataset whose pixels are a plain array of bytes, not a Uint8Array: the same results", () => {
    // Any array of bytes makes a dataset; the kernels copy such pixels in one by one.
    const bytes = Dataset.make({ rows: 6, cols: 6, pixels: Array.from(data.pixels), labels: data.labels })
    const network = Network.make({ sizes: [36, 9, 10], precision })
    const [params] = Params.init(network.layout, Rng.make(8))
    for (const size of [1, 5, 11]) {
      const indices = Array.from({ length: size }, (_, i) => (i * 7 + 3) % data.count)
      const fast = Backprop.backprop(network, params, Batches.fromIndices(bytes, indices))
      const slow = Reference.backprop(network, params, Batches.fromIndices(data, indices))
      expect(bits(fast.gradient.vector)).toEqual(bits(slow.gradient.vector))
      expect(fast.cost).toBe(slow.cost)
    }
    expect(bits(Evaluate.outputs(network, params, bytes))).toEqual(bits(Evaluate.outputs(network, params, data)))
  })

  it.effect("Descent.steps with weight decay: every weight shrinks, touched by the batch or not, as in the reference", () =>
    Effect.gen(function* () {
      // Measuring ‖∇C‖ first, layer 1 takes its step after the gradient, in a pass of its own.
      // Batches of 4 leave some pixels 0 in every image: their weights only shrink.
      const network = Network.make({ sizes: [36, 9, 10], precision })
      const [params] = Params.init(network.layout, Rng.make(3))
      const shuffled = Batches.epoch(data, Rng.make(4), 4)
      const steps = yield* Stream.runCollect(Descent.steps(shuffled.batches, { network, params, eta: 0.5, weightDecay: 0.01 }))
      let slow = params
      for (const [step, batch] of Array.from(Batches.inOrder(data, shuffled.order, 4)).entries()) {
        slow = Reference.updateMiniBatch(network, slow, batch, 0.5, 0.01)
        expect(Params.equals(Chunk.unsafeGet(steps, step).params, slow)).toBe(true)
      }
      expect(Chunk.size(steps)).toBe(25)
    }))

  it("a layer of a single neuron, with no second row to pair it with", () => {
    const network = Network.make({ sizes: [36, 1, 10], precision })
    const [params] = Params.init(network.layout, Rng.make(5))
    for (const size of [1, 4, 5, 9]) {
      const batch = Batches.fromIndices(data, Array.from({ length: size }, (_, i) => (i * 11) % data.count))
      const fast = Backprop.backprop(network, params, batch)
      const slow = Reference.backprop(network, params, batch)
      expect(bits(fast.gradient.vector)).toEqual(bits(slow.gradient.vector))
      expect(fast.cost).toBe(slow.cost)
    }
  })

  it.effect("descend over batches that grow: the steps carry over to larger buffers", () =>
    Effect.gen(function* () {
      const network = Network.make({ sizes: [36, 9, 10], precision })
      const [params] = Params.init(network.layout, Rng.make(4))
      const batches = [3, 1, 10, 12].map((size, b) =>
        Batches.fromIndices(data, Array.from({ length: size }, (_, i) => (b * 17 + i * 5) % data.count))
      )
      const fast = yield* Descent.descend(Stream.fromIterable(batches), { network, params, eta: 0.5 })
      const slow = batches.reduce((p, batch) => Reference.updateMiniBatch(network, p, batch, 0.5), params)
      expect(Params.equals(fast, slow)).toBe(true)
    }))

  it.effect("descendWatching hears every step and ends where descend ends", () =>
    Effect.gen(function* () {
      const network = Network.make({ sizes: [36, 9, 10], precision })
      const [params] = Params.init(network.layout, Rng.make(3))
      const shuffled = Batches.epoch(data, Rng.make(3), 10)
      const heard: Array<number> = []
      const watched = yield* Descent.descendWatching(shuffled.batches, { network, params, eta: 1 }, (step) =>
        Effect.sync(() => heard.push(step.examples))
      )
      const plain = yield* Descent.descend(shuffled.batches, { network, params, eta: 1 })
      expect(heard).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 7])
      expect(Params.equals(watched, plain)).toBe(true)
      const failed = yield* Effect.flip(
        Descent.descendWatching(shuffled.batches, { network, params, eta: 1 }, (step) =>
          step.index === 2 ? Effect.fail("stop") : Effect.void
        )
      )
      expect(failed).toBe("stop")
      expect(yield* Descent.descend(Stream.take(shuffled.batches, 0), { network, params, eta: 1 })).toBe(params)
    }))
})

/** Two backprops of the same batches of 1 and of 5 from `data` give the same gradient and cost, bit for bit. */
const sameBackprop = (
  data: Dataset.Dataset,
  one: (batch: Batches.Batch) => ReturnType<typeof Reference.backprop>,
  other: (batch: Batches.Batch) => ReturnType<typeof Reference.backprop>
) => {
  for (const size of [1, 5]) {
    const batch = Batches.fromIndices(data, Array.from({ length: size }, (_, i) => (i * 7) % data.count))
    const [left, right] = [one(batch), other(batch)]
    expect(bits(left.gradient.vector)).toEqual(bits(right.gradient.vector))
    expect(left.cost).toBe(right.cost)
  }
}

/** An activation without the shortcut derivativeFromOutput: f′ only from z. */
const fromZ = ({ apply, derivative, name }: Activation.Activation): Activation.Activation => ({ name, apply, derivative })

describe("the reference with activations that give f′ only from z", () => {
  // derivativeFromOutput is a shortcut: without it, f′(z) is taken at the layer's weighted
  // inputs, and in f64 gives the same numbers, so the same gradient bit for bit.
  const data = sparseImages(2, 40, 6)
  for (const hidden of ["sigmoid", "relu"] as const) {
    it(`${hidden} hidden layers, sigmoid output, quadratic cost`, () => {
      const network = Network.make({ sizes: [36, 9, 7, 10], hidden })
      const byZ: Network.Network = { ...network, hidden: fromZ(network.hidden), output: fromZ(network.output) }
      const [params] = Params.init(network.layout, Rng.make(3), hidden === "relu" ? "scaled" : "normal")
      sameBackprop(data, (batch) => Reference.backprop(byZ, params, batch), (batch) => Reference.backprop(network, params, batch))
    })
  }
})

describe("fast kernels = reference, bit for bit, with activations of the caller's own", () => {
  // Not the library's own objects, so the kernels take their JavaScript paths: f′ from the
  // output where the activation gives it, as the reference does (in f32 not f′(z) to the bit:
  // the output is rounded), else f′(z).
  const copy = (activation: Activation.Activation): Activation.Activation => ({ ...activation })
  const data = sparseImages(2, 40, 6)
  for (const precision of Precision.all) {
    for (const [kind, own] of [["copies of", copy], ["f′ only from z,", fromZ]] as const) {
      for (const hidden of ["sigmoid", "relu"] as const) {
        it(`${kind} ${hidden} hidden layers and a sigmoid output, in ${precision}`, () => {
          const network = Network.make({ sizes: [36, 9, 7, 10], hidden, precision })
          const mine: Network.Network = { ...network, hidden: own(network.hidden), output: own(network.output) }
          const [params] = Params.init(network.layout, Rng.make(3), hidden === "relu" ? "scaled" : "normal")
          sameBackprop(data, (batch) => Backprop.backprop(mine, params, batch), (batch) => Reference.backprop(mine, params, batch))
        })
      }
    }
  }
})
