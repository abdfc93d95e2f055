// Memory limits: sizes read the way people write them, formatted the way people read them,
// and a need over the limit is a value whose message says by how much and how to raise it.
import { Descent, Evaluate, Layout, Memory } from "@descent/core"
import { describe, expect, it } from "vitest"

describe("Memory", () => {
  it("parses sizes with and without units", () => {
    expect(Memory.parse("4G")).toBe(4 * 1024 * 1024 * 1024)
    expect(Memory.parse("512M")).toBe(512 * 1024 * 1024)
    expect(Memory.parse("1.5g")).toBe(1.5 * 1024 * 1024 * 1024)
    expect(Memory.parse("2048")).toBe(2048 * 1024 * 1024)
    expect(Memory.parse("8GiB")).toBe(8 * 1024 * 1024 * 1024)
    expect(Memory.parse("1.25G")).toBe(1.25 * 1024 * 1024 * 1024)
    expect(Memory.parse("64k")).toBe(64 * 1024)
    expect(Memory.parse("2T")).toBe(2 * 1024 * 1024 * 1024 * 1024)
    for (const bad of ["", "lots", "-1G", "0", "1e3G", "4 GB GB"]) expect(Memory.parse(bad), bad).toBeUndefined()
  })

  it("formats bytes in binary units", () => {
    expect(Memory.format(512)).toBe("512 B")
    expect(Memory.format(Memory.defaultBytes)).toBe("2.0 GiB")
    expect(Memory.format(300 * 1024 * 1024)).toBe("300.0 MiB")
    expect(Memory.format(1536)).toBe("1.5 KiB")
    expect(Memory.format(1024 ** 4)).toBe("1.0 TiB")
    expect(Memory.format(1024 ** 5)).toBe("1.0 PiB")
    expect(Memory.format(1024 ** 6)).toBe("1.0 EiB")
    // EiB is the largest unit: beyond it the figure grows instead.
    expect(Memory.format(1024 ** 7)).toBe("1024.0 EiB")
    expect(Memory.format(Number.POSITIVE_INFINITY)).toBe("more than can be counted")
  })

  it("checks a need against a limit, naming the source, the need and the way to raise it", () => {
    const limit = Memory.limit(1024 * 1024, "raise it with --max-memory")
    expect(Memory.check(limit, 1024 * 1024, "a", "b")).toBeUndefined()
    const over = Memory.check(limit, 3 * 1024 * 1024, "--layers 784,9,10", "training")!
    expect(over.message).toBe("--layers 784,9,10: training would need about 3.0 MiB of memory, more than the limit of 1.0 MiB; raise it with --max-memory")
    expect(Memory.check(limit, Number.NaN, "a", "b")).toBeDefined()
  })

  it("shows three decimals when one would give the need and the limit the same figure", () => {
    const limit = Memory.limit(1024 * 1024 * 1024, "raise it")
    const over = Memory.check(limit, Math.round(1.04 * 1024 * 1024 * 1024), "data", "loading")!
    expect(over.message).toBe("data: loading would need about 1.040 GiB of memory, more than the limit of 1.000 GiB; raise it")
  })

  it("estimates a descent's and an evaluation's memory from the layer sizes, beyond 2³¹ bytes too", () => {
    const chapter = Layout.make([784, 16, 16, 10])
    // The workspace holds at least the parameters, their gradient, layer 1's weights transposed
    // and their gradient; the fold hands back one more copy.
    expect(Descent.workspaceBytes(chapter, 10)).toBeGreaterThan(4 * 8 * chapter.size)
    expect(Descent.memory(chapter, 10)).toBe(Descent.workspaceBytes(chapter, 10) + 8 * chapter.size)
    expect(Descent.workspaceBytes(chapter, 1000)).toBeGreaterThan(Descent.workspaceBytes(chapter, 10))
    // And little more: for one example, within 10% of those four copies of the parameters.
    expect(Descent.workspaceBytes(chapter, 1)).toBeLessThan(1.1 * 4 * 8 * chapter.size)
    expect(Evaluate.memory(chapter, 10_000)).toBeGreaterThan(8 * 10 * 10_000)
    // 784-2000-10 in batches of 60,000: about 3.6 GB, counted without wrapping past 2³¹.
    const wide = Descent.workspaceBytes(Layout.make([784, 2000, 10]), 60_000)
    expect(wide).toBeGreaterThan(3e9)
    expect(wide).toBeLessThan(Descent.maxWorkspaceBytes)
  })
})
