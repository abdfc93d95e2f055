import { describe, expect, it } from "vitest"
import * as Curves from "../src/Curves.js"

// A run record with just what `identicalTo` looks at: the parameters' hash after each epoch.
const run = (name: string, hashes: ReadonlyArray<string>) =>
  ({ name, record: { epochs: hashes.map((h, i) => ({ epoch: i + 1, paramsSha256: h.repeat(64) })) } }) as unknown as Curves.Run

describe("Curves.identicalTo", () => {
  it("marks a run whose parameters equal an earlier run's after every epoch", () => {
    const runs = [run("a", ["1", "2"]), run("b", ["1", "3"]), run("c", ["1", "2"]), run("d", ["1", "2", "4"])]
    expect(Curves.identicalTo(runs)).toEqual([undefined, undefined, "a", undefined])
  })
})

describe("Curves.spec", () => {
  it("gives each cost function its own panel, and names identical runs in the legend", () => {
    const runs = [
      { ...run("a/r", ["1"]), record: { ...run("a/r", ["1"]).record, options: { cost: "quadratic" } } },
      { ...run("b/r", ["1"]), record: { ...run("b/r", ["1"]).record, options: { cost: "quadratic" } } },
      { ...run("x", ["2"]), record: { ...run("x", ["2"]).record, options: { cost: "cross-entropy" } } }
    ] as unknown as ReadonlyArray<Curves.Run>
    const spec = Curves.spec(runs) as any
    const axes = spec.concat.map((panel: any) => panel.encoding.y.title)
    expect(axes).toEqual(["quadratic cost", "cross-entropy cost", "test accuracy"])
    expect(spec.concat[0].data.values.map((row: any) => row.run)).toEqual(["a/r", "b/r (= a/r)"])
    expect(spec.concat[1].data.values.map((row: any) => row.run)).toEqual(["x"])
  })
})
