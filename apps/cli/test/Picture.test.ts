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

describe("Picture", () => {
  it.effect("an MNIST digit, enlarged and drawn dark on white, comes back close to itself", () =>
    Effect.gen(function* () {
      const { test } = yield* NodeMnist.loadBundled
      for (const index of [0, 1, 2, 3, 4]) {
        const original = (test.pixels as Uint8Array).slice(index * 784, (index + 1) * 784)
        for (const [scale, darkInk] of [[3, true], [5, false]] as const) {
          const back = Picture.toMnist(Picture.inkOfPng(pngOf(original, 28, 28, scale, darkInk)))!
          expect([back.rows, back.cols]).toEqual([28, 28])
          let diff = 0
          for (let i = 0; i < 784; i++) diff += Math.abs(back.pixels[i]! - original[i]!)
          // MNIST's digits are already fitted and centred, so the round trip moves little ink.
          expect(diff / 784).toBeLessThan(25)
        }
      }
    }).pipe(Effect.provide(NodeContext.layer)))

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
