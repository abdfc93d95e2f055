/**
 * A picture of a handwritten digit made the way MNIST's digits were made (LeCun et al.): grey
 * levels, ink bright on a dark background, the digit's bounding box scaled to fit 20×20
 * keeping its aspect ratio (with area averaging, which anti-aliases), then placed in a 28×28
 * field so that its centre of mass sits at the centre. One function for every place a digit
 * comes from: `descent predict --image` (a PNG) and the web page's drawing canvas.
 *
 * Not for: decoding image files (the CLI's `Picture` does, for PNGs), or scaling pixels to
 * input activations (see `@descent/core`'s `Dataset.inputOf`).
 *
 * @since 0.3.0
 */

/**
 * A grey picture of ink.
 *
 * @since 0.3.0
 * @category models
 */
export interface Picture {
  readonly rows: number
  readonly cols: number
  /** (rows, cols) bytes: 0 background, 255 ink. */
  readonly pixels: Uint8Array
}

/**
 * A picture of ink, converted as MNIST's digits were: fit to 20×20, centred by mass in 28×28.
 * `undefined` when there is no ink at all.
 *
 * @since 0.3.0
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

