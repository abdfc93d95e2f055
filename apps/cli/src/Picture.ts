/**
 * Pictures of digits: a PNG of any size the memory allowed can decode turned into a 28×28
 * MNIST-style image, and any image drawn in the terminal.
 *
 * The conversion follows the way MNIST's digits were made (LeCun et al.): grey levels, ink
 * bright on a dark background, the digit's bounding box scaled to fit 20×20 keeping its aspect
 * ratio (with area averaging, which anti-aliases), then placed in a 28×28 field so that its
 * centre of mass sits at the centre.
 *
 * Not for: checking the PNG file itself (see `Png`), which happens before any pixel is decoded.
 *
 * @since 0.1.0
 */
import { Memory } from "@descent/core"
import { Effect } from "effect"
import { PNG } from "pngjs"
import * as Png from "./Png.js"
import { PngError } from "./PngError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Picture {
  readonly rows: number
  readonly cols: number
  /** (rows, cols) bytes: 0 background, 255 ink. */
  readonly pixels: Uint8Array
}

/**
 * Decodes a PNG into grey ink levels (0 background … 255 ink). Transparent pixels count as
 * paper; dark ink on light paper is inverted so that ink is always bright, as in MNIST.
 *
 * The file is checked whole first (`Png.check`): a PNG that is cut short or damaged, or whose
 * decoding would need more memory than `limit`, is an error before pngjs sees it. `path` names
 * the file in the errors. (Since 0.3.0 an Effect, with `path` and `limit`; before, it threw.)
 *
 * @since 0.1.0
 * @category decoding
 */
export const inkOfPng = (
  bytes: Uint8Array,
  path: string,
  limit: Memory.Limit
): Effect.Effect<Picture, PngError | Memory.MemoryLimitError> =>
  Effect.flatMap(Png.check(bytes, path, limit), ({ end }) =>
    Effect.try({
      try: () => {
        const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, end))
        return inkOfRgba(png.data, png.width, png.height)
      },
      // Whatever the checks could not foresee (a palette index past the palette's end, say).
      catch: (error) => new PngError({ reason: "Undecodable", path, detail: `pngjs: ${error instanceof Error ? error.message : String(error)}` })
    }))

// Grey ink from (height, width, 4) RGBA bytes, in two passes (the mean, then the ink) so that
// nothing but the result is allocated: one byte a pixel.
const inkOfRgba = (data: Uint8Array, width: number, height: number): Picture => {
  const count = width * height
  const grey = (i: number) => {
    const a = data[4 * i + 3]! / 255
    return a * (0.299 * data[4 * i]! + 0.587 * data[4 * i + 1]! + 0.114 * data[4 * i + 2]!) + (1 - a) * 255
  }
  let sum = 0
  for (let i = 0; i < count; i++) sum += grey(i)
  const lightPaper = sum / count > 127.5
  const pixels = new Uint8Array(count)
  for (let i = 0; i < count; i++) pixels[i] = Math.round(lightPaper ? 255 - grey(i) : grey(i))
  return { rows: height, cols: width, pixels }
}

/**
 * A picture of ink, converted as MNIST's digits were: fit to 20×20, centred by mass in 28×28.
 * `undefined` when there is no ink at all.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toMnist = (ink: Picture): Picture | undefined => {
  const { cols, pixels, rows } = ink
  let max = 0
  for (const v of pixels) max = Math.max(max, v)
  if (max === 0) return undefined
  // Bounding box of the ink, ignoring faint noise below 10% of the strongest ink.
  const threshold = max * 0.1
  let top = rows, bottom = -1, left = cols, right = -1
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      if (pixels[y * cols + x]! > threshold) {
        top = Math.min(top, y)
        bottom = Math.max(bottom, y)
        left = Math.min(left, x)
        right = Math.max(right, x)
      }
    }
  }
  const boxH = bottom - top + 1
  const boxW = right - left + 1
  const scale = 20 / Math.max(boxH, boxW)
  const outH = Math.max(1, Math.round(boxH * scale))
  const outW = Math.max(1, Math.round(boxW * scale))
  // Area averaging: each output pixel is the mean of the source area it covers, sampled 8×8.
  const fitted = new Float64Array(outH * outW)
  const samples = 8
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let total = 0
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const srcY = top + Math.min(boxH - 1, Math.floor(((y + (sy + 0.5) / samples) / outH) * boxH))
          const srcX = left + Math.min(boxW - 1, Math.floor(((x + (sx + 0.5) / samples) / outW) * boxW))
          total += pixels[srcY * cols + srcX]!
        }
      }
      fitted[y * outW + x] = total / (samples * samples)
    }
  }
  // Centre of mass of the fitted digit, placed at pixel (14, 14) of the 28×28 field — where
  // MNIST's own digits have it (measured over its 10,000 test images: 13.99, 14.01).
  let mass = 0, my = 0, mx = 0
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = fitted[y * outW + x]!
      mass += v
      my += v * y
      mx += v * x
    }
  }
  const offsetY = Math.round(14 - my / mass)
  const offsetX = Math.round(14 - mx / mass)
  const out = new Uint8Array(28 * 28)
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const ty = y + offsetY
      const tx = x + offsetX
      if (ty >= 0 && ty < 28 && tx >= 0 && tx < 28) out[ty * 28 + tx] = Math.round(fitted[y * outW + x]!)
    }
  }
  return { rows: 28, cols: 28, pixels: out }
}

const ramp = " .:-=+*#%@"

/**
 * The picture as text in a frame, two characters per pixel, denser characters for more ink.
 *
 * @since 0.1.0
 * @category drawing
 */
export const draw = (picture: Picture): string => {
  const lines: Array<string> = ["┌" + "─".repeat(2 * picture.cols) + "┐"]
  for (let y = 0; y < picture.rows; y++) {
    let line = "│"
    for (let x = 0; x < picture.cols; x++) {
      const v = picture.pixels[y * picture.cols + x]!
      const c = ramp[Math.min(ramp.length - 1, Math.floor((v / 256) * ramp.length))]!
      line += c + c
    }
    lines.push(line + "│")
  }
  lines.push("└" + "─".repeat(2 * picture.cols) + "┘")
  return lines.join("\n")
}
