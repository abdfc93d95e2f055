/**
 * Where every weight and bias sits in the one big column vector.
 *
 * A network with layer sizes n₀, n₁, …, n_L has, between layer l−1 and layer l, a weight
 * matrix of n_l rows × n_{l−1} columns (row j holds the weights into neuron j, the chapter's
 * w_{j,k}) and a bias vector of n_l entries. The vector lays them out layer by layer, each
 * weight matrix row-major, followed by its biases:
 *
 *     [ W¹ (16×784) | b¹ (16) | W² (16×16) | b² (16) | W³ (10×16) | b³ (10) ]   = 13,002 entries
 *
 * Not for: holding numbers (see `Params`), or deciding activations (see `Network`).
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import { asArray } from "./internal/vector.js"
import type { ReadonlyFloat64Array } from "./Vector.js"

/**
 * One layer of connections: the weights and biases that compute layer `index + 1` from
 * layer `index`.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerSlot {
  /** Neurons in the layer that feeds in (columns of the weight matrix). */
  readonly inputs: number
  /** Neurons in the layer being computed (rows of the weight matrix, entries of the bias). */
  readonly outputs: number
  /** Offset of the weight matrix (rows=outputs, cols=inputs), row-major. */
  readonly weightsOffset: number
  /** Offset of the bias vector (outputs). */
  readonly biasesOffset: number
}

/**
 * Layer sizes, and the offsets they imply.
 *
 * @since 0.1.0
 * @category models
 */
export interface Layout {
  /** Neurons per layer, input first: `[784, 16, 16, 10]` for the chapter's network. */
  readonly sizes: ReadonlyArray<number>
  /** One slot per layer of connections (`sizes.length − 1` of them). */
  readonly layers: ReadonlyArray<LayerSlot>
  /** Entries in the one big column vector: 13,002 for 784-16-16-10. */
  readonly size: number
}

/**
 * Layer sizes that do not describe a network.
 *
 * @since 0.1.0
 * @category errors
 */
export class LayoutError extends Data.TaggedError("LayoutError")<{
  readonly sizes: ReadonlyArray<number>
  readonly reason: "TooFewLayers" | "BadSize"
}> {
  override get message(): string {
    const shown = this.sizes.join("-")
    return this.reason === "TooFewLayers"
      ? `layers ${shown}: a network needs at least an input and an output layer (e.g. 784,16,16,10)`
      : `layers ${shown}: every layer size must be a whole number from 1 to 1,000,000`
  }
}

/**
 * The layout of a network with these layer sizes. Throws `LayoutError` when the sizes cannot
 * describe a network; use `validate` to get the error as a value instead.
 *
 * @example
 *   Layout.make([784, 16, 16, 10]).size // 13002
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (sizes: ReadonlyArray<number>): Layout => {
  const error = validate(sizes)
  if (error !== undefined) throw error
  const layers: Array<LayerSlot> = []
  let offset = 0
  for (let l = 1; l < sizes.length; l++) {
    const inputs = sizes[l - 1]!
    const outputs = sizes[l]!
    layers.push({ inputs, outputs, weightsOffset: offset, biasesOffset: offset + outputs * inputs })
    offset += outputs * inputs + outputs
  }
  return { sizes: [...sizes], layers, size: offset }
}

/**
 * Why these sizes cannot describe a network, or `undefined` when they can.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (sizes: ReadonlyArray<number>): LayoutError | undefined => {
  if (sizes.length < 2) return new LayoutError({ sizes, reason: "TooFewLayers" })
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) return new LayoutError({ sizes, reason: "BadSize" })
  }
  return undefined
}

/**
 * Neurons in the input layer (784 for MNIST).
 *
 * @since 0.1.0
 * @category getters
 */
export const inputSize = (layout: Layout): number => layout.sizes[0]!

/**
 * Neurons in the output layer (10 digits).
 *
 * @since 0.1.0
 * @category getters
 */
export const outputSize = (layout: Layout): number => layout.sizes[layout.sizes.length - 1]!

/**
 * Two layouts with the same layer sizes.
 *
 * @since 0.1.0
 * @category predicates
 */
export const equals = (a: Layout, b: Layout): boolean =>
  a.sizes.length === b.sizes.length && a.sizes.every((n, i) => n === b.sizes[i])

/**
 * The sizes written the way people say them: `784-16-16-10`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const format = (layout: Layout): string => layout.sizes.join("-")

/**
 * The weight matrix of connection layer `l` (0-based) inside a vector of this layout, as a
 * read-only view sharing its memory: (rows=outputs, cols=inputs), row-major, so the weight
 * from neuron k into neuron j is at `j * inputs + k`.
 *
 * @since 0.1.0
 * @category views
 */
export const weights = (layout: Layout, vector: ReadonlyFloat64Array, l: number): ReadonlyFloat64Array => {
  const slot = slotAt(layout, l)
  return asArray(vector).subarray(slot.weightsOffset, slot.biasesOffset)
}

/**
 * The bias vector of connection layer `l` (0-based), as a read-only view: (outputs).
 *
 * @since 0.1.0
 * @category views
 */
export const biases = (layout: Layout, vector: ReadonlyFloat64Array, l: number): ReadonlyFloat64Array => {
  const slot = slotAt(layout, l)
  return asArray(vector).subarray(slot.biasesOffset, slot.biasesOffset + slot.outputs)
}

const slotAt = (layout: Layout, l: number): LayerSlot => {
  const slot = layout.layers[l]
  if (slot === undefined) {
    throw new RangeError(`layer ${l} does not exist: ${format(layout)} has layers 0 to ${layout.layers.length - 1}`)
  }
  return slot
}
