import { Layout } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

const sizes = fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 2, maxLength: 6 })

describe("Layout", () => {
  it("gives the chapter's network one big column vector with 13,002 entries", () => {
    const layout = Layout.make([784, 16, 16, 10])
    expect(layout.size).toBe(13_002)
    expect(layout.layers.map((s) => [s.weightsOffset, s.biasesOffset])).toEqual([
      [0, 12_544],
      [12_560, 12_816],
      [12_832, 12_992]
    ])
  })

  it.prop("size is Σ (inputs·outputs + outputs) over the layers", { sizes }, ({ sizes }) => {
    const layout = Layout.make(sizes)
    let expected = 0
    for (let l = 1; l < sizes.length; l++) expected += sizes[l - 1]! * sizes[l]! + sizes[l]!
    expect(layout.size).toBe(expected)
    expect(layout.layers.length).toBe(sizes.length - 1)
  })

  it.prop("slots tile the vector: contiguous, in order, no gap or overlap", { sizes }, ({ sizes }) => {
    const layout = Layout.make(sizes)
    let offset = 0
    layout.layers.forEach((slot, l) => {
      expect(slot.inputs).toBe(sizes[l])
      expect(slot.outputs).toBe(sizes[l + 1])
      expect(slot.weightsOffset).toBe(offset)
      expect(slot.biasesOffset).toBe(offset + slot.inputs * slot.outputs)
      offset = slot.biasesOffset + slot.outputs
    })
    expect(offset).toBe(layout.size)
  })

  it.prop("weight and bias views cover every entry exactly once", { sizes }, ({ sizes }) => {
    const layout = Layout.make(sizes)
    const vector = Float64Array.from({ length: layout.size }, (_, i) => i)
    const seen: Array<number> = []
    layout.layers.forEach((_, l) => {
      seen.push(...Layout.weights(layout, vector, l), ...Layout.biases(layout, vector, l))
    })
    expect(seen).toEqual([...vector])
  })

  it("rejects sizes that cannot describe a network", () => {
    expect(Layout.validate([784])?.reason).toBe("TooFewLayers")
    expect(Layout.validate([784, 0, 10])?.reason).toBe("BadSize")
    expect(Layout.validate([784, 1.5, 10])?.reason).toBe("BadSize")
    expect(() => Layout.make([10])).toThrow(/at least an input and an output layer/)
    expect(Layout.validate([784, 16, 16, 10])).toBeUndefined()
  })

  it("allows layers of up to 1,000,000 neurons, and says what is wrong with the rest", () => {
    expect(Layout.validate([1_000_000, 1])).toBeUndefined()
    expect(Layout.validate([784, 1_000_001, 10])?.reason).toBe("BadSize")
    expect(Layout.validate([784, 0, 10])?.message).toBe(
      "layers 784-0-10: every layer size must be a whole number from 1 to 1,000,000"
    )
    expect(Layout.validate([784])?.message).toBe(
      "layers 784: a network needs at least an input and an output layer (e.g. 784,16,16,10)"
    )
  })

  it("equals compares the layer sizes, their number too", () => {
    expect(Layout.equals(Layout.make([4, 3, 2]), Layout.make([4, 3, 2]))).toBe(true)
    expect(Layout.equals(Layout.make([4, 3, 2]), Layout.make([4, 3, 1]))).toBe(false)
    // A layout that begins like another is still not the same network.
    expect(Layout.equals(Layout.make([4, 3]), Layout.make([4, 3, 2]))).toBe(false)
    expect(Layout.equals(Layout.make([4, 3, 2]), Layout.make([4, 3]))).toBe(false)
  })

  it("reads a weight w_jk at row j, column k", () => {
    const layout = Layout.make([3, 2])
    const vector = Float64Array.from([10, 11, 12, 20, 21, 22, 1, 2])
    const w = Layout.weights(layout, vector, 0)
    expect(w[1 * 3 + 2]).toBe(22)
    expect([...Layout.biases(layout, vector, 0)]).toEqual([1, 2])
    expect(() => Layout.weights(layout, vector, 1)).toThrow("layer 1 does not exist: 3-2 has layers 0 to 0")
  })
})
