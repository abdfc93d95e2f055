// A build of @descent/kernels whose job block, panels or rows do not fit the plan core's
// workspace (internal/workspace.ts) lays its memory out by is refused, with what to do, before
// any work is done in it. A stand-in for such a build replaces @descent/kernels with vi.mock, so
// this file cannot share a module graph with the others: StrykerJS's runs (test/mutation, where
// every file shares one) leave it out.
import { Network, Params, Rng, Feedforward } from "@descent/core"
import * as Wasm from "@descent/kernels"
import { describe, expect, it } from "@effect/vitest"
import { afterEach, vi } from "vitest"

// The kernels as built, except for what a test sets in `build.override`: a stand-in for a build
// of @descent/kernels that does not match core's plan.
type Override = Partial<Record<"heapBase" | "jobBytes" | "panelBytes" | "unionBytes" | "touchedBytes", (...args: Array<number>) => number>>
const build: { override: Override } = { override: {} }
vi.mock("@descent/kernels", async (importOriginal) => {
  const actual = await importOriginal<typeof Wasm>()
  return {
    ...actual,
    make: (...args: Parameters<typeof actual.make>) => {
      const made = actual.make(...args)
      return { ...made, kernels: { ...made.kernels, ...build.override } }
    }
  }
})
afterEach(() => {
  build.override = {}
})

describe("Workspace: a kernels build that does not match the plan is refused", () => {
  const message = "@descent/kernels' job block does not match the workspace's plan: rebuild @descent/kernels"
  const input = Float64Array.from({ length: 49 }, (_, i) => (i % 3) / 2)
  /** Feedforward on a layout of its own (so a workspace is made now, with the kernels as set). */
  const run = () => {
    const network = Network.make({ sizes: [49, 9, 10] })
    const [params] = Params.init(network.layout, Rng.make(3), "scaled")
    return () => Feedforward.feedforward(network, params, input).activations.at(-1)!
  }

  it("refuses static data, a job block or a panel entry larger than kept for them, or other row sizes", () => {
    const expected = run()()
    const cases: ReadonlyArray<[string, Override, boolean]> = [
      // Exactly the bytes kept (4096, 256, 32) fit; a byte more does not.
      ["static data of 4096 bytes", { heapBase: () => 4096 }, true],
      ["static data of 4097 bytes", { heapBase: () => 4097 }, false],
      ["a job block of 256 bytes", { jobBytes: () => 256 }, true],
      ["a job block of 257 bytes", { jobBytes: () => 257 }, false],
      ["a panel entry of 32 bytes", { panelBytes: () => 32 }, true],
      ["a panel entry of 33 bytes", { panelBytes: () => 33 }, false],
      ["union lists further apart", { unionBytes: (n) => Math.ceil((n * 4) / 16) * 16 + 16 }, false],
      ["touched masks further apart", { touchedBytes: (n) => Math.ceil((Math.ceil(n / 16) * 4) / 16) * 16 + 16 }, false]
    ]
    for (const [name, override, fits] of cases) {
      build.override = override
      if (fits) expect(Array.from(run()()), name).toEqual(Array.from(expected))
      else expect(run(), name).toThrow(new Error(message))
    }
  })
})
