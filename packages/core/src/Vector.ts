/**
 * The chapter's "one big column vector": every weight and bias of the network in one flat
 * array of numbers — 13,002 entries for 784-16-16-10. Parameters and gradients are both
 * vectors of this shape; this module holds what they share.
 *
 * Not for: telling parameters and gradients apart (see `Params` and `Gradient`).
 *
 * @since 0.1.0
 */

/**
 * A `Float64Array` seen through a read-only window: entries can be read, never written.
 * Every vector this library hands out is typed this way, so a caller cannot change a value
 * that another part of the program still holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadonlyFloat64Array extends Iterable<number> {
  readonly [index: number]: number
  readonly length: number
}

/**
 * A byte array seen through a read-only window (pixels, labels).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadonlyUint8Array extends Iterable<number> {
  readonly [index: number]: number
  readonly length: number
}

/**
 * The Euclidean length ‖v‖. For a gradient, "an indication of just how steep that steepest
 * slope is".
 *
 * @since 0.1.0
 * @category math
 */
export const norm = (v: ReadonlyFloat64Array): number => {
  let sum = 0
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!
  return Math.sqrt(sum)
}

/**
 * A fresh, writable copy of the entries, for callers who want to compute with them.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toFloat64Array = (v: ReadonlyFloat64Array): Float64Array => Float64Array.from(v)

/**
 * True when every entry is a finite number (no NaN, no ±Infinity): a run whose parameters
 * fail this has diverged.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFinite = (v: ReadonlyFloat64Array): boolean => {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false
  return true
}
