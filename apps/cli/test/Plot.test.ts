import { describe, expect, it } from "vitest"
import * as Plot from "../src/commands/Plot.js"

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

