// `descent sweep`: a grid of train settings × seeds, ranked on held-out validation images only.
// Each run must be the one `descent train` gives alone for its settings and seed (checked
// against train itself, not against the sweep); the ranking the mean of the runs' own records;
// the same command again must run nothing; a stopped sweep resumes to the same ranking; a
// setting train would refuse is refused before any run starts.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { cliPath, descent, expectOneErrorLine, interruptedAfterFirstLine, jsonLines, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(700, 100)
const grid = ["--grid", "eta=0.3,1", "--grid", "optimizer=sgd,nesterov"]
const shared = ["--set", "layers=784-16-10", "--set", "epochs=2", "--set", "init=scaled"]
const sweepArgs = (out: string, ...more: Array<string>) => ["sweep", "--data", data.dir, ...grid, ...shared, "--seeds", "1,2", "--validation", "200", "--out", out, ...more]

interface Ranked {
  readonly folder: string
  readonly validationAccuracy: { readonly mean: number; readonly std: number | null; readonly values: ReadonlyArray<number> }
}
interface SweepFile {
  readonly points: ReadonlyArray<{ readonly folder: string; readonly settings: ReadonlyArray<{ key: string; value: string }> }>
  readonly ranking: ReadonlyArray<Ranked>
}
const sweepFile = (root: string) => JSON.parse(readFileSync(join(root, "sweep.json"), "utf8")) as SweepFile
const record = (file: string) =>
  JSON.parse(readFileSync(file, "utf8")) as { epochs: Array<{ paramsSha256: string; validationAccuracy: number }> }

describe("descent sweep", () => {
  const dir = temporary("sweep")
  const root = join(dir, "grid")
  const first = descent(sweepArgs(root))

  it("runs every point × seed, and ranks the points by their mean validation accuracy in the last epoch", () => {
    expect(first.code, first.stderr).toBe(0)
    const file = sweepFile(root)
    expect(file.points.map((p) => p.settings.map((s) => `${s.key}=${s.value}`).join(" "))).toEqual([
      "eta=0.3 optimizer=sgd", "eta=0.3 optimizer=nesterov", "eta=1 optimizer=sgd", "eta=1 optimizer=nesterov"
    ])
    // The ranking, from the runs' own records.
    const means = file.points.map(({ folder }) => {
      const values = [1, 2].map((seed) => record(join(root, folder, `seed-${seed}`, "run.json")).epochs[1]!.validationAccuracy)
      return { folder, mean: (values[0]! + values[1]!) / 2, values }
    })
    const expected = [...means].sort((a, b) => b.mean - a.mean)
    expect(file.ranking.map((r) => r.folder)).toEqual(expected.map((m) => m.folder))
    file.ranking.forEach((r, i) => {
      expect(r.validationAccuracy.values).toEqual(expected[i]!.values)
      expect(r.validationAccuracy.mean).toBeCloseTo(expected[i]!.mean, 12)
      const [a, b] = expected[i]!.values
      expect(r.validationAccuracy.std).toBeCloseTo(Math.abs(a! - b!) / Math.SQRT2, 12)
    })
    // The table lists them in that order, best first, with mean ± std and each seed's value.
    const rows = first.stdout.split("\n").filter((line) => /^\s+\d+\s/.test(line))
    expect(rows).toHaveLength(4)
    rows.forEach((row, i) => {
      const best = file.points.find((p) => p.folder === file.ranking[i]!.folder)!
      expect(row).toContain(best.settings.map((s) => `${s.key}=${s.value}`).join(" "))
      expect(row).toContain(`${(file.ranking[i]!.validationAccuracy.mean * 100).toFixed(2)}% ± `)
    })
    // The chart, as PNG and SVG, with its words.
    const pngBytes = readFileSync(join(root, "sweep.png"))
    expect(pngBytes.subarray(1, 4).toString()).toBe("PNG")
    const svg = readFileSync(join(root, "sweep.svg"), "utf8")
    for (const words of ["descent sweep: 4 settings, ranked on validation", "validation accuracy in the last epoch (%)", "1. "]) {
      expect(svg).toContain(words)
    }
  })

  it("each run is the descent train run of its settings and seed, and replays", () => {
    const point = sweepFile(root).points[1]! // eta=0.3 optimizer=nesterov
    const alone = join(dir, "alone")
    const trained = descent([
      "train", "--data", data.dir, "--layers", "784,16,10", "--epochs", "2", "--init", "scaled", "--eta", "0.3", "--optimizer", "nesterov",
      "--validation", "200", "--seed", "2", "--out", alone
    ])
    expect(trained.code, trained.stderr).toBe(0)
    const inSweep = join(root, point.folder, "seed-2", "run.json")
    expect(record(inSweep).epochs.map((e) => e.paramsSha256)).toEqual(record(join(alone, "run.json")).epochs.map((e) => e.paramsSha256))
    const replayed = descent(["replay", inSweep])
    expect(replayed.code, replayed.stderr).toBe(0)
    expect(replayed.stdout).toMatch(/identical\n$/)
  })

  it("the same command again runs nothing, and ranks the same", () => {
    const before = statSync(join(root, sweepFile(root).points[0]!.folder, "seed-1", "run.json")).mtimeMs
    const again = descent(sweepArgs(root))
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain("8 runs, 8 finished already")
    expect(again.stdout).not.toMatch(/epoch 1\/2/)
    expect(statSync(join(root, sweepFile(root).points[0]!.folder, "seed-1", "run.json")).mtimeMs).toBe(before)
    expect(again.stdout.split("\n").filter((l) => /^\s+\d+\s/.test(l))).toEqual(first.stdout.split("\n").filter((l) => /^\s+\d+\s/.test(l)))
  })

  it("--json: every epoch marked with its point, settings and seed, then the ranking, one object per point", () => {
    const out = join(dir, "json")
    const result = descent(sweepArgs(out, "--json"))
    expect(result.code, result.stderr).toBe(0)
    const lines = jsonLines(result.stdout)
    const epochs = lines.filter((l) => "epoch" in l)
    expect(epochs).toHaveLength(16)
    expect(epochs.map((e) => `${e.point}:${e.seed}:${e.epoch}`).sort()[0]).toBe("1:1:1")
    const ranking = lines.filter((l) => "rank" in l)
    expect(ranking.map((r) => r.rank)).toEqual([1, 2, 3, 4])
    expect(ranking.map((r) => join(out, (sweepFile(out).ranking[(r.rank as number) - 1]!.folder)))).toEqual(ranking.map((r) => r.folder))
  })

  it("Ctrl-C stops every run after its batch; --resume finishes the sweep with the ranking of one never stopped", async () => {
    const stopped = join(dir, "stopped")
    const long = ["sweep", "--data", data.dir, "--grid", "eta=1,3", "--set", "layers=784-16-10", "--set", "epochs=30", "--seeds", "1", "--validation", "200", "--out", stopped, "--json"]
    const { code, stderr } = await interruptedAfterFirstLine(long)
    expect(code, stderr).toBe(130)
    expect(stderr).toContain(`to continue: node ${cliPath} sweep --resume ${stopped}`)
    expect(existsSync(join(stopped, "sweep.json"))).toBe(true)
    const resumed = descent(["sweep", "--resume", stopped, "--data", data.dir, "--json"])
    expect(resumed.code, resumed.stderr).toBe(0)
    const straight = descent([...long.slice(0, -3), "--out", join(dir, "straight"), "--json"])
    expect(straight.code, straight.stderr).toBe(0)
    const ranks = (stdout: string) => jsonLines(stdout).filter((l) => "rank" in l).map((l) => [l.settings, l.validationAccuracy])
    expect(ranks(resumed.stdout)).toEqual(ranks(straight.stdout))
  }, 120_000)

  const refused: Array<[string, Array<string>, RegExp]> = [
    ["a setting train would refuse, named with its point", ["--grid", "optimizer=sgd,momentum", "--set", "beta1=0.8"], /^descent: point 1 \(optimizer=sgd\): --beta1: only --optimizer adam or adamw uses it, not sgd\n$/],
    ["a value train would refuse", ["--grid", "eta=1,-2"], /^descent: point 2 \(eta=-2\): --eta -2: the learning rate must be a number above 0, like 3\.0/],
    ["the sweep's own flags in the grid", ["--grid", "seed=1,2"], /^descent: --grid seed=…: seed is the sweep's own \(give descent sweep --seeds once\)/],
    ["an unknown setting", ["--grid", "etta=1,2"], /^descent: --grid etta=…: etta is not a setting a sweep can vary; give one of layers, activation/],
    ["a value twice", ["--grid", "eta=1,1"], /^descent: --grid eta=1,1: each value once/],
    ["a setting both varied and set", ["--grid", "eta=1,3", "--set", "eta=2"], /^descent: eta is given twice among --grid and --set: give each setting once/],
    ["no grid", ["--set", "eta=2"], /^descent: give at least one --grid SETTING=V1,V2,… to sweep over/],
    ["no validation", ["--grid", "eta=1,3", "--validation", "0"], /^descent: --validation 0: a sweep ranks on held-out images/]
  ]
  for (const [what, args, message] of refused) {
    it(`refuses ${what}: exit 2, one line, nothing written`, () => {
      const out = join(dir, `refused-${what.replace(/\W+/g, "-")}`)
      const result = descent(["sweep", "--data", data.dir, ...args, "--out", out])
      expect(result.code).toBe(2)
      expectOneErrorLine(result.stderr, message)
      expect(existsSync(out)).toBe(false)
    })
  }

  it("refuses another sweep's folder, leaving it as it was", () => {
    const before = readdirSync(root).sort()
    const result = descent(["sweep", "--data", data.dir, "--grid", "eta=1,2", "--seeds", "1", "--validation", "200", "--out", root])
    expect(result.code).toBe(2)
    expectOneErrorLine(result.stderr, /this folder holds another sweep \(its grid, settings or seeds differ\); continue it with descent sweep --resume/)
    expect(readdirSync(root).sort()).toEqual(before)
  })
})
