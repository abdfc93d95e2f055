// `descent train --seeds`, side by side: each seed's run in a process of its own, as many at once
// as the memory limit and the cores allow. Each result must be the one the seed gives alone;
// the summary the one `--jobs 1` (one after another, in one process) gives; Ctrl-C stops them
// all, resumably; a failing seed is named.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { cliPath, descent, expectOneErrorLine, interruptedAfterFirstLine, jsonLines, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(600, 100)
const base = ["--data", data.dir, "--layers", "784,16,10"]
const hashes = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { epochs: Array<{ paramsSha256: string }> }).epochs.map((e) => e.paramsSha256)

describe("descent train --seeds, side by side", () => {
  const dir = temporary("seeds")

  it("gives each seed the run it gives alone, and the summary --jobs 1 gives", () => {
    const parallel = descent(["train", ...base, "--epochs", "3", "--seeds", "1,2,3", "--out", join(dir, "parallel"), "--json"])
    expect(parallel.code, parallel.stderr).toBe(0)
    const inTurn = descent(["train", ...base, "--epochs", "3", "--seeds", "1,2,3", "--jobs", "1", "--out", join(dir, "in-turn"), "--json"])
    expect(inTurn.code, inTurn.stderr).toBe(0)
    for (const seed of [1, 2, 3]) {
      const alone = descent(["train", ...base, "--epochs", "3", "--seed", String(seed), "--out", join(dir, `alone-${seed}`)])
      expect(alone.code, alone.stderr).toBe(0)
      const expected = hashes(join(dir, `alone-${seed}`, "run.json"))
      expect(hashes(join(dir, "parallel", `seed-${seed}`, "run.json"))).toEqual(expected)
      expect(hashes(join(dir, "in-turn", `seed-${seed}`, "run.json"))).toEqual(expected)
    }
    const lines = jsonLines(parallel.stdout)
    expect(lines.pop()).toEqual(jsonLines(inTurn.stdout).pop())
    // Every epoch of every seed reported, marked with its seed.
    expect(lines.map((l) => `${l.seed}:${l.epoch}`).sort()).toEqual(["1:1", "1:2", "1:3", "2:1", "2:2", "2:3", "3:1", "3:2", "3:3"])
  })

  it("Ctrl-C stops every seed's run after its batch; --resume finishes them with the same summary", async () => {
    const root = join(dir, "stopped")
    const { code, stderr } = await interruptedAfterFirstLine(["train", ...base, "--epochs", "40", "--seeds", "1,2", "--out", root, "--json"])
    expect(code, stderr).toBe(130)
    expect(stderr).toContain(`to continue: node ${cliPath} train --resume ${root}`)
    const resumed = descent(["train", "--resume", root, "--json"])
    expect(resumed.code, resumed.stderr).toBe(0)
    const straight = descent(["train", ...base, "--epochs", "40", "--seeds", "1,2", "--out", join(dir, "straight"), "--json"])
    expect(jsonLines(resumed.stdout).pop()).toEqual(jsonLines(straight.stdout).pop())
  }, 120_000)

  it("names the seed whose run failed, in one line, exit 1", () => {
    const result = descent(["train", ...base, "--epochs", "2", "--eta", "1e6", "--stop-when-stalled", "--seeds", "1,2", "--out", join(dir, "stalled")])
    expect(result.code).toBe(1)
    expectOneErrorLine(result.stderr.split("\n").filter((l) => l.startsWith("descent:")).join("\n") + "\n", /^descent: seed 1: training stalled in epoch 1/)
  })

  it("--jobs without --seeds is refused", () => {
    const result = descent(["train", ...base, "--jobs", "2", "--out", join(dir, "x")])
    expect(result.code).toBe(2)
    expectOneErrorLine(result.stderr, /--jobs says how many of --seeds' runs go at once/)
  })
})
