import { Feedforward } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"

describe("Feedforward", () => {
  it("argmax names the brightest neuron, and a tie goes to the lower index", () => {
    expect(Feedforward.argmax([0.1, 0.7, 0.2])).toBe(1)
    expect(Feedforward.argmax([0.2, 0.9, 0.9, 0.1])).toBe(1)
    expect(Feedforward.argmax([0.5, 0.5])).toBe(0)
  })

  it("argmax over a window counts from the window's start, ties to the lower index there too", () => {
    // Example 1's outputs of a batch laid out row by row, three per example.
    expect(Feedforward.argmax([9, 9, 9, 0.2, 0.6, 0.6], 3, 3)).toBe(1)
    expect(Feedforward.argmax([9, 0.3, 0.8], 1)).toBe(1)
  })
})
