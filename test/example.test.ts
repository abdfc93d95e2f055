// The README's "Use it in your own Effect program" example, run as a user would run it.
import { describe, expect, it } from "vitest"
import { spawnSync } from "node:child_process"
import { resolve } from "node:path"

describe("examples/own-program.ts", () => {
  it("composes the bundled-MNIST Layer, descend and evaluate, and learns", () => {
    const result = spawnSync(process.execPath, [resolve(import.meta.dirname, "../build/examples/own-program.js")], { encoding: "utf8" })
    expect(result.status, result.stderr).toBe(0)
    const match = /test accuracy: ([\d.]+)% before, ([\d.]+)% after 2,000 steps/.exec(result.stdout)
    expect(match).not.toBeNull()
    expect(Number(match![2])).toBeGreaterThan(70)
    expect(Number(match![1])).toBeLessThan(30)
  })
})
