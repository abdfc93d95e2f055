/**
 * Mini-batches: the handful of examples each step of stochastic gradient descent looks at.
 * Once per epoch the training examples are shuffled with the run's `Rng`, then cut into
 * batches of m (a final, shorter batch keeps the remainder). A batch's pixels become inputs in
 * [0, 1] (`Dataset.inputOf`) only when they are read, so the dataset itself stays bytes (and the fast
 * kernels, which take the examples' bytes from the dataset, never need the scaled copy).
 *
 * Not for: what a step does with a batch (see `Backprop` and `Descent`).
 *
 * @since 0.1.0
 */
import { Stream } from "effect"
import * as Dataset from "./Dataset.js"
import * as Rng from "./Rng.js"
import type { ReadonlyFloat64Array, ReadonlyUint8Array } from "./Vector.js"

/**
 * `size` examples: their input activations and their labels.
 *
 * @since 0.1.0
 * @category models
 */
export interface Batch {
  readonly size: number
  /** Input neurons per example (784 for MNIST). */
  readonly inputSize: number
  /** (rows=size, cols=inputSize): row e is example e's input activations, each in [0, 1]. */
  readonly inputs: ReadonlyFloat64Array
  /** (size): the digit each example shows. */
  readonly labels: ReadonlyUint8Array
  /**
   * The dataset examples the batch is made of, when it was made from a dataset (`fromIndices`,
   * `epoch`). The fast kernels then copy the examples' bytes and find their nonzero pixels
   * themselves, never reading `inputs` (the same numbers: `Dataset.inputOf` of each byte); a
   * batch without it is read through `inputs`.
   */
  readonly examples?: Examples
}

/**
 * Which examples of which dataset a batch holds.
 *
 * @since 0.3.0
 * @category models
 */
export interface Examples {
  readonly dataset: Dataset.Dataset
  /** The dataset examples in the batch, in batch order. */
  readonly indices: Uint32Array
}

/**
 * One epoch: the batches in a freshly shuffled order, and the generator to use next.
 *
 * @since 0.1.0
 * @category models
 */
export interface Epoch {
  /** Indices into the dataset, in the order this epoch visits them. */
  readonly order: Uint32Array
  readonly batches: Stream.Stream<Batch>
  /** The generator after the shuffle: the next epoch shuffles with this one. */
  readonly rng: Rng.Rng
}

// A batch of dataset examples. Its dense inputs are made only if someone reads them: the fast
// kernels take the examples' bytes from the dataset and find the nonzero pixels themselves.
class ExamplesBatch implements Batch {
  readonly examples: Examples
  #inputs: Float64Array | undefined = undefined

  constructor(
    readonly size: number,
    readonly inputSize: number,
    readonly labels: Uint8Array,
    dataset: Dataset.Dataset,
    indices: Uint32Array
  ) {
    this.examples = { dataset, indices }
  }

  get inputs(): ReadonlyFloat64Array {
    if (this.#inputs === undefined) {
      const { dataset, indices } = this.examples
      const inputs = new Float64Array(this.size * this.inputSize)
      const inputOf = Dataset.inputTable
      for (let e = 0; e < this.size; e++) {
        const from = indices[e]! * this.inputSize
        const to = e * this.inputSize
        for (let k = 0; k < this.inputSize; k++) inputs[to + k] = inputOf[dataset.pixels[from + k]!]!
      }
      this.#inputs = inputs
    }
    return this.#inputs
  }
}

/**
 * A batch made of the examples at `indices`, pixels scaled to [0, 1].
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromIndices = (dataset: Dataset.Dataset, indices: ArrayLike<number>): Batch => {
  const inputSize = Dataset.pixelsPerImage(dataset)
  const size = indices.length
  const labels = new Uint8Array(size)
  const kept = new Uint32Array(size)
  for (let e = 0; e < size; e++) {
    const index = indices[e]!
    if (!(index >= 0 && index < dataset.count)) {
      throw new RangeError(`example ${index} does not exist: the dataset has ${dataset.count}`)
    }
    kept[e] = index
    labels[e] = dataset.labels[index]!
  }
  return new ExamplesBatch(size, inputSize, labels, dataset, kept)
}

/**
 * The batches that visit the examples in `order`, `batchSize` at a time; the last batch holds
 * whatever remains. Lazy: each batch is made when it is pulled.
 *
 * @since 0.1.0
 * @category constructors
 */
export function* inOrder(dataset: Dataset.Dataset, order: Uint32Array, batchSize: number): Generator<Batch> {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RangeError(`batch size must be a whole number ≥ 1, got ${batchSize}`)
  }
  for (let start = 0; start < order.length; start += batchSize) {
    const end = Math.min(start + batchSize, order.length)
    yield fromIndices(dataset, order.subarray(start, end))
  }
}

/**
 * Every example once, in dataset order, `batchSize` at a time: for evaluation, where order
 * does not matter and no shuffle is spent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sequential = (dataset: Dataset.Dataset, batchSize: number): Iterable<Batch> => ({
  [Symbol.iterator]: () => inOrder(dataset, identity(dataset.count), batchSize)
})

/**
 * Batches `epoch` makes at a time. Four pay the stream's work once per four batches; more were
 * no faster and, living longer, raised the default run's peak memory (32: +27 MB over 10
 * epochs, measured).
 *
 * @since 0.4.0
 * @category constructors
 */
export const batchesPerChunk = 4

/**
 * One epoch of stochastic gradient descent's input: the examples shuffled by `rng`, cut into
 * mini-batches of `batchSize`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const epoch = (dataset: Dataset.Dataset, rng: Rng.Rng, batchSize: number): Epoch => {
  const [order, next] = Rng.permutation(rng, dataset.count)
  return {
    order,
    // A few batches per chunk: a batch is made only when the fold pulls its chunk, so an epoch
    // holds a few batches (their labels and indices; no pixels) in memory at a time, not
    // thousands — and the stream's work is paid per chunk, not per batch.
    batches: Stream.suspend(() => Stream.fromIteratorSucceed(inOrder(dataset, order, batchSize), batchesPerChunk)),
    rng: next
  }
}

/**
 * How many batches `count` examples make at `batchSize` (a short final batch counts).
 *
 * @since 0.1.0
 * @category getters
 */
export const countOf = (count: number, batchSize: number): number => Math.ceil(count / batchSize)

const identity = (n: number): Uint32Array => {
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  return order
}
