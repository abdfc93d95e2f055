/**
 * The parameters of a network: "all the weights and biases for the entire network" organised
 * into "one big column vector with 13,002 entries" (for 784-16-16-10). Immutable: every
 * function here returns a new `Params` and leaves the ones it was given as they were.
 *
 * Not for: gradients, which have the same shape but a type of their own (see `Gradient`), so
 * one can never be passed where the other is expected.
 *
 * @since 0.1.0
 */
import type * as Layout from "./Layout.js"
import * as L from "./Layout.js"
import { asArray } from "./internal/vector.js"
import * as Rng from "./Rng.js"
import type { ReadonlyFloat64Array } from "./Vector.js"

/**
 * Weights and biases, laid out by `layout` (see `Layout` for where each one sits).
 *
 * @since 0.1.0
 * @category models
 */
export interface Params {
  readonly _tag: "Params"
  readonly layout: Layout.Layout
  /** The one big column vector: `layout.size` entries. */
  readonly vector: ReadonlyFloat64Array
}

/**
 * How initial weights are drawn. Biases are always drawn from N(0, 1).
 * - `normal`: weights from N(0, 1), as the chapter's network and Nielsen's network.py do.
 * - `scaled`: weights from N(0, 1/fan_in), so a neuron's weighted input starts near unit
 *   variance however many inputs it has, and sigmoids do not start saturated.
 *
 * @since 0.1.0
 * @category models
 */
export type Init = "normal" | "scaled"

/**
 * Every way of drawing initial weights, by name.
 *
 * @since 0.2.0
 * @category models
 */
export const initNames: readonly [Init, ...Array<Init>] = ["normal", "scaled"]

/**
 * Parameters holding a copy of `entries` (which must have `layout.size` of them).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromArray = (layout: Layout.Layout, entries: ArrayLike<number>): Params => {
  if (entries.length !== layout.size) {
    throw new RangeError(`${L.format(layout)} needs ${layout.size} parameters, got ${entries.length}`)
  }
  return unsafeFromArray(layout, Float64Array.from(entries))
}

/**
 * Parameters that take ownership of `vector` without copying it. The caller must not write
 * to `vector` afterwards; internal code uses this for arrays it has just filled.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeFromArray = (layout: Layout.Layout, vector: Float64Array): Params => ({
  _tag: "Params",
  layout,
  vector
})

/**
 * "Initialize all the weights and biases to be random numbers": random parameters drawn from
 * `rng`, with the generator that follows. Entries are drawn in vector order.
 *
 * @since 0.1.0
 * @category constructors
 */
export const init = (layout: Layout.Layout, rng: Rng.Rng, init: Init = "normal"): readonly [Params, Rng.Rng] => {
  const [vector, next] = Rng.gaussians(rng, layout.size)
  if (init === "scaled") {
    for (const slot of layout.layers) {
      const scale = 1 / Math.sqrt(slot.inputs)
      for (let i = slot.weightsOffset; i < slot.biasesOffset; i++) vector[i]! *= scale
    }
  }
  return [unsafeFromArray(layout, vector), next]
}

/**
 * The weight matrix into layer `l + 1`, read-only: (rows=outputs, cols=inputs), row-major.
 *
 * @since 0.1.0
 * @category views
 */
export const weights = (params: Params, l: number): ReadonlyFloat64Array => L.weights(params.layout, params.vector, l)

/**
 * The biases of layer `l + 1`, read-only: (outputs).
 *
 * @since 0.1.0
 * @category views
 */
export const biases = (params: Params, l: number): ReadonlyFloat64Array => L.biases(params.layout, params.vector, l)

/**
 * Same layout, and every entry bit-for-bit the same (so NaN equals NaN and 0 differs from −0).
 *
 * @since 0.1.0
 * @category predicates
 */
export const equals = (a: Params, b: Params): boolean => {
  if (!L.equals(a.layout, b.layout)) return false
  const x = toBytes(a)
  const y = toBytes(b)
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}

/**
 * The vector's entries as bytes (IEEE 754 float64, little-endian): what a run record hashes to
 * prove two runs reached bit-identical parameters.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toBytes = (params: Params): Uint8Array => {
  const array = asArray(params.vector)
  // A copy of the raw bytes: reading through a Float64Array is little-endian on every
  // platform Node runs on, and copying bytes keeps NaN payloads exactly as they are.
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength).slice()
}
