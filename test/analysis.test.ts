// The analysis commands and the training options the recipes need, end to end on the tiny
// dataset: images are checked as valid PNG/SVG of the right size, numbers for sanity.
import { describe, expect, it } from "vitest"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { PNG } from "pngjs"
import { descent, jsonLines, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(300, 100)
const dir = temporary("analysis")
const run = join(dir, "run")
const base = ["--data", data.dir, "--layers", "784,16,10", "--eta", "1.0"]
const trained = descent(["train", ...base, "--epochs", "3", "--out", run, "--json"])
const model = join(run, "model.json")

const readPng = (file: string) => PNG.sync.read(readFileSync(file))

describe("descent weights", () => {
  it("draws the 16 first-layer neurons as a 4×4 grid of 28×28 tiles, each weight 4×4 pixels", () => {
    expect(trained.code, trained.stderr).toBe(0)
    const out = join(dir, "weights.svg")
    const result = descent(["weights", "--model", model, "--out", out])
    expect(result.code, result.stderr).toBe(0)
    const svg = readFileSync(out, "utf8")
    const tiles = [...svg.matchAll(/<image x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"/g)].map((m) => m.slice(1).map(Number))
    expect(tiles).toHaveLength(16)
    for (const [, , width, height] of tiles) expect([width, height]).toEqual([112, 112])
    expect(new Set(tiles.map(([x]) => x)).size).toBe(4)
    expect(new Set(tiles.map(([, y]) => y)).size).toBe(4)
    // Each tile's pixels: 4×4 squares of one colour.
    const first = /href="data:image\/png;base64,([^"]+)"/.exec(svg)![1]!
    const tile = PNG.sync.read(Buffer.from(first, "base64"))
    for (let y = 0; y < 112; y++) {
      for (let x = 0; x < 112; x++) {
        const at = 4 * (y * 112 + x)
        const corner = 4 * ((y - (y % 4)) * 112 + (x - (x % 4)))
        expect(tile.data.subarray(at, at + 4)).toEqual(tile.data.subarray(corner, corner + 4))
      }
    }
  })

  it("refuses an output that is not a .png", () => {
    const result = descent(["weights", "--model", model, "--out", join(dir, "weights.jpg")])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/give a file ending in \.png or \.svg/)
  })
})

describe("descent plot", () => {
  const other = join(dir, "other")
  descent(["train", ...base, "--epochs", "2", "--seed", "9", "--out", other])

  it("writes an SVG with both runs on one chart", () => {
    const out = join(dir, "chart.svg")
    const result = descent(["plot", join(run, "run.json"), join(other, "run.json"), "--out", out])
    expect(result.code, result.stderr).toBe(0)
    const svg = readFileSync(out, "utf8")
    expect(svg).toMatch(/^<svg[^>]* width="\d+" height="\d+"/)
    expect(svg).toContain(">run<")
    expect(svg).toContain(">other<")
    expect(svg).toContain("Test accuracy")
  })

  it("writes a PNG of the same chart", () => {
    const out = join(dir, "chart.png")
    const result = descent(["plot", join(run, "run.json"), "--out", out])
    expect(result.code, result.stderr).toBe(0)
    const png = readPng(out)
    expect(png.width).toBeGreaterThan(800)
    expect(png.height).toBeGreaterThan(300)
  })
})

describe("descent noise", () => {
  it("reports the top activation on seeded noise beside real test images", () => {
    const result = descent(["noise", "--model", model, "--data", data.dir, "--count", "200", "--seed", "4", "--json"])
    expect(result.code, result.stderr).toBe(0)
    const [report] = jsonLines(result.stdout) as Array<{ noise: any; test: any }>
    for (const side of [report!.noise, report!.test]) {
      expect(side.images).toBe(side === report!.noise ? 200 : 100)
      expect(side.histogram.reduce((a: number, b: number) => a + b, 0)).toBe(side.images)
      expect(side.digits.reduce((a: number, b: number) => a + b, 0)).toBe(side.images)
      expect(side.meanTop).toBeGreaterThan(0)
      expect(side.meanTop).toBeLessThanOrEqual(1)
    }
    const again = descent(["noise", "--model", model, "--data", data.dir, "--count", "200", "--seed", "4", "--json"])
    expect(again.stdout).toBe(result.stdout)
  })
})

describe("descent mistakes", () => {
  it("draws the most confident mistakes, most confident first", () => {
    const out = join(dir, "mistakes.png")
    const result = descent(["mistakes", "--model", model, "--data", data.dir, "--out", out, "--count", "5", "--json"])
    expect(result.code, result.stderr).toBe(0)
    const [report] = jsonLines(result.stdout) as Array<any>
    const evaluation = jsonLines(descent(["eval", "--model", model, "--data", data.dir, "--json"]).stdout)[0]!
    expect(report.wrong).toBe(100 - (evaluation.correct as number))
    const confidences = report.shown.map((m: { confidence: number }) => m.confidence)
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences)
    for (const m of report.shown) expect(m.label).not.toBe(m.said)
    if (report.shown.length > 0) {
      const png = readPng(out)
      expect(png.width).toBeGreaterThan(0)
    }
  })
})

describe("training options for the experiments and recipes", () => {
  it("--shuffle-labels --subset: the network memorises random labels; the test set stays near chance", () => {
    // Images of pure noise, as in Zhang et al.'s random-pixels experiment: only memory helps.
    const noise = tinyMnist(300, 100, true)
    const out = join(dir, "memorise")
    const result = descent(["train", "--data", noise.dir, "--layers", "784,100,10", "--cost", "cross-entropy", "--init", "scaled", "--eta", "0.5", "--shuffle-labels", "--subset", "100", "--epochs", "40", "--out", out, "--json"])
    expect(result.code, result.stderr).toBe(0)
    const epochs = jsonLines(result.stdout)
    expect(epochs[0]!.trainAccuracy).toBeLessThan(0.5)
    expect(epochs[39]!.trainAccuracy).toBeGreaterThan(0.9)
    expect(epochs[39]!.testAccuracy).toBeLessThan(0.4)
    // Same seed, same permutation: the run replays.
    expect(descent(["replay", join(out, "run.json")]).code).toBe(0)
  })

  it("--validation holds out images and reports their accuracy each epoch", () => {
    const result = descent(["train", ...base, "--epochs", "2", "--validation", "50", "--out", join(dir, "validation"), "--json"])
    expect(result.code, result.stderr).toBe(0)
    for (const e of jsonLines(result.stdout)) {
      expect(e.validationAccuracy).toBeGreaterThanOrEqual(0)
      expect(e.validationAccuracy).toBeLessThanOrEqual(1)
    }
    const tooMany = descent(["train", ...base, "--validation", "300", "--out", join(dir, "x")])
    expect(tooMany.code).toBe(2)
    expect(tooMany.stderr).toMatch(/has 300 training images; hold out fewer/)
  })

  it("--seeds reports mean ± standard deviation of the final test accuracy, one folder per seed", () => {
    const out = join(dir, "seeds")
    const result = descent(["train", ...base, "--epochs", "2", "--seeds", "1,2,3", "--out", out, "--json"])
    expect(result.code, result.stderr).toBe(0)
    const lines = jsonLines(result.stdout)
    const summary = lines.pop() as any
    const finals = [1, 2, 3].map((seed) => lines.find((l) => l.seed === seed && l.epoch === 2)!.testAccuracy as number)
    expect(summary.testAccuracy.values).toEqual(finals)
    const mean = finals.reduce((a, b) => a + b, 0) / 3
    expect(summary.testAccuracy.mean).toBeCloseTo(mean, 12)
    expect(summary.testAccuracy.std).toBeCloseTo(Math.sqrt(finals.reduce((a, b) => a + (b - mean) ** 2, 0) / 2), 12)
    for (const seed of [1, 2, 3]) expect(existsSync(join(out, `seed-${seed}`, "run.json"))).toBe(true)
  })

  it("--output softmax with cross-entropy, --l2 and --eta-decay train a network whose outputs sum to 1", () => {
    const out = join(dir, "softmax")
    const result = descent(["train", ...base, "--epochs", "2", "--output", "softmax", "--cost", "cross-entropy", "--l2", "2.0", "--eta-decay", "0.9", "--out", out])
    expect(result.code, result.stderr).toBe(0)
    const predicted = jsonLines(descent(["predict", "--model", join(out, "model.json"), "--data", data.dir, "--index", "0", "--json"]).stdout)[0]!
    expect((predicted.outputs as Array<number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    const quadratic = descent(["train", ...base, "--output", "softmax", "--out", join(dir, "bad")])
    expect(quadratic.code).toBe(2)
    expect(quadratic.stderr).toMatch(/--output softmax: a softmax output layer is trained with --cost cross-entropy/)
    const decay = descent(["train", ...base, "--eta-decay", "1.5", "--out", join(dir, "bad")])
    expect(decay.code).toBe(2)
    expect(existsSync(join(dir, "bad"))).toBe(false)
  })
})
