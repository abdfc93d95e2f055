import { Gradient, Layout, Params, Rng } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"

const variance = (xs: ArrayLike<number>) => {
  let mean = 0
  for (let i = 0; i < xs.length; i++) mean += xs[i]!
  mean /= xs.length
  let v = 0
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2
  return v / xs.length
}

describe("Params", () => {
  it("initialises 784-16-16-10 with 13,002 entries drawn from N(0, 1)", () => {
    const [params] = Params.init(Layout.make([784, 16, 16, 10]), Rng.make(1))
    expect(params.vector.length).toBe(13_002)
    expect(variance(params.vector)).toBeGreaterThan(0.95)
    expect(variance(params.vector)).toBeLessThan(1.05)
  })

  it("scaled init draws weights from N(0, 1/fan_in) and biases from N(0, 1)", () => {
    const layout = Layout.make([400, 50])
    const [params] = Params.init(layout, Rng.make(2), "scaled")
    expect(variance(Params.weights(params, 0)) * 400).toBeGreaterThan(0.95)
    expect(variance(Params.weights(params, 0)) * 400).toBeLessThan(1.05)
    const [normal] = Params.init(layout, Rng.make(2), "normal")
    // Same draws, scaled: biases identical, weights divided by √400.
    expect([...Params.biases(params, 0)]).toEqual([...Params.biases(normal, 0)])
    expect(Params.weights(params, 0)[7]! * 20).toBeCloseTo(Params.weights(normal, 0)[7]!, 12)
  })

  it("same seed, same parameters; the generator moves on", () => {
    const layout = Layout.make([5, 3, 2])
    const [a, next] = Params.init(layout, Rng.make(3))
    const [b] = Params.init(layout, Rng.make(3))
    const [c] = Params.init(layout, next)
    expect(Params.equals(a, b)).toBe(true)
    expect(Params.equals(a, c)).toBe(false)
  })

  it("fromArray copies: later writes to the source do not reach the parameters", () => {
    const layout = Layout.make([2, 1])
    const source = [1, 2, 3]
    const params = Params.fromArray(layout, source)
    source[0] = 99
    expect([...params.vector]).toEqual([1, 2, 3])
    expect(() => Params.fromArray(layout, [1, 2])).toThrow(/2-1 needs 3 parameters, got 2/)
  })

  it("toBytes gives the float64 bytes, and equals compares them bit for bit", () => {
    const layout = Layout.make([1, 1])
    const params = Params.fromArray(layout, [1, -0])
    expect([...new Float64Array(Params.toBytes(params).buffer)]).toEqual([1, -0])
    expect(Params.equals(params, Params.fromArray(layout, [1, 0]))).toBe(false)
  })

  it("equals tells apart layouts of the same size holding the same numbers", () => {
    // 1-2 and 3-1 both have 4 entries: the bytes alone cannot tell them apart.
    const zeros = [0, 0, 0, 0]
    const a = Params.fromArray(Layout.make([1, 2]), zeros)
    const b = Params.fromArray(Layout.make([3, 1]), zeros)
    expect(Params.equals(a, b)).toBe(false)
    expect(Params.equals(a, Params.fromArray(Layout.make([1, 2]), zeros))).toBe(true)
  })

  it("toBytes gives a copy: writing to the bytes leaves the parameters as they were", () => {
    const params = Params.fromArray(Layout.make([1, 1]), [1, 2])
    Params.toBytes(params).fill(0)
    expect([...params.vector]).toEqual([1, 2])
  })

  it("is tagged Params, which tells it apart from a gradient of the same numbers", () => {
    const layout = Layout.make([1, 1])
    expect(Params.fromArray(layout, [1, 2])._tag).toBe("Params")
    expect(Gradient.fromArray(layout, [1, 2])._tag).toBe("Gradient")
  })
})
