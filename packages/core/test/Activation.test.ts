import { Activation, Network } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"

const centred = (f: (z: number) => number, z: number, h = 1e-6) => (f(z + h) - f(z - h)) / (2 * h)

describe("Activation", () => {
  it("sigmoid stays finite and correct far from zero (z = ±1000)", () => {
    expect(Activation.sigmoid.apply(1000)).toBe(1)
    expect(Activation.sigmoid.apply(-1000)).toBe(0)
    expect(Activation.sigmoid.derivative(1000)).toBe(0)
    expect(Activation.sigmoid.derivative(-1000)).toBe(0)
    expect(Number.isFinite(Activation.sigmoid.apply(-745))).toBe(true)
    // e^−40 is far below 1, so σ(−40) ≈ e^−40 to many digits.
    expect(Activation.sigmoid.apply(-40) / Math.exp(-40)).toBeCloseTo(1, 12)
  })

  it("sigmoid is 1/2 at 0 and symmetric: σ(−z) = 1 − σ(z)", () => {
    expect(Activation.sigmoid.apply(0)).toBe(0.5)
    for (const z of [0.1, 1, 3, 10, 30]) {
      expect(Activation.sigmoid.apply(-z)).toBeCloseTo(1 - Activation.sigmoid.apply(z), 15)
    }
  })

  for (const activation of [Activation.sigmoid, Activation.relu]) {
    it(`${activation.name}'s derivative matches a centred difference away from kinks`, () => {
      for (const z of [-4, -1.3, -0.2, 0.3, 0.9, 2.5, 7]) {
        expect(activation.derivative(z)).toBeCloseTo(centred(activation.apply, z), 8)
      }
    })
  }

  it("relu is max(0, z), with slope 0 at and below 0", () => {
    expect([-2, 0, 3.5].map(Activation.relu.apply)).toEqual([0, 0, 3.5])
    expect([-2, 0, 3.5].map(Activation.relu.derivative)).toEqual([0, 0, 1])
  })

  it("relu is max(0, z) to the bit: −0 comes out as +0", () => {
    for (const z of [-0, 0, -1e-300, 1e-300, -2, 3.5]) expect(Activation.relu.apply(z)).toBe(Math.max(0, z))
  })

  it("softmax gives a probability distribution, and does not overflow", () => {
    const out = new Float64Array(4)
    Activation.softmax.applyLayer!([1000, 1001, 999, -1000], out, 0, 4)
    expect(out.every(Number.isFinite)).toBe(true)
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15)
    expect(out[1]! / out[0]!).toBeCloseTo(Math.E, 12)
  })

  it("softmax writes only its own layer's n entries, from `from` on", () => {
    const out = new Float64Array(6).fill(7)
    Activation.softmax.applyLayer!([9, 0, 0, 0, 9, 9], out, 1, 3)
    expect([...out]).toEqual([7, 1 / 3, 1 / 3, 1 / 3, 7, 7])
  })

  it("softmax has no neuron-by-neuron value or derivative, and says what to use instead", () => {
    expect(() => Activation.softmax.apply(0)).toThrow("softmax acts on a whole layer: use applyLayer")
    expect(() => Activation.softmax.derivative(0)).toThrow(
      "softmax has no neuron-by-neuron derivative: pair it with the cross-entropy cost"
    )
  })

  it("softmax is only an output layer, and only with cross-entropy", () => {
    expect(() => Network.make({ sizes: [3, 2], output: "softmax" })).toThrow(/needs the cross-entropy cost/)
    expect(() => Network.make({ sizes: [3, 2, 2], hidden: "softmax", cost: "cross-entropy" })).toThrow(/not a hidden one/)
    expect(Network.make({ sizes: [3, 2], output: "softmax", cost: "cross-entropy" }).output.name).toBe("softmax")
  })

  for (const activation of [Activation.sigmoid, Activation.relu]) {
    it(`${activation.name}: the derivative from the output is the derivative, to the bit`, () => {
      for (let z = -40; z <= 40; z += 0.37) {
        expect(activation.derivativeFromOutput!(activation.apply(z))).toBe(activation.derivative(z))
      }
      for (const z of [-1000, -1e-300, 0, 1e-300, 1000]) {
        expect(activation.derivativeFromOutput!(activation.apply(z))).toBe(activation.derivative(z))
      }
    })
  }
})
