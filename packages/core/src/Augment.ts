/**
 * Data augmentation: the training images moved a little before each epoch, so that the network
 * sees new images of the same digits every time — shifted, rotated and scaled about the
 * centre (an affine map), and bent by an elastic distortion as Simard, Steinkraus and Platt
 * define it ("Best Practices for Convolutional Neural Networks Applied to Visual Document
 * Analysis", ICDAR 2003, §2). Labels are left as they are.
 *
 * Each output pixel q is read from the original by inverse mapping: the point it shows is
 *
 *     p = A⁻¹(q) + α · (G_σ ∗ U)(q)
 *
 * where A is the affine map about the image's centre, U two fields of independent uniform
 * random numbers in [−1, 1) — one for the x displacements, one for the y — and G_σ a Gaussian
 * of standard deviation σ pixels (weights from `Numerics.exp`, truncated at 3σ and summing to
 * 1). The original is sampled at p by bilinear interpolation (outside the image is background,
 * 0) and rounded to the nearest byte (halves up). Only IEEE basic operations and
 * `Numerics` are used, so the same dataset, generator and options give the same bytes on every
 * engine, and an augmented run replays bit for bit.
 *
 * Simard's field, shared out: smoothing two fields per image is what costs (σ = 4 is 25 taps
 * each way), so `dataset` draws one field for the whole call on a canvas 16 images wide and
 * high, and gives each image a window of it at a random place. A window is Simard's field
 * exactly — uniform noise per pixel, smoothed by G_σ, times α — without his field's fading at
 * the image's edges (the canvas's noise reaches 3σ beyond any window); what differs is that
 * within one epoch two images' fields may overlap. So a call draws six numbers per image and
 * the canvas's noise (about 450,000 numbers for MNIST), all from the run's `Rng` — pure-rand's
 * xoroshiro128+, as every draw of descent's — and needs no second generator. MNIST's 60,000
 * training images take about 0.45 s an epoch on one core (Node 20, a 2.6 GHz EPYC); smoothing
 * a field of its own for each image took over 1.4 s with the cheapest smoothing (box blurs).
 *
 * The defaults (`defaults`): shifts of up to 2 pixels, turns of up to 10°, scaling by up to
 * ±10%, and an elastic field with Simard's σ = 4 but α = 24 rather than his 34 — displacements
 * of about 1 pixel (standard deviation) that change smoothly over about 6: strokes bend and
 * thin or thicken, and the digit stays the digit. Simard used the elastic field instead of an
 * affine map; with both, α = 34 smears a stroke into a blob in some images (`descent augment`
 * shows them), and 24 keeps them clean. A smaller σ makes noise rather than bends.
 *
 * Not for: test images (augment what the network learns from, never what it is judged on), or
 * choosing when to augment (the training loop calls `dataset` once per epoch).
 *
 * @since 0.4.0
 */
import * as Dataset from "./Dataset.js"
import * as Numerics from "./Numerics.js"
import * as Rng from "./Rng.js"
import type { ReadonlyFloat64Array, ReadonlyUint8Array } from "./Vector.js"

/**
 * How much an image may move: each image's shift, rotation and scale are drawn uniformly
 * from these ranges, and its elastic field from α and σ. Zero turns a part off: `maxShift`,
 * `maxRotation` and `maxScale` 0 leave the affine map the identity, `alpha` 0 turns the elastic
 * distortion off.
 *
 * @since 0.4.0
 * @category models
 */
export interface Options {
  /** Largest shift, in pixels, along each axis: shifts are drawn from [−maxShift, maxShift]. */
  readonly maxShift: number
  /** Largest rotation, in degrees either way: rotations are drawn from [−maxRotation, maxRotation]. */
  readonly maxRotation: number
  /** Largest change of size, as a fraction: scales are drawn from [1 − maxScale, 1 + maxScale]. */
  readonly maxScale: number
  /** Simard's α: the elastic displacements' scale, in pixels (0 = no elastic distortion). */
  readonly alpha: number
  /** Simard's σ: the smoothing Gaussian's standard deviation, in pixels. */
  readonly sigma: number
}

/**
 * Shifts of up to 2 pixels, rotations of up to 10°, scaling by up to ±10%, and Simard's
 * elastic distortion with his σ = 4 and α = 24 (see the module's header for why).
 *
 * @since 0.4.0
 * @category constants
 */
export const defaults: Options = { maxShift: 2, maxRotation: 10, maxScale: 0.1, alpha: 24, sigma: 4 }

/**
 * Every magnitude zero: each image comes out byte for byte as it went in.
 *
 * @since 0.4.0
 * @category constants
 */
export const none: Options = { maxShift: 0, maxRotation: 0, maxScale: 0, alpha: 0, sigma: 4 }

/**
 * `options` with every magnitude — the shift, the rotation, the scaling and α — multiplied by
 * `strength` (σ, the field's smoothness, kept): 1 gives `options`, 0.5 moves images half as
 * far, 0 not at all.
 *
 * @since 0.4.0
 * @category constructors
 */
export const scaled = (strength: number, options: Options = defaults): Options => ({
  maxShift: options.maxShift * strength,
  maxRotation: options.maxRotation * strength,
  maxScale: options.maxScale * strength,
  alpha: options.alpha * strength,
  sigma: options.sigma
})

/**
 * What is wrong with `options` (one line), or `undefined` when they can be used.
 *
 * @since 0.4.0
 * @category validation
 */
export const check = (options: Options): string | undefined => {
  const { alpha, maxRotation, maxScale, maxShift, sigma } = options
  const finite = (n: number) => Number.isFinite(n) && n >= 0
  if (!finite(maxShift)) return `a maximum shift of ${maxShift} pixels: give a number ≥ 0`
  if (!(finite(maxRotation) && maxRotation <= 180)) return `a maximum rotation of ${maxRotation}°: give a number from 0 to 180`
  if (!(finite(maxScale) && maxScale < 1)) return `a maximum scaling of ${maxScale}: give a fraction from 0 to below 1 (0.1 for ±10%)`
  if (!finite(alpha)) return `an elastic α of ${alpha}: give a number ≥ 0 (0 turns the elastic distortion off)`
  if (!(Number.isFinite(sigma) && sigma > 0 && sigma <= maxSigma)) return `an elastic σ of ${sigma}: give a number of pixels above 0 and at most ${maxSigma}`
  return undefined
}

// Beyond a few image widths the field is a uniform shift, and its canvas would grow with σ².
const maxSigma = 100

/**
 * One image's affine map, about the image's centre: scaled by `scale`, turned by `rotation`,
 * then moved by (`shiftX`, `shiftY`).
 *
 * @since 0.4.0
 * @category models
 */
export interface Affine {
  /** Pixels to the right (negative: to the left). */
  readonly shiftX: number
  /** Pixels down (negative: up). */
  readonly shiftY: number
  /** Degrees; positive turns the image clockwise as it is drawn (rows running down). */
  readonly rotation: number
  /** 1 keeps the size; 1.1 makes the digit 10% larger. */
  readonly scale: number
}

/**
 * The map that moves nothing.
 *
 * @since 0.4.0
 * @category constants
 */
export const identity: Affine = { shiftX: 0, shiftY: 0, rotation: 0, scale: 1 }

/**
 * A displacement field: for each output pixel, how far its source point moves, in pixels.
 *
 * @since 0.4.0
 * @category models
 */
export interface Field {
  readonly rows: number
  readonly cols: number
  /** (rows, cols, 2): the displacement (dx, dy) of each pixel, row-major. */
  readonly displacements: ReadonlyFloat64Array
}

/**
 * Simard's elastic field over `rows` × `cols` pixels: uniform noise in [−1, 1) for dx and dy at
 * every pixel (and 3σ beyond, so that the edges are smoothed like the middle), smoothed by the
 * Gaussian G_σ and multiplied by α. The field that `dataset` cuts its windows from. With α = 0
 * it is all zeros (and nothing is drawn).
 *
 * @since 0.4.0
 * @category drawing
 */
export const field = (rng: Rng.Rng, rows: number, cols: number, options: Options = defaults): readonly [Field, Rng.Rng] => {
  refuseBad(options)
  const [displacements, next] = elastic(rng, rows, cols, options)
  return [{ rows, cols, displacements }, next]
}

/**
 * `pixels` — one image of `rows` × `cols` bytes — under the affine map and, when given, a
 * displacement field of the same size: output pixel q shows the original at A⁻¹(q) + field(q),
 * bilinearly interpolated, rounded to a byte. The lower-level step of `dataset`, for a
 * transform chosen by hand.
 *
 * @since 0.4.0
 * @category transforming
 */
export const warp = (pixels: ReadonlyUint8Array, rows: number, cols: number, affine: Affine, displacement?: Field): Uint8Array => {
  if (pixels.length !== rows * cols) throw new RangeError(`an image of ${rows}×${cols} has ${rows * cols} pixels, got ${pixels.length}`)
  if (displacement !== undefined && (displacement.rows !== rows || displacement.cols !== cols)) {
    throw new RangeError(`a field of ${displacement.rows}×${displacement.cols} cannot move an image of ${rows}×${cols}`)
  }
  if (![affine.shiftX, affine.shiftY, affine.rotation].every(Number.isFinite) || !(Number.isFinite(affine.scale) && affine.scale > 0)) {
    throw new RangeError(`an affine map needs finite shifts and rotation and a scale above 0, got ${JSON.stringify(affine)}`)
  }
  const out = new Uint8Array(rows * cols)
  const fieldOf = displacement?.displacements ?? new Float64Array(2 * rows * cols)
  warpInto(pixels, 0, rows, cols, inverse(affine, rows, cols), fieldOf, 0, 2 * cols, out, 0, scratch(rows, cols))
  return out
}

/**
 * Every image of `dataset` augmented — each with its own shift, rotation, scale and window of
 * one elastic field, all drawn from `rng` — and the generator to draw with next. Labels, count
 * and size are unchanged. The same dataset, generator and options give the same bytes on
 * every engine.
 *
 * The images are written into `into` when it is given — (count, rows, cols) bytes, not the
 * dataset's own — so that a training run can reuse one buffer every epoch; the dataset
 * returned then holds `into`. Throws `RangeError` for unusable options (see `check`) or an
 * `into` of the wrong size.
 *
 * What is drawn, in order: six uniforms per image (its shift x, shift y, rotation, scale and
 * the window's column and row), then — unless α is 0 — the canvas's noise (see `field`).
 *
 * @since 0.4.0
 * @category transforming
 */
export const dataset = (
  data: Dataset.Dataset,
  rng: Rng.Rng,
  options: Options = defaults,
  into?: Uint8Array
): readonly [Dataset.Dataset, Rng.Rng] => {
  refuseBad(options)
  const { cols, count, rows } = data
  const size = rows * cols
  const out = into ?? new Uint8Array(count * size)
  if (out.length !== count * size) {
    throw new RangeError(`into holds ${out.length} bytes; ${count} images of ${rows}×${cols} need ${count * size}`)
  }
  if (overlaps(out, data.pixels)) throw new RangeError("into shares memory with the dataset's own pixels: give a separate buffer")
  const [draws, afterImages] = Rng.uniforms(rng, drawsPerImage * count)
  // (With α = 0 the canvas is a field of zeros, as small as one image: nothing is drawn for it.)
  const side = options.alpha === 0 ? Math.max(rows, cols) : canvasSide(rows, cols)
  const [canvas, next] = elastic(afterImages, side, side, options) // (side, side, 2)
  const work = scratch(rows, cols)
  for (let i = 0; i < count; i++) {
    const u = drawsPerImage * i
    const affine: Affine = {
      shiftX: (2 * draws[u]! - 1) * options.maxShift,
      shiftY: (2 * draws[u + 1]! - 1) * options.maxShift,
      rotation: (2 * draws[u + 2]! - 1) * options.maxRotation,
      scale: 1 + (2 * draws[u + 3]! - 1) * options.maxScale
    }
    const left = Math.floor(draws[u + 4]! * (side - cols + 1))
    const top = Math.floor(draws[u + 5]! * (side - rows + 1))
    warpInto(data.pixels, i * size, rows, cols, inverse(affine, rows, cols), canvas, 2 * (top * side + left), 2 * side, out, i * size, work)
  }
  return [{ count, rows, cols, pixels: out, labels: data.labels }, next]
}

/**
 * Bytes `dataset` takes beyond the dataset itself and `into`: its draws and its elastic
 * field's noise, smoothing and canvas. (Without `into`, add count × rows × cols for the images.)
 *
 * @since 0.4.0
 * @category memory
 */
export const memory = (count: number, rows: number, cols: number, options: Options = defaults): number => {
  const draws = 8 * drawsPerImage * count
  if (options.alpha === 0) return draws + 16 * Math.max(rows, cols) * Math.max(rows, cols)
  const side = canvasSide(rows, cols)
  const reach = side + 2 * radius(options.sigma)
  return draws + 16 * (reach * reach + reach * side + side * side)
}

// ---------------------------------------------------------------------------------------------

const drawsPerImage = 6

// The elastic canvas: 16 images wide and high (448 × 448 for MNIST), so that the windows of a
// training set's images fall at some 180,000 different places.
const canvasSide = (rows: number, cols: number) => 16 * Math.max(rows, cols)

// The smoothing kernel reaches 3σ each way (it holds 99.7% of the Gaussian's weight).
const radius = (sigma: number) => Math.ceil(3 * sigma)

const refuseBad = (options: Options) => {
  const problem = check(options)
  if (problem !== undefined) throw new RangeError(problem)
}

const overlaps = (a: Uint8Array, b: ReadonlyUint8Array): boolean => {
  if (!(b instanceof Uint8Array) || a.buffer !== b.buffer) return false
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
}

// G_σ's weights at −R … R, from Numerics.exp, scaled to sum to `total`.
const kernel = (sigma: number, total: number): Float64Array => {
  const r = radius(sigma)
  const weights = new Float64Array(2 * r + 1)
  let sum = 0
  for (let j = -r; j <= r; j++) {
    weights[j + r] = Numerics.exp(-(j * j) / (2 * sigma * sigma))
    sum += weights[j + r]!
  }
  for (let j = 0; j < weights.length; j++) weights[j] = (weights[j]! / sum) * total
  return weights
}

// Simard's field over rows × cols, (rows, cols, 2) interleaved dx, dy: noise drawn over
// (rows + 2R) × (cols + 2R), smoothed along rows, then along columns (the weights of the
// second pass carry α), keeping only the part every tap reaches.
const elastic = (rng: Rng.Rng, rows: number, cols: number, options: Options): readonly [Float64Array, Rng.Rng] => {
  if (options.alpha === 0) return [new Float64Array(2 * rows * cols), rng]
  const r = radius(options.sigma)
  const taps = 2 * r + 1
  const noiseRows = rows + 2 * r
  const noiseCols = cols + 2 * r
  const [noise, next] = Rng.uniforms(rng, 2 * noiseRows * noiseCols) // (noiseRows, noiseCols, 2)
  for (let k = 0; k < noise.length; k++) noise[k] = 2 * noise[k]! - 1
  const along = kernel(options.sigma, 1)
  const across = kernel(options.sigma, options.alpha)
  // Along each row: (noiseRows, cols, 2).
  const smoothed = new Float64Array(2 * noiseRows * cols)
  for (let y = 0; y < noiseRows; y++) {
    const to = 2 * y * cols
    for (let j = 0; j < taps; j++) {
      const w = along[j]!
      const from = 2 * (y * noiseCols + j)
      for (let k = 0; k < 2 * cols; k++) smoothed[to + k] = smoothed[to + k]! + w * noise[from + k]!
    }
  }
  // Down each column: (rows, cols, 2).
  const out = new Float64Array(2 * rows * cols)
  for (let y = 0; y < rows; y++) {
    const to = 2 * y * cols
    for (let j = 0; j < taps; j++) {
      const w = across[j]!
      const from = 2 * (y + j) * cols
      for (let k = 0; k < 2 * cols; k++) out[to + k] = out[to + k]! + w * smoothed[from + k]!
    }
  }
  return [out, next]
}

// The inverse of the affine map, as coefficients: output pixel (x, y) shows the source point
// (a·x + b·y + e, c·x + d·y + f), before the elastic field. About the centre c, the forward
// map is q = c + s·R(θ)(p − c) + t; so p = c + R(−θ)(q − c − t) / s.
interface Inverse {
  readonly a: number
  readonly b: number
  readonly c: number
  readonly d: number
  readonly e: number
  readonly f: number
}

const inverse = (affine: Affine, rows: number, cols: number): Inverse => {
  const theta = affine.rotation * (Math.PI / 180)
  const cos = Numerics.cos(theta) / affine.scale
  const sin = Numerics.sin(theta) / affine.scale
  const cx = (cols - 1) / 2
  const cy = (rows - 1) / 2
  const qx = cx + affine.shiftX
  const qy = cy + affine.shiftY
  return { a: cos, b: sin, c: -sin, d: cos, e: cx - cos * qx - sin * qy, f: cy + sin * qx - cos * qy }
}

// What warping one image works in: the image with a border of background, for images whose
// ink touches their edge.
interface Scratch {
  readonly framed: Uint8Array // (rows + 2, cols + 2)
}

const scratch = (rows: number, cols: number): Scratch => ({ framed: new Uint8Array((rows + 2) * (cols + 2)) })

// Writes image `from` of `src`, warped, at `to` of `out`. The field's row y for this image
// starts at `fieldAt + y·fieldStride` ((…, 2) interleaved dx, dy).
//
// A source point within a pixel of the ink's bounding box is interpolated; any other reads
// only background, 0, and is not. When the box keeps a pixel from every edge, the four pixels
// around any point read lie inside the image; otherwise the image is read from a copy framed
// by a border of background, so no read needs a check of its own.
const warpInto = (
  src: ReadonlyUint8Array,
  from: number,
  rows: number,
  cols: number,
  m: Inverse,
  field: ReadonlyFloat64Array,
  fieldAt: number,
  fieldStride: number,
  out: Uint8Array,
  to: number,
  work: Scratch
): void => {
  // The ink's bounding box: each row's first and last inked pixel.
  let top = -1
  let bottom = -1
  let left = cols
  let right = -1
  for (let y = 0; y < rows; y++) {
    const row = from + y * cols
    let first = 0
    while (first < cols && src[row + first] === 0) first++
    if (first === cols) continue
    let last = cols - 1
    while (src[row + last] === 0) last--
    if (top < 0) top = y
    bottom = y
    if (first < left) left = first
    if (last > right) right = last
  }
  if (top < 0) {
    out.fill(0, to, to + rows * cols)
    return
  }

  // Where pixel (x, y) is read from: source[base + (y + border)·stride + x + border].
  let source = src
  let base = from
  let stride = cols
  let border = 0
  if (left === 0 || top === 0 || right === cols - 1 || bottom === rows - 1) {
    const framed = work.framed
    stride = cols + 2
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) framed[(y + 1) * stride + x + 1] = src[from + y * cols + x]!
    }
    source = framed
    base = 0
    border = 1
  }
  // In coordinates one more than the image's (X = x + 1), the points to interpolate have
  // X > 0, where truncation (`| 0`) is the floor; and rounding is truncation of v + ½.
  const lowX = left
  const highX = right + 2
  const lowY = top
  const highY = bottom + 2
  const origin = base + (border - 1) * (stride + 1) // where pixel (X, Y) = (0, 0) would be
  const { a, b, c, d, e, f } = m
  for (let y = 0; y < rows; y++) {
    const rowX = b * y + e + 1
    const rowY = d * y + f + 1
    let at = fieldAt + y * fieldStride
    const row = to + y * cols
    for (let x = 0; x < cols; x++, at += 2) {
      const px = a * x + rowX + field[at]!
      const py = c * x + rowY + field[at + 1]!
      let v = 0
      if (px > lowX && px < highX && py > lowY && py < highY) {
        const x0 = px | 0
        const y0 = py | 0
        const ux = px - x0
        const uy = py - y0
        const p = origin + y0 * stride + x0
        const p00 = source[p]!
        const p10 = source[p + stride]!
        const upper = p00 + ux * (source[p + 1]! - p00)
        const lower = p10 + ux * (source[p + stride + 1]! - p10)
        // Each interpolation lies between the bytes it mixes, so v is in [0, 255].
        v = (upper + uy * (lower - upper) + 0.5) | 0
      }
      out[row + x] = v
    }
  }
}
