/**
 * Pictures made of pixels, for the tiles of the analysis commands' pictures: an RGBA canvas,
 * 28×28 images drawn at a scale, and grey for ink (the weights' diverging scale is the page's,
 * `@descent/web`'s `Colour`) —
 * encoded to PNG by `pngjs`, never by hand.
 *
 * Not for: words, titles or layout, which `Svg` draws around these tiles in a real font.
 *
 * @since 0.1.0
 */
import { PNG } from "pngjs"

/**
 * @since 0.1.0
 * @category models
 */
export interface Raster {
  readonly width: number
  readonly height: number
  /** (height, width, 4) bytes: red, green, blue, alpha. */
  readonly data: Uint8Array
}

/**
 * @since 0.1.0
 * @category models
 */
export type Rgb = readonly [number, number, number]

/**
 * A canvas filled with one colour.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (width: number, height: number, background: Rgb = [255, 255, 255]): Raster => {
  const data = new Uint8Array(width * height * 4)
  for (let i = 0; i < width * height; i++) data.set([...background, 255], 4 * i)
  return { width, height, data }
}

/**
 * Paints one pixel (ignored outside the canvas).
 *
 * @since 0.1.0
 * @category drawing
 */
export const set = (raster: Raster, x: number, y: number, [r, g, b]: Rgb): void => {
  if (x < 0 || y < 0 || x >= raster.width || y >= raster.height) return
  const i = 4 * (y * raster.width + x)
  raster.data[i] = r
  raster.data[i + 1] = g
  raster.data[i + 2] = b
  raster.data[i + 3] = 255
}

/**
 * Paints a rows × cols image at (left, top), each image pixel a `scale` × `scale` square;
 * pixels whose colour is `undefined` are left as they were.
 *
 * @since 0.1.0
 * @category drawing
 */
export const tile = (
  raster: Raster,
  left: number,
  top: number,
  rows: number,
  cols: number,
  scale: number,
  colour: (row: number, col: number) => Rgb | undefined
): void => {
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const c = colour(y, x)
      if (c === undefined) continue
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) set(raster, left + x * scale + dx, top + y * scale + dy, c)
    }
  }
}

/**
 * Ink as grey: 0 white paper, 255 black ink (the way digits are drawn on paper).
 *
 * @since 0.1.0
 * @category colours
 */
export const ink = (value: number): Rgb => {
  const v = 255 - Math.max(0, Math.min(255, Math.round(value)))
  return [v, v, v]
}

/**
 * The canvas as PNG bytes.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toPng = (raster: Raster): Uint8Array => {
  const png = new PNG({ width: raster.width, height: raster.height })
  png.data.set(raster.data)
  return new Uint8Array(PNG.sync.write(png))
}
