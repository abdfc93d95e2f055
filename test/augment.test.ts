// `descent augment`, end to end through the built CLI: the picture of an image and its augmented
// versions (a PNG of the size its layout gives, an SVG whose tiles and words can be read), the
// same bytes from the same seed and others from another, and bad input refused in one line
// with no file left behind.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { PNG } from "pngjs"
import { describe, expect, it } from "vitest"
import { descent, expectOneErrorLine, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(300, 100)
const dir = temporary("augment")

// The picture's height: the heading (78), two rows of cells (a 112-pixel tile, its label and a
// gap: 154 each) for the original and 15 versions in 8 columns, and the key (96).
const height = 78 + 2 * 154 + 96

describe("descent augment", () => {
  it("writes a PNG of the original and 15 versions, and says what it wrote in one line", () => {
    const out = join(dir, "aug.png")
    const result = descent(["augment", "--index", "7", "--data", data.dir, "--out", out])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe(`${out}: training image 7 (label 7) and 15 augmented versions of it, drawn from seed 1\n`)
    const png = PNG.sync.read(readFileSync(out))
    expect(png.height).toBe(height)
    // Eight columns of 112-pixel tiles (and their gaps) between the margins; the key is no wider.
    expect(png.width).toBeGreaterThanOrEqual(2 * 20 + 8 * 112 + 7 * 18)
    expect(png.width).toBeLessThan(1300)
  })

  it("draws labelled tiles of the image's pixels, each four screen pixels to one, with a title and a key", () => {
    const out = join(dir, "aug.svg")
    const result = descent(["augment", "--index", "3", "--set", "test", "--count", "5", "--seed", "9", "--data", data.dir, "--out", out])
    expect(result.code, result.stderr).toBe(0)
    const svg = readFileSync(out, "utf8")
    const tiles = [...svg.matchAll(/<image x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"/g)].map((m) => m.slice(1).map(Number))
    expect(tiles).toHaveLength(6)
    for (const [, , width, tileHeight] of tiles) expect([width, tileHeight]).toEqual([112, 112])
    const words = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, "&"))
    expect(words[0]).toBe("What augmentation would make: test image 3 (label 3), 5 augmentations, seed 9")
    expect(words).toEqual(expect.arrayContaining(["original", "seed 9 · #1", "seed 9 · #5", "Key:"]))
    // The original tile is the test image itself: its first row of pixels, 4 × 4 squares of grey.
    const original = PNG.sync.read(Buffer.from(/href="data:image\/png;base64,([^"]+)"/.exec(svg)![1]!, "base64"))
    for (let x = 0; x < 28; x++) expect(original.data[4 * (4 * x)]).toBe(255 - data.test.pixels[3 * 784 + 28 * 0 + x]!)
  })

  it("gives the same bytes for the same command, and other versions for another seed", () => {
    const run = (name: string, seed: string) => {
      const out = join(dir, name)
      const result = descent(["augment", "--index", "12", "--count", "7", "--seed", seed, "--data", data.dir, "--out", out])
      expect(result.code, result.stderr).toBe(0)
      return readFileSync(out)
    }
    expect(run("b.png", "4").equals(run("a.png", "4"))).toBe(true)
    // The versions themselves differ (not only the seed in the words): the tiles' pixels.
    const tiles = (svg: Buffer) => [...svg.toString("utf8").matchAll(/href="data:image\/png;base64,([^"]+)"/g)].map((m) => m[1]!)
    const four = tiles(run("four.svg", "4"))
    const five = tiles(run("five.svg", "5"))
    expect(four).toHaveLength(8)
    expect(five[0]).toBe(four[0])
    for (let n = 1; n < 8; n++) expect(five[n], `version ${n}`).not.toBe(four[n])
    expect(new Set(four.slice(1)).size).toBe(7)
  })

  it("refuses an index beyond the set, in one line naming the flag, and writes nothing", () => {
    const out = join(dir, "beyond.png")
    const bundled = descent(["augment", "--index", "60000", "--out", out])
    expect(bundled.code).toBe(2)
    expectOneErrorLine(bundled.stderr, /^descent: --index 60000: the train set has images 0 to 59999$/m)
    const tiny = descent(["augment", "--index", "100", "--set", "test", "--data", data.dir, "--out", out])
    expect(tiny.code).toBe(2)
    expectOneErrorLine(tiny.stderr, /--index 100: the test set has images 0 to 99/)
    const negative = descent(["augment", "--index", "-1", "--data", data.dir, "--out", out])
    expect(negative.code).toBe(2)
    expectOneErrorLine(negative.stderr, /--index -1: the train set has images 0 to 299/)
    expect(existsSync(out)).toBe(false)
    expect(bundled.stdout + tiny.stdout + negative.stdout).toBe("")
  })

  it("refuses other bad input in one line: the picture's format, the count, the set, the seed, a missing --out", () => {
    const x = join(dir, "x.png")
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [["--out", join(dir, "aug.jpg")], /--out .*aug\.jpg: the augmentations are drawn as a picture; give a file ending in \.png or \.svg/],
      [["--out", x, "--count", "0"], /--count 0: draw between 1 and 99 augmented versions/],
      [["--out", x, "--count", "100"], /--count 100: draw between 1 and 99 augmented versions/],
      [["--out", x, "--set", "validation"], /--set validation: give train or test/],
      [["--out", x, "--seed", "4294967296"], /--seed 4294967296: give a 32-bit integer/],
      [[], /--out FILE\.png\|FILE\.svg is missing/]
    ]
    for (const [args, message] of cases) {
      const result = descent(["augment", "--index", "0", "--data", data.dir, ...args])
      expect(result.code, args.join(" ")).toBe(2)
      expectOneErrorLine(result.stderr, message)
      expect(result.stdout).toBe("")
    }
    expect(existsSync(x) || existsSync(join(dir, "aug.jpg"))).toBe(false)
  })

  it("cannot write into a folder that does not exist, or over a folder: one line, and nothing left half written", () => {
    const missing = descent(["augment", "--index", "0", "--data", data.dir, "--out", join(dir, "no", "such", "aug.png")])
    expect(missing.code).toBe(1)
    expectOneErrorLine(missing.stderr, /no[/\\]such[/\\]aug\.png: cannot write/)
    const folder = join(dir, "taken.png")
    mkdirSync(folder)
    const over = descent(["augment", "--index", "0", "--data", data.dir, "--out", folder])
    expect(over.code).toBe(1)
    expectOneErrorLine(over.stderr, /taken\.png: cannot write/)
    expect(readdirSync(folder)).toEqual([])
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([])
  })
})
