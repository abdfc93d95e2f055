// The output error δ = ∂C/∂z of each cost, checked against its formula at chosen points.
import { Activation, Cost } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"

describe("Cost", () => {
  it("quadratic: δ = (a − y)·σ′ with σ′ = a(1 − a) taken from the output a, as stored", () => {
    // In f32 the kernels store a rounded to single precision: δ must use that a, not σ(z).
    for (const z of [-2, 0.3, 0.7, 1.1]) {
      const a = Math.fround(Activation.sigmoid.apply(z))
      for (const y of [0, 1]) expect(Cost.quadratic.delta(Activation.sigmoid, z, a, y)).toBe((a - y) * (a * (1 - a)))
    }
  })

  it("quadratic: δ = (a − y)·f′(z) for an output with no derivative from its output", () => {
    // A ReLU without its shortcut: f′(z) is then taken from z.
    const { derivativeFromOutput: _, ...plainRelu } = Activation.relu
    expect(Cost.quadratic.delta(plainRelu, 2, 2, 1)).toBe(1)
    expect(Cost.quadratic.delta(plainRelu, 3, 3, 0)).toBe(3)
  })

  it("quadratic refuses a softmax output, pointing at cross-entropy", () => {
    expect(() => Cost.quadratic.delta(Activation.softmax, 0.5, 0.5, 1)).toThrow(
      "softmax has no neuron-by-neuron derivative: pair it with the cross-entropy cost"
    )
  })

  it("cross-entropy with a sigmoid or softmax output: δ = a − y exactly, even when saturated", () => {
    for (const z of [-1000, -3, 0.7, 40, 1000]) {
      const a = Activation.sigmoid.apply(z)
      for (const y of [0, 1]) {
        expect(Cost.crossEntropy.delta(Activation.sigmoid, z, a, y)).toBe(a - y)
        expect(Cost.crossEntropy.delta(Activation.softmax, z, a, y)).toBe(a - y)
      }
    }
  })

  it("cross-entropy with any other output: δ = (a − y) / (a(1 − a)) · f′(z)", () => {
    // a = ½, y = 1: (−½) / ¼ · f′(z) = −2 · f′(z).
    expect(Cost.crossEntropy.delta(Activation.relu, 0.5, 0.5, 1)).toBe(-2)
    // A ReLU of slope ¼ shows that f′(z) multiplies: −2 · ¼.
    const gentle: Activation.Activation = { name: "relu", apply: (z) => (z > 0 ? z / 4 : 0), derivative: (z) => (z > 0 ? 0.25 : 0) }
    expect(Cost.crossEntropy.delta(gentle, 2, 0.5, 1)).toBe(-0.5)
    // a = ¼, y = 0: ¼ / (3/16) = 4/3.
    expect(Cost.crossEntropy.delta(Activation.relu, 0.25, 0.25, 0)).toBeCloseTo(4 / 3, 15)
  })
})
