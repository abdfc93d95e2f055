/**
 * The gradient ∇C of the cost with respect to every weight and bias: "also a vector with
 * 13,002 entries", one per parameter, laid out exactly like `Params` — but its own type, so a
 * gradient cannot be used where parameters are expected, or the reverse. Its negative is
 * "a list of all the little nudges you should make to the weights and biases … in order to
 * move downhill"; its length ‖∇C‖ says how steep the slope is.
 *
 * Not for: computing a gradient (see `Backprop`), or applying one (see `Descent.step`).
 *
 * @since 0.1.0
 */
import type * as Layout from "./Layout.js"
import * as L from "./Layout.js"
import * as Vector from "./Vector.js"
import type { ReadonlyFloat64Array } from "./Vector.js"

/**
 * ∂C/∂w and ∂C/∂b for every weight and bias, in `Params` order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Gradient {
  readonly _tag: "Gradient"
  readonly layout: Layout.Layout
  /** One entry per parameter: `layout.size` entries. */
  readonly vector: ReadonlyFloat64Array
}

/**
 * A gradient holding a copy of `entries`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromArray = (layout: Layout.Layout, entries: ArrayLike<number>): Gradient => {
  if (entries.length !== layout.size) {
    throw new RangeError(`${L.format(layout)} needs ${layout.size} gradient entries, got ${entries.length}`)
  }
  return unsafeFromArray(layout, Float64Array.from(entries))
}

/**
 * A gradient that takes ownership of `vector` without copying it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeFromArray = (layout: Layout.Layout, vector: Float64Array): Gradient => ({
  _tag: "Gradient",
  layout,
  vector
})

/**
 * The zero gradient: no nudge at all.
 *
 * @since 0.1.0
 * @category constructors
 */
export const zero = (layout: Layout.Layout): Gradient => unsafeFromArray(layout, new Float64Array(layout.size))

/**
 * a + b, entry by entry.
 *
 * @since 0.1.0
 * @category math
 */
export const sum = (a: Gradient, b: Gradient): Gradient => {
  assertSameLayout(a, b)
  const out = new Float64Array(a.layout.size)
  for (let i = 0; i < out.length; i++) out[i] = a.vector[i]! + b.vector[i]!
  return unsafeFromArray(a.layout, out)
}

/**
 * k·g, entry by entry.
 *
 * @since 0.1.0
 * @category math
 */
export const scale = (g: Gradient, k: number): Gradient => {
  const out = new Float64Array(g.layout.size)
  for (let i = 0; i < out.length; i++) out[i] = k * g.vector[i]!
  return unsafeFromArray(g.layout, out)
}

/**
 * ‖∇C‖, the length of the gradient: how steep the steepest slope is.
 *
 * @since 0.1.0
 * @category math
 */
export const norm = (g: Gradient): number => Vector.norm(g.vector)

/**
 * ∂C/∂w for the weight matrix into layer `l + 1`, read-only: (rows=outputs, cols=inputs).
 *
 * @since 0.1.0
 * @category views
 */
export const weights = (g: Gradient, l: number): ReadonlyFloat64Array => L.weights(g.layout, g.vector, l)

/**
 * ∂C/∂b for layer `l + 1`, read-only: (outputs).
 *
 * @since 0.1.0
 * @category views
 */
export const biases = (g: Gradient, l: number): ReadonlyFloat64Array => L.biases(g.layout, g.vector, l)

const assertSameLayout = (a: Gradient, b: Gradient): void => {
  if (!L.equals(a.layout, b.layout)) {
    throw new RangeError(`cannot add gradients of ${L.format(a.layout)} and ${L.format(b.layout)}`)
  }
}
