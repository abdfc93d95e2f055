/**
 * Labelled examples as the network learns from them: images of `rows × cols` byte pixels
 * (0 = background, 255 = ink), each with a label 0–9. The pixels stay bytes — one 47 MB
 * buffer for MNIST's 60,000 training images — and become input activations in [0, 1] only when
 * a batch is made (see `Batches`), always through `inputOf`.
 *
 * Not for: reading files (the `@descent/data` package builds datasets from IDX files).
 *
 * @since 0.1.0
 */
import type { ReadonlyFloat64Array, ReadonlyUint8Array } from "./Vector.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Dataset {
  /** Number of examples. */
  readonly count: number
  readonly rows: number
  readonly cols: number
  /** (count, rows, cols) bytes, row-major: example i's pixels start at i·rows·cols. */
  readonly pixels: ReadonlyUint8Array
  /** (count) digits 0–9. */
  readonly labels: ReadonlyUint8Array
}

/**
 * How many labels there are: the ten digits 0–9. A network that reads digits has this many
 * output neurons.
 *
 * @since 0.3.0
 * @category constants
 */
export const classes = 10

/**
 * A dataset over these arrays (not copied: the caller must not write to them afterwards).
 * Throws `RangeError` when the array lengths do not agree with `count`, `rows` and `cols`,
 * or a label is not a digit 0–9.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (fields: {
  readonly rows: number
  readonly cols: number
  readonly pixels: ReadonlyUint8Array
  readonly labels: ReadonlyUint8Array
}): Dataset => {
  const { rows, cols, pixels, labels } = fields
  const count = labels.length
  if (pixels.length !== count * rows * cols) {
    throw new RangeError(`${count} labels need ${count * rows * cols} pixels of ${rows}×${cols}, got ${pixels.length}`)
  }
  for (let i = 0; i < count; i++) {
    if (labels[i]! > 9) throw new RangeError(`label ${i} is ${labels[i]}, not a digit 0–9`)
  }
  return { count, rows, cols, pixels, labels }
}

/**
 * Pixels per image: the size of the network's input layer (784 for 28×28).
 *
 * @since 0.1.0
 * @category getters
 */
export const pixelsPerImage = (dataset: Dataset): number => dataset.rows * dataset.cols

/**
 * The first `count` examples (or all of them, if there are fewer), sharing memory.
 *
 * @since 0.1.0
 * @category slicing
 */
export const take = (dataset: Dataset, count: number): Dataset => slice(dataset, 0, count)

/**
 * Examples `start` (inclusive) to `end` (exclusive), sharing memory.
 *
 * @since 0.1.0
 * @category slicing
 */
export const slice = (dataset: Dataset, start: number, end: number): Dataset => {
  const from = Math.max(0, Math.min(start, dataset.count))
  const to = Math.max(from, Math.min(end, dataset.count))
  const size = pixelsPerImage(dataset)
  return {
    count: to - from,
    rows: dataset.rows,
    cols: dataset.cols,
    pixels: (dataset.pixels as Uint8Array).subarray(from * size, to * size),
    labels: (dataset.labels as Uint8Array).subarray(from, to)
  }
}

/**
 * A pixel's input activation: the byte v (0 background … 255 ink) as v / 255, in [0, 1]. The
 * one way bytes become inputs — batches, the fast kernels (through `inputTable`), evaluation
 * and `descent predict` all use it — so an image gives the same numbers wherever it is read.
 *
 * @since 0.2.0
 * @category inputs
 */
export const inputOf = (pixel: number): number => pixel / 255

/**
 * `inputOf` of each byte 0–255: (256) numbers, for loops that look them up.
 *
 * @since 0.2.0
 * @category inputs
 */
export const inputTable: ReadonlyFloat64Array = Float64Array.from({ length: 256 }, (_, v) => inputOf(v))

/**
 * An image's bytes as the network's input activations, `inputOf` each.
 *
 * @since 0.2.0
 * @category inputs
 */
export const inputs = (pixels: ArrayLike<number>): Float64Array => Float64Array.from(pixels, inputOf)
