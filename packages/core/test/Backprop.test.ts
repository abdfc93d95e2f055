// Backpropagation checked against an independent reference: centred finite differences of the
// mean cost, one parameter at a time, on small random networks.
import { Activation, Backprop, Batches, Cost, Network, Params, Rng, Vector } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"
import { quadrants, randomBatch, snapshot } from "./fixtures.js"

const numericalGradient = (network: Network.Network, params: Params.Params, batch: ReturnType<typeof randomBatch>) => {
  const h = 1e-5
  const base = Float64Array.from(params.vector)
  const out = new Float64Array(base.length)
  for (let i = 0; i < base.length; i++) {
    const plus = Float64Array.from(base)
    const minus = Float64Array.from(base)
    plus[i]! += h
    minus[i]! -= h
    const costPlus = Backprop.backprop(network, Params.fromArray(params.layout, plus), batch).cost
    const costMinus = Backprop.backprop(network, Params.fromArray(params.layout, minus), batch).cost
    out[i] = (costPlus - costMinus) / (2 * h)
  }
  return out
}

// ReLU output neurons whose weighted input is negative for every example are dead: their
// gradient is zero and a finite-difference check learns nothing from them. Raise their biases
// so that they start alive.
const liftOutputBiases = (params: Params.Params): Params.Params => {
  const vector = Float64Array.from(params.vector)
  const last = params.layout.layers[params.layout.layers.length - 1]!
  for (let j = 0; j < last.outputs; j++) vector[last.biasesOffset + j]! += 2
  return Params.fromArray(params.layout, vector)
}

const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let diff = 0, sa = 0, sb = 0
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2
    sa += a[i]! ** 2
    sb += b[i]! ** 2
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(sa), Math.sqrt(sb))
}

// Cross-entropy's output error is derived for outputs strictly inside (0, 1): a ReLU output
// layer with cross-entropy is not a network anyone should train, so it is not checked.
const cases: Array<[Activation.ActivationName, Activation.ActivationName, Cost.CostName]> = [
  ["sigmoid", "sigmoid", "quadratic"],
  ["sigmoid", "sigmoid", "cross-entropy"],
  ["relu", "sigmoid", "quadratic"],
  ["relu", "sigmoid", "cross-entropy"],
  ["sigmoid", "relu", "quadratic"],
  ["relu", "relu", "quadratic"],
  ["sigmoid", "softmax", "cross-entropy"],
  ["relu", "softmax", "cross-entropy"]
]

describe("Backprop", () => {
  for (const [hidden, output, cost] of cases) {
    for (const seed of [1, 2, 3]) {
      it(`matches finite differences: hidden ${hidden}, output ${output}, ${cost} cost, seed ${seed}`, () => {
        const network = Network.make({ sizes: [7, 5, 4, 3], hidden, output, cost })
        const [drawn] = Params.init(network.layout, Rng.make(seed), hidden === "relu" ? "scaled" : "normal")
        const params = output === "relu" ? liftOutputBiases(drawn) : drawn
        const batch = randomBatch(100 + seed, 7, 6, 3)
        const { gradient } = Backprop.backprop(network, params, batch)
        // A check of an all-zero gradient would prove nothing.
        expect(Vector.norm(gradient.vector)).toBeGreaterThan(1e-3)
        const numerical = numericalGradient(network, params, batch)
        expect(distance(gradient.vector, numerical)).toBeLessThanOrEqual(1e-6)
        for (let i = 0; i < numerical.length; i++) {
          expect(Math.abs(gradient.vector[i]! - numerical[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(numerical[i]!)))
        }
      })
    }
  }

  it("agrees for a batch whose size is not a multiple of four (the unblocked tail)", () => {
    const network = Network.make({ sizes: [9, 6, 4] })
    const [params] = Params.init(network.layout, Rng.make(5))
    const batch = randomBatch(55, 9, 7, 4)
    const { gradient } = Backprop.backprop(network, params, batch)
    expect(distance(gradient.vector, numericalGradient(network, params, batch))).toBeLessThanOrEqual(1e-6)
  })

  it("returns the mean cost: ½‖a − y‖² averaged over the batch", () => {
    // One input, one output, weight 0 and bias 0: a = σ(0) = ½ for every example.
    const network = Network.make({ sizes: [1, 2] })
    const params = Params.fromArray(network.layout, [0, 0, 0, 0])
    const batch = { size: 2, inputSize: 1, inputs: Float64Array.from([0.3, 0.9]), labels: Uint8Array.from([0, 1]) }
    // Each example: ½((½ − 1)² + (½ − 0)²) = ¼.
    expect(Backprop.backprop(network, params, batch).cost).toBeCloseTo(0.25, 15)
  })

  it("leaves its parameters and batch untouched", () => {
    const network = Network.make({ sizes: [7, 5, 3] })
    const [params] = Params.init(network.layout, Rng.make(9))
    const batch = randomBatch(10, 7, 5, 3)
    const before = [snapshot(params.vector), snapshot(batch.inputs), snapshot(batch.labels)]
    Backprop.backprop(network, params, batch)
    expect([snapshot(params.vector), snapshot(batch.inputs), snapshot(batch.labels)]).toEqual(before)
  })

  it("refuses parameters of another layout and batches of another input size", () => {
    const network = Network.make({ sizes: [7, 5, 3] })
    const [other] = Params.init(Network.make({ sizes: [7, 4, 3] }).layout, Rng.make(1))
    expect(() => Backprop.backprop(network, other, randomBatch(1, 7, 2, 3))).toThrow(/do not fit/)
    const [params] = Params.init(network.layout, Rng.make(1))
    expect(() => Backprop.backprop(network, params, randomBatch(1, 6, 2, 3))).toThrow(/takes 7 inputs/)
  })

  it("refuses a batch with fewer inputs or labels than its size needs", () => {
    const network = Network.make({ sizes: [7, 5, 3] })
    const [params] = Params.init(network.layout, Rng.make(1))
    const message = "a batch of 2 examples needs 14 inputs and 2 labels"
    const shortInputs = { size: 2, inputSize: 7, inputs: new Float64Array(13), labels: Uint8Array.from([0, 1]) }
    expect(() => Backprop.backprop(network, params, shortInputs)).toThrow(message)
    const shortLabels = { size: 2, inputSize: 7, inputs: new Float64Array(14), labels: Uint8Array.from([0]) }
    expect(() => Backprop.backprop(network, params, shortLabels)).toThrow(message)
  })

  it("takes a dataset batch's pixels from the dataset, never reading its dense inputs", () => {
    const network = Network.make({ sizes: [16, 5, 4] })
    const [params] = Params.init(network.layout, Rng.make(2))
    const made = Batches.fromIndices(quadrants(3, 8), [5, 0, 7])
    const batch: Batches.Batch = {
      size: made.size,
      inputSize: made.inputSize,
      labels: made.labels,
      examples: made.examples!,
      get inputs(): never {
        throw new Error("the dense inputs were read")
      }
    }
    expect(Backprop.backprop(network, params, batch)).toEqual(Backprop.backprop(network, params, made))
  })
})
