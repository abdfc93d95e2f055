/**
 * The numbers a network computes in: `f64` (IEEE double, the default — every figure in the
 * chapter and the README) or `f32` (IEEE single: half the memory per number, and twice the
 * numbers per SIMD operation, so wider layers learn about twice as fast).
 *
 * An f32 network's arithmetic is single precision throughout, and defined to the bit, so that a
 * run in f32 replays as exactly as one in f64: its parameters are rounded to f32 before use;
 * every sum, product and step rounds its result to f32 (`rounding`), the order of the terms being
 * f64's; and an element-wise function — an activation, the error times the activation's
 * derivative, a cost's output error — is computed in double from its f32 arguments and rounded
 * once. The fast kernels and the
 * reference both follow this; tests hold them to the same bits.
 *
 * Not for: mixing precisions within one network.
 *
 * @since 0.4.0
 */

/**
 * @since 0.4.0
 * @category models
 */
export type Precision = "f64" | "f32"

/**
 * Every precision, the default first.
 *
 * @since 0.4.0
 * @category models
 */
export const all: ReadonlyArray<Precision> = ["f64", "f32"]

const same = (x: number): number => x

/**
 * The rounding of a double to `precision`: the identity for f64, `Math.fround` for f32. Applied
 * to the exact result of one IEEE operation on numbers of the precision, it gives that
 * operation's result in the precision (a double has more than twice a single's bits, so
 * rounding twice is rounding once).
 *
 * @since 0.4.0
 * @category math
 */
export const rounding = (precision: Precision): ((x: number) => number) => (precision === "f32" ? Math.fround : same)

/**
 * Bytes per number: 8 or 4.
 *
 * @since 0.4.0
 * @category getters
 */
export const bytes = (precision: Precision): 8 | 4 => (precision === "f32" ? 4 : 8)

/**
 * An array of `length` numbers of the precision, zeros: a Float64Array or a Float32Array (whose
 * every store rounds to f32).
 *
 * @since 0.4.0
 * @category constructors
 */
export const array = (precision: Precision, length: number): Float64Array | Float32Array =>
  precision === "f32" ? new Float32Array(length) : new Float64Array(length)
