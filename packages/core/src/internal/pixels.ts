// Where a batch's inputs come from when Batches made it: examples of a byte dataset. The fast
// kernels read such a batch's nonzero pixels straight from a per-dataset index, built once,
// instead of scanning 784 scaled pixels per example every epoch. The values are the same
// numbers the dense inputs hold (byte × 1/255), so results do not change.
import type * as Dataset from "../Dataset.js"

/** The hidden property of a batch made from dataset examples. */
export const pixelSource: unique symbol = Symbol.for("@descent/core/PixelSource")

export interface PixelSource {
  readonly dataset: Dataset.Dataset
  /** The dataset examples in the batch, in batch order. */
  readonly indices: Uint32Array
}

/** The scale from a byte pixel to an input activation in [0, 1]. */
export const pixelScale = 1 / 255

/** For every example of a dataset, the positions of its nonzero pixels, in increasing order. */
export interface NonzeroIndex {
  /** (count + 1): example i's positions are positions[offsets[i] … offsets[i + 1]). */
  readonly offsets: Int32Array
  readonly positions: Uint16Array | Int32Array
  /** The pixels at those positions, in the same order: each example's nonzero bytes in a row. */
  readonly values: Uint8Array
}

const cache = new WeakMap<object, NonzeroIndex>()

/** The nonzero index of a dataset, built on first use and kept as long as its pixels are. */
export const nonzeroIndexOf = (dataset: Dataset.Dataset): NonzeroIndex => {
  const cached = cache.get(dataset.pixels)
  if (cached !== undefined) return cached
  const n = dataset.rows * dataset.cols
  const pixels = dataset.pixels
  const offsets = new Int32Array(dataset.count + 1)
  let total = 0
  for (let i = 0; i < dataset.count * n; i++) if (pixels[i] !== 0) total++
  const positions = n <= 0xffff ? new Uint16Array(total) : new Int32Array(total)
  const values = new Uint8Array(total)
  let at = 0
  for (let e = 0; e < dataset.count; e++) {
    offsets[e] = at
    const from = e * n
    for (let k = 0; k < n; k++) {
      const pixel = pixels[from + k]!
      if (pixel !== 0) {
        positions[at] = k
        values[at++] = pixel
      }
    }
  }
  offsets[dataset.count] = at
  const index = { offsets, positions, values }
  cache.set(dataset.pixels, index)
  return index
}
