import { Memory } from "@descent/core"
import * as NodeMnist from "@descent/data/NodeMnist"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { PNG } from "pngjs"
import * as Picture from "../src/Picture.js"

const pngOf = (pixels: Uint8Array, rows: number, cols: number, scale: number, darkInk: boolean) => {
  const image = new PNG({ width: cols * scale, height: rows * scale })
  for (let y = 0; y < rows * scale; y++) {
    for (let x = 0; x < cols * scale; x++) {
      const ink = pixels[Math.floor(y / scale) * cols + Math.floor(x / scale)]!
      const i = 4 * (y * cols * scale + x)
      image.data[i] = image.data[i + 1] = image.data[i + 2] = darkInk ? 255 - ink : ink
      image.data[i + 3] = 255
    }
  }
  return new Uint8Array(PNG.sync.write(image))
}

const ink = (png: Uint8Array) => Picture.inkOfPng(png, "digit.png", Memory.standard)

// inkOfPng as it was in 0.2.0 (one Float64Array of grey levels): the reference the one-pass
// version must match to the byte.
const inkBefore = (bytes: Uint8Array): Picture.Picture => {
  const png = PNG.sync.read(Buffer.from(bytes))
  const { data, height, width } = png
  const grey = new Float64Array(width * height)
  let sum = 0
  for (let i = 0; i < grey.length; i++) {
    const [r, g, b, a] = [data[4 * i]!, data[4 * i + 1]!, data[4 * i + 2]!, data[4 * i + 3]! / 255]
    const value = a * (0.299 * r + 0.587 * g + 0.114 * b) + (1 - a) * 255
    grey[i] = value
    sum += value
  }
  const lightPaper = sum / grey.length > 127.5
  const pixels = Uint8Array.from(grey, (v) => Math.round(lightPaper ? 255 - v : v))
  return { rows: height, cols: width, pixels }
}

// A PNG of seeded colours and alphas, written by pngjs as `colorType` at `bitDepth`.
const noisyPng = (width: number, height: number, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16, bright: boolean, seed: number) => {
  let state = seed
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24
  const image = new PNG({ width, height, colorType, bitDepth, inputHasAlpha: true })
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) image.data[4 * i + c] = bright ? 128 + (next() >> 1) : next() >> 1
    image.data[4 * i + 3] = next()
  }
  const bytes = new Uint8Array(PNG.sync.write(image, { colorType, bitDepth, inputHasAlpha: true }))
  expect([bytes[24], bytes[25]]).toEqual([bitDepth, colorType]) // as IHDR says
  return bytes
}

describe("Picture", () => {
  it.effect("an MNIST digit, enlarged and drawn dark on white, comes back close to itself", () =>
    Effect.gen(function* () {
      const { test } = yield* NodeMnist.loadBundled
      for (const index of [0, 1, 2, 3, 4]) {
        const original = (test.pixels as Uint8Array).slice(index * 784, (index + 1) * 784)
        for (const [scale, darkInk] of [[3, true], [5, false]] as const) {
          const back = Picture.toMnist(yield* ink(pngOf(original, 28, 28, scale, darkInk)))!
          expect([back.rows, back.cols]).toEqual([28, 28])
          let diff = 0
          for (let i = 0; i < 784; i++) diff += Math.abs(back.pixels[i]! - original[i]!)
          // MNIST's digits are already fitted and centred, so the round trip moves little ink.
          expect(diff / 784).toBeLessThan(25)
        }
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("decodes a PNG to exactly the ink it gave before the checks and the one-pass grey", () =>
    Effect.gen(function* () {
      const { test } = yield* NodeMnist.loadBundled
      const pngs = [
        pngOf((test.pixels as Uint8Array).subarray(0, 784), 28, 28, 3, true),
        pngOf((test.pixels as Uint8Array).subarray(784, 1568), 28, 28, 2, false),
        ...([0, 2, 4, 6] as const).flatMap((colorType) =>
          ([8, 16] as const).flatMap((bitDepth) => [true, false].map((bright) => noisyPng(37, 23, colorType, bitDepth, bright, colorType * 31 + bitDepth)))
        )
      ]
      for (const png of pngs) {
        const before = inkBefore(png)
        const after = yield* ink(png)
        expect([after.rows, after.cols]).toEqual([before.rows, before.cols])
        expect(after.pixels).toEqual(before.pixels)
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a damaged PNG fails with a PngError, never a throw", () =>
    Effect.gen(function* () {
      const png = pngOf(new Uint8Array(784).fill(200), 28, 28, 1, true)
      const error = yield* Effect.flip(Picture.inkOfPng(png.subarray(0, png.length - 20), "cut.png", Memory.standard))
      expect(error._tag).toBe("PngError")
      expect(error.message).toMatch(/^cut\.png: the PNG is cut short/)
    }))

  it("a blank image has no digit", () => {
    const blank = { rows: 10, cols: 10, pixels: new Uint8Array(100) }
    expect(Picture.toMnist(blank)).toBeUndefined()
  })

  it("fits a wide digit into 20 columns, centred by mass", () => {
    // A 4×40 bar: the longer side becomes 20 pixels.
    const bar = { rows: 4, cols: 40, pixels: new Uint8Array(160).fill(255) }
    const fitted = Picture.toMnist(bar)!
    const inkColumns = new Set<number>()
    let mass = 0, my = 0
    for (let i = 0; i < 784; i++) {
      if (fitted.pixels[i]! > 0) inkColumns.add(i % 28)
      mass += fitted.pixels[i]!
      my += fitted.pixels[i]! * Math.floor(i / 28)
    }
    expect(inkColumns.size).toBe(20)
    // Whole-pixel placement: the centre of mass lands within half a pixel of (14, 14).
    expect(Math.abs(my / mass - 14)).toBeLessThanOrEqual(0.5)
  })
})
