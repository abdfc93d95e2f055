/**
 * Pictures of digits: a PNG of any size the memory allowed can decode turned into a 28×28
 * MNIST-style image, and any image drawn in the terminal.
 *
 * The conversion to 28×28 is `@descent/data`'s `Digit.toMnist`, the one the web page uses too.
 *
 * Not for: checking the PNG file itself (see `Png`), which happens before any pixel is decoded.
 *
 * @since 0.1.0
 */
import { Memory } from "@descent/core"
import { Digit } from "@descent/data"
import { Effect } from "effect"
import { PNG } from "pngjs"
import * as Png from "./Png.js"
import { PngError } from "./PngError.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Picture = Digit.Picture

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
 * `undefined` when there is no ink at all. (Since 0.3.0 it lives in `@descent/data`'s `Digit`,
 * where the web page's drawing canvas uses the very same function.)
 *
 * @since 0.1.0
 * @category conversions
 */
export const toMnist: (ink: Picture) => Picture | undefined = Digit.toMnist

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
