import { describe, expect, it } from "vitest"
import * as Plot from "../src/commands/Plot.js"

// A run record with just what `identicalTo` looks at: the parameters' hash after each epoch.
const run = (name: string, hashes: ReadonlyArray<string>) =>
  ({ name, record: { epochs: hashes.map((h, i) => ({ epoch: i + 1, paramsSha256: h.repeat(64) })) } }) as unknown as Plot.Run

describe("Plot.names", () => {
  it("names a run by its folder when no other run shares it", () => {
    expect(Plot.names(["/home/u/runs/a/run.json", "/home/u/runs/b/run.json"])).toEqual(["a", "b"])
  })

  it("takes more of the path where folders share a name, only for those that clash", () => {
    expect(Plot.names(["/x/a/r/run.json", "/x/b/r/run.json", "/x/c/run.json"])).toEqual(["a/r", "b/r", "c"])
    expect(Plot.names(["/p/s/r/run.json", "/q/s/r/run.json"])).toEqual(["p/s/r", "q/s/r"])
  })

  it("names a record that is not called run.json by its file", () => {
    expect(Plot.names(["/x/r/run.json", "/x/r/first.json"])).toEqual(["r", "first.json"])
    expect(Plot.names(["/x/a/first.json", "/x/b/first.json"])).toEqual(["a/first.json", "b/first.json"])
  })

  it("gives every run a different name whenever the paths differ", () => {
    const paths = ["/r/run.json", "/a/r/run.json", "/b/a/r/run.json", "/c/run.json", "/c/r/run.json"]
    const labels = Plot.names(paths)
    expect(new Set(labels).size).toBe(paths.length)
  })
})

describe("Plot.identicalTo", () => {
  it("marks a run whose parameters equal an earlier run's after every epoch", () => {
    const runs = [run("a", ["1", "2"]), run("b", ["1", "3"]), run("c", ["1", "2"]), run("d", ["1", "2", "4"])]
    expect(Plot.identicalTo(runs)).toEqual([undefined, undefined, "a", undefined])
  })
})

describe("Plot.spec", () => {
  it("gives each cost function its own panel, and names identical runs in the legend", () => {
    const runs = [
      { ...run("a/r", ["1"]), record: { ...run("a/r", ["1"]).record, options: { cost: "quadratic" } } },
      { ...run("b/r", ["1"]), record: { ...run("b/r", ["1"]).record, options: { cost: "quadratic" } } },
      { ...run("x", ["2"]), record: { ...run("x", ["2"]).record, options: { cost: "cross-entropy" } } }
    ] as unknown as ReadonlyArray<Plot.Run>
    const spec = Plot.spec(runs) as any
    const axes = spec.concat.map((panel: any) => panel.encoding.y.title)
    expect(axes).toEqual(["quadratic cost", "cross-entropy cost", "test accuracy"])
    expect(spec.concat[0].data.values.map((row: any) => row.run)).toEqual(["a/r", "b/r (= a/r)"])
    expect(spec.concat[1].data.values.map((row: any) => row.run)).toEqual(["x"])
  })
})
