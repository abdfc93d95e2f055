import { Dataset } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"

// Four 1×2 images; image i has pixels (10·i, 10·i + 1) and label i.
const four = Dataset.make({ rows: 1, cols: 2, pixels: Uint8Array.from([0, 1, 10, 11, 20, 21, 30, 31]), labels: Uint8Array.from([0, 1, 2, 3]) })

describe("Dataset", () => {
  it("make checks the pixels fit the labels, naming the sizes", () => {
    // rows ≠ cols and count ≠ rows, so a mixed-up product gives another number.
    expect(() => Dataset.make({ rows: 2, cols: 3, pixels: new Uint8Array(11), labels: new Uint8Array(2) })).toThrow(
      new RangeError("2 labels need 12 pixels of 2×3, got 11")
    )
    expect(Dataset.make({ rows: 2, cols: 3, pixels: new Uint8Array(12), labels: new Uint8Array(2) }).count).toBe(2)
  })

  it("make accepts digits 0–9 as labels and rejects anything above, naming the label", () => {
    expect([...Dataset.make({ rows: 1, cols: 1, pixels: new Uint8Array(10), labels: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) }).labels]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(() => Dataset.make({ rows: 1, cols: 1, pixels: new Uint8Array(3), labels: Uint8Array.from([4, 9, 10]) })).toThrow(
      new RangeError("label 2 is 10, not a digit 0–9")
    )
  })

  it("slice keeps examples start to end, their pixels and labels together", () => {
    const middle = Dataset.slice(four, 1, 3)
    expect(middle.count).toBe(2)
    expect([...middle.pixels]).toEqual([10, 11, 20, 21])
    expect([...middle.labels]).toEqual([1, 2])
  })

  it("slice clamps its bounds to the examples there are", () => {
    expect([...Dataset.slice(four, -5, 2).labels]).toEqual([0, 1])
    expect([...Dataset.slice(four, 2, 99).labels]).toEqual([2, 3])
    expect(Dataset.slice(four, 3, 1).count).toBe(0)
    expect(Dataset.take(four, 9).count).toBe(4)
  })
})
