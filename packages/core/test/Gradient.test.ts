import { Descent, Gradient, Layout, Params } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"

const layout = Layout.make([2, 1])

describe("Gradient", () => {
  it("sums, scales and measures entry by entry", () => {
    const a = Gradient.fromArray(layout, [1, 2, 2])
    const b = Gradient.fromArray(layout, [0.5, -2, 1])
    expect([...Gradient.sum(a, b).vector]).toEqual([1.5, 0, 3])
    expect([...Gradient.scale(a, -2).vector]).toEqual([-2, -4, -4])
    expect(Gradient.norm(a)).toBe(3)
    expect([...Gradient.zero(layout).vector]).toEqual([0, 0, 0])
    expect([...a.vector]).toEqual([1, 2, 2])
  })

  it("is tagged Gradient, however it was made", () => {
    const a = Gradient.fromArray(layout, [1, 2, 3])
    const made = [a, Gradient.zero(layout), Gradient.sum(a, a), Gradient.scale(a, 2), Gradient.unsafeFromArray(layout, new Float64Array(3))]
    expect(made.map((g) => g._tag)).toEqual(["Gradient", "Gradient", "Gradient", "Gradient", "Gradient"])
  })

  it("views the weights and biases the same way parameters do", () => {
    const g = Gradient.fromArray(layout, [1, 2, 3])
    expect([...Gradient.weights(g, 0)]).toEqual([1, 2])
    expect([...Gradient.biases(g, 0)]).toEqual([3])
  })

  it("refuses to add gradients of different layouts, or entries of the wrong count", () => {
    const a = Gradient.fromArray(layout, [1, 2, 3])
    const b = Gradient.fromArray(Layout.make([1, 1]), [1, 2])
    expect(() => Gradient.sum(a, b)).toThrow(/cannot add gradients of 2-1 and 1-1/)
    expect(() => Gradient.fromArray(layout, [1])).toThrow(/needs 3 gradient entries, got 1/)
  })
})

// Compile-time checks, run by `tsc -b` (the first half of the test command): a gradient can
// never be passed where parameters are expected, nor the reverse. Never called.
export const typeChecks = (params: Params.Params, gradient: Gradient.Gradient) => {
  // @ts-expect-error a gradient is not parameters
  Descent.step(gradient, gradient, 1)
  // @ts-expect-error parameters are not a gradient
  Descent.step(params, params, 1)
  // @ts-expect-error a read-only vector cannot be written to
  params.vector[0] = 1
}
