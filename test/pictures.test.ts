// Every picture explains itself, in words drawn in the font that ships with descent: the SVG
// holds the title, labels and key as text; the PNG is exactly what resvg draws from that SVG
// with the machine's fonts hidden and only the shipped font given — so it looks the same on a
// machine without any fonts — and its words are there as ink.
//
// The PNGs are made by descent running with the system's fonts truly hidden: in a mount
// namespace (`unshare -rm`, Linux) where an empty tmpfs covers every folder resvg looks in.
// Where that cannot be done, they are made normally and this is said in a note — unless
// DESCENT_REQUIRE_FONTLESS=1 (CI), which makes it a failure.
import { Resvg } from "@resvg/resvg-js"
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { PNG } from "pngjs"
import { describe, expect, it } from "vitest"
import { createRequire } from "node:module"
import { dirname } from "node:path"
import { cliPath, descent, jsonLines, type Result, temporary, tinyMnist } from "./fixtures.js"

const fontFolders = ["/usr/share/fonts", "/usr/local/share/fonts", "$HOME/.fonts", "$HOME/.local/share/fonts"]
const hide = `for d in ${fontFolders.map((f) => `"${f}"`).join(" ")}; do if [ -d "$d" ]; then mount -t tmpfs none "$d" || exit 97; fi; done`
const fontless = (command: ReadonlyArray<string>) =>
  spawnSync("unshare", ["-rm", "sh", "-c", `${hide}; exec "$0" "$@"`, ...command], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
// Whether fonts can be hidden here, checked by looking: no font file left in any of the folders.
const probe = fontless(["sh", "-c", `find ${fontFolders.map((f) => `"${f}"`).join(" ")} -type f 2>/dev/null | wc -l`])
const canHide = probe.status === 0 && probe.stdout.trim() === "0"
if (!canHide) {
  if (process.env.DESCENT_REQUIRE_FONTLESS === "1") {
    throw new Error(`DESCENT_REQUIRE_FONTLESS: cannot hide the system's fonts with unshare -rm (${probe.error?.message ?? probe.stderr.trim()})`)
  }
  console.warn("note: unshare -rm is not available here; the pictures are rendered with the system's fonts present")
}

// descent with the system's fonts hidden (where they can be).
const drawn = (args: ReadonlyArray<string>): Result => {
  if (!canHide) return descent(args)
  const result = fontless([process.execPath, cliPath, ...args])
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

// The shipped font, found where descent's CLI finds it: the dejavu-fonts-ttf package it declares.
const fontFolder = join(dirname(createRequire(join(import.meta.dirname, "../apps/cli/package.json")).resolve("dejavu-fonts-ttf/package.json")), "ttf")
const shippedFont = [join(fontFolder, "DejaVuSans.ttf"), join(fontFolder, "DejaVuSans-Bold.ttf")]
const family = "DejaVu Sans"

const data = tinyMnist(300, 100)
const dir = temporary("pictures")
const base = ["--data", data.dir, "--layers", "784,16,10", "--eta", "1.0"]
const trained = [
  descent(["train", ...base, "--epochs", "3", "--out", join(dir, "a", "r")]),
  descent(["train", ...base, "--epochs", "3", "--out", join(dir, "b", "r")]),
  descent(["train", ...base, "--epochs", "2", "--cost", "cross-entropy", "--seed", "5", "--out", join(dir, "xent")])
]
const model = join(dir, "a", "r", "model.json")

// The words of an SVG: the content of each <text> element (Vega and descent write plain text).
const texts = (svg: string): Array<string> =>
  [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) =>
    m[1]!.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&"))

const render = (svg: string, zoom: number, fontFiles: ReadonlyArray<string>) =>
  new Resvg(svg, {
    fitTo: { mode: "zoom", value: zoom },
    font: { loadSystemFonts: false, fontFiles: [...fontFiles], defaultFontFamily: family, sansSerifFamily: family }
  }).render()

const differing = (a: Uint8Array, b: Uint8Array): number => {
  let n = 0
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++
  return n
}

// The checks every picture gets: its words are in the SVG; its PNG is the SVG drawn with system
// fonts hidden; the words are ink in the PNG (at least 10 pixels a letter that would be bare
// paper without them) — and without the shipped font, they would be missing.
const checkPicture = (svgFile: string, pngFile: string, words: ReadonlyArray<string | RegExp>) => {
  const svg = readFileSync(svgFile, "utf8")
  const found = texts(svg)
  for (const word of words) {
    expect(found.some((t) => (typeof word === "string" ? t.includes(word) : word.test(t))), `${String(word)} in ${svgFile}`).toBe(true)
  }
  const png = PNG.sync.read(readFileSync(pngFile))
  const zoom = png.width / Number(/<svg[^>]* width="(\d+(?:\.\d+)?)"/.exec(svg)![1])
  const shipped = render(svg, zoom, shippedFont)
  expect([shipped.width, shipped.height]).toEqual([png.width, png.height])
  expect(differing(new Uint8Array(png.data), new Uint8Array(shipped.pixels)), "the PNG is the SVG drawn in the shipped font").toBe(0)
  const letters = found.join("").replace(/\s/g, "").length
  const bare = render(svg.replace(/<text[^>]*>[\s\S]*?<\/text>/g, ""), zoom, shippedFont)
  expect(differing(new Uint8Array(png.data), new Uint8Array(bare.pixels))).toBeGreaterThan(10 * letters * zoom * zoom)
  // No font at all (a renderer left to the system's, on a machine that has none): no words.
  const fontless = render(svg, zoom, [])
  expect(differing(new Uint8Array(fontless.pixels), new Uint8Array(bare.pixels))).toBe(0)
  return found
}

describe("pictures people read without help", () => {
  it("trains the runs to draw", () => {
    for (const result of trained) expect(result.code, result.stderr).toBe(0)
  })

  it("descent weights: a title, every neuron numbered with its scale, and a colour key", () => {
    const svg = join(dir, "weights.svg")
    const png = join(dir, "weights.png")
    for (const [out, run] of [[svg, descent], [png, drawn]] as const) {
      const result = run(["weights", "--model", model, "--out", out])
      expect(result.code, result.stderr).toBe(0)
    }
    const neurons = Array.from({ length: 16 }, (_, j) => `neuron ${j}`)
    const found = checkPicture(svg, png, [
      "First-layer weights: what each of the 16 hidden neurons responds to",
      "a 784-16-10 network, sigmoid hidden layers",
      ...neurons,
      /^largest \|w\| \d+\.\d\d$/,
      "Colour key (for each tile):",
      "−largest |w|",
      "+largest |w|",
      "Blue: ink at that pixel raises the neuron's weighted sum; red: ink there lowers it; white: no effect."
    ])
    expect(found.filter((t) => /^neuron \d+$/.test(t))).toEqual(neurons)
    expect(found.filter((t) => t.startsWith("largest |w|"))).toHaveLength(16)
    // The tiles themselves, blue and red.
    const pixels = PNG.sync.read(readFileSync(png)).data
    let blue = 0, red = 0
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 2]! > pixels[i]! + 60) blue++
      if (pixels[i]! > pixels[i + 2]! + 60) red++
    }
    expect(blue).toBeGreaterThan(1000)
    expect(red).toBeGreaterThan(1000)
  })

  it("descent mistakes: a title, each image's true label, what the network said, its confidence and index, and a key", () => {
    const svg = join(dir, "mistakes.svg")
    const png = join(dir, "mistakes.png")
    const result = descent(["mistakes", "--model", model, "--data", data.dir, "--out", svg, "--count", "8", "--json"])
    expect(result.code, result.stderr).toBe(0)
    expect(drawn(["mistakes", "--model", model, "--data", data.dir, "--out", png, "--count", "8"]).code).toBe(0)
    const report = jsonLines(result.stdout)[0] as { wrong: number; shown: Array<{ index: number; label: number; said: number; confidence: number }> }
    expect(report.shown.length).toBe(Math.min(8, report.wrong))
    expect(report.shown.length).toBeGreaterThan(0)
    checkPicture(svg, png, [
      `The ${report.shown.length} test images the network gets most confidently wrong`,
      `${report.wrong} of 100 test images named wrongly`,
      "Key:",
      ...report.shown.flatMap((m) => [`true ${m.label} → said ${m.said}`, `confidence ${m.confidence.toFixed(3)}`, `test image ${m.index}`])
    ])
  })

  it("descent plot: runs named apart, each cost on its own axis, identical runs said to be so", () => {
    const svg = join(dir, "plot.svg")
    const png = join(dir, "plot.png")
    const records = [join(dir, "a", "r", "run.json"), join(dir, "b", "r", "run.json"), join(dir, "xent", "run.json")]
    for (const [out, run] of [[svg, descent], [png, drawn]] as const) {
      const result = run(["plot", ...records, "--out", out])
      expect(result.code, result.stderr).toBe(0)
    }
    const found = checkPicture(svg, png, [
      "Learning curves of 3 runs",
      "Training cost (quadratic)",
      "Training cost (cross-entropy)",
      "Test accuracy",
      "quadratic cost",
      "cross-entropy cost",
      "test accuracy",
      "epoch",
      "a/r",
      "b/r (= a/r)",
      "xent",
      "b/r is identical to a/r (same parameters after every epoch): its lines lie on top of them."
    ])
    // Never the ambiguous names of before.
    expect(found).not.toContain("r")
    expect(found.some((t) => t.includes("r (2)"))).toBe(false)
  })

  it.runIf(canHide)("a picture drawn with the system's fonts hidden is the same as one drawn with them", () => {
    const hidden = join(dir, "hidden.png")
    const shown = join(dir, "shown.png")
    expect(drawn(["weights", "--model", model, "--out", hidden]).code).toBe(0)
    expect(descent(["weights", "--model", model, "--out", shown]).code).toBe(0)
    expect(readFileSync(hidden).equals(readFileSync(shown))).toBe(true)
  })

  it("descent plot refuses a run record given twice", () => {
    const record = join(dir, "a", "r", "run.json")
    const result = descent(["plot", record, record, "--out", join(dir, "twice.svg")])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/run\.json is given twice: give each run record once/)
  })
})
