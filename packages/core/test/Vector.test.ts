import { Vector } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"

describe("Vector", () => {
  it("isFinite is true when every entry is a finite number, including for no entries", () => {
    expect(Vector.isFinite(Float64Array.from([1, -2.5, 0, 1e308]))).toBe(true)
    expect(Vector.isFinite(new Float64Array(0))).toBe(true)
  })

  it("isFinite is false when any entry, first or last, is NaN or ±Infinity", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(Vector.isFinite(Float64Array.from([bad, 1, 2]))).toBe(false)
      expect(Vector.isFinite(Float64Array.from([1, 2, bad]))).toBe(false)
    }
  })
})
