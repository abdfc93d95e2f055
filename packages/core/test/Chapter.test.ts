// The readable, example-at-a-time algorithm against the fast path: the same numbers to within
// rounding (the fast path sums in another order), for each activation and cost.
import { Backprop, Chapter, Descent, Feedforward, Network, Params, Rng, Vector } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"
import { randomBatch } from "./fixtures.js"

/** ‖a − b‖ / max(‖a‖, ‖b‖). */
const relative = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const d = Float64Array.from(a, (x, i) => x - b[i]!)
  return Vector.norm(d) / Math.max(Vector.norm(Float64Array.from(a)), Vector.norm(Float64Array.from(b)))
}

const networks = [
  ["the chapter's sigmoid, quadratic cost", Network.make({ sizes: [12, 7, 5, 4] })],
  ["ReLU, softmax with cross-entropy", Network.make({ sizes: [12, 9, 4], hidden: "relu", output: "softmax", cost: "cross-entropy" })],
  ["sigmoid with cross-entropy", Network.make({ sizes: [12, 6, 4], cost: "cross-entropy" })]
] as const

describe.each(networks)("Chapter, %s", (_, network) => {
  const [params] = Params.init(network.layout, Rng.make(11))
  const batch = randomBatch(5, 12, 6, 4)
  const examples = Array.from({ length: batch.size }, (_, e) => ({
    x: Array.from({ length: 12 }, (_, k) => batch.inputs[e * 12 + k]!),
    label: batch.labels[e]!
  }))

  it("feedforward gives Feedforward.output's activations", () => {
    for (const { x } of examples) {
      expect(relative(Chapter.feedforward(network, params, x), Feedforward.output(network, params, x))).toBeLessThan(1e-14)
    }
  })

  it("backprop, averaged over a batch, gives Backprop.backprop's gradient", () => {
    const fast = Backprop.backprop(network, params, batch).gradient.vector
    const sum = new Float64Array(network.layout.size)
    for (const { label, x } of examples) {
      const g = Chapter.backprop(network, params, x, label).vector
      for (let i = 0; i < sum.length; i++) sum[i]! += g[i]! / examples.length
    }
    expect(Vector.norm(fast)).toBeGreaterThan(1e-3) // a gradient that is all zeros would prove nothing
    expect(relative(sum, fast)).toBeLessThan(1e-13)
  })

  it("updateMiniBatch takes Descent.updateMiniBatch's step", () => {
    const chapter = Chapter.updateMiniBatch(network, params, examples, 0.5)
    const fast = Descent.updateMiniBatch(network, params, batch, 0.5).params
    expect(relative(chapter.vector, fast.vector)).toBeLessThan(1e-14)
    expect(relative(chapter.vector, params.vector)).toBeGreaterThan(1e-6)
  })
})
