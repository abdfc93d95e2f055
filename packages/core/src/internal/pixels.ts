// Where a batch's inputs come from when Batches made it: examples of a byte dataset. The fast
// kernels copy such a batch's bytes and find the nonzero pixels in them, instead of building
// and scanning 784 scaled pixels per example. The values are the same numbers the dense inputs
// hold (Dataset.inputOf of each byte), so results do not change.
import type * as Dataset from "../Dataset.js"

/** The hidden property of a batch made from dataset examples. */
export const pixelSource: unique symbol = Symbol.for("@descent/core/PixelSource")

export interface PixelSource {
  readonly dataset: Dataset.Dataset
  /** The dataset examples in the batch, in batch order. */
  readonly indices: Uint32Array
}
