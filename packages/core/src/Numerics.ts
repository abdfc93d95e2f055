/**
 * The elementary functions of the learning path — e^x for the sigmoid and softmax, ln for the
 * cross-entropy cost and Box–Muller, sin and cos for Box–Muller, x^y for a decaying learning
 * rate — computed so that every JavaScript engine gets the same bits. Nothing on the learning
 * path calls the engine's `Math.exp`, `Math.log`, `Math.sin`, `Math.cos`, `Math.pow` or `**`
 * (a test reads the sources to keep it so); `Activation`, `Cost`, `Rng` and the CLI's learning
 * rate call these instead.
 *
 * Why: ECMAScript leaves `Math.exp` and its kin "implementation-approximated". Engines differ in
 * the last bit for about one argument in ten, and gradient descent amplifies one bit into a
 * different run: before these functions, the same seed trained to 90.12% on Node 20 and 89.78%
 * on Bun and Deno. With them a run replays bit for bit on Node, Bun, Deno and browsers.
 *
 * How: AssemblyScript's NativeMath compiled to WebAssembly (`@descent/kernels`,
 * assembly/numerics.ts) — exp, log and pow from ARM's optimized-routines as musl ships them,
 * sin and cos from musl's fdlibm kernels. They use only IEEE 754 basic operations, table
 * lookups and exact bit manipulation, which WebAssembly specifies to the bit.
 *
 * Accuracy (measured against MPFR, correctly rounded, by test/Numerics.test.ts over 10⁶
 * arguments per function across the whole range): the result is within 1 ulp of the true
 * value — about 0.5 ulp for exp, log and pow, under 0.9 for sin and cos — and the special cases
 * follow C99: exp(−∞) = +0, exp(+∞) = +∞, exp(x) = +∞ for x > 709.782712893384 (overflow)
 * and +0 below −745.1332191019412 (underflow, with subnormal results between);
 * log(±0) = −∞, log(x < 0) = NaN, log(+∞) = +∞; sin(±0) = ±0, sin(±∞) = cos(±∞) = NaN;
 * pow(x, ±0) = 1 and pow(1, y) = 1 even for NaN (where `**` gives NaN). NaN in, NaN out.
 *
 * Not for: anything that must match `Math` — these are as accurate, but not the same bits.
 *
 * @since 0.2.0
 */
import { numerics } from "@descent/kernels"

/**
 * The name of these numerics, recorded in every run record and checkpoint: a run replays bit
 * for bit only under the numerics that recorded it. Change it whenever any function's result
 * changes for any argument (test/Numerics.test.ts fingerprints them, and fails when they do).
 *
 * @since 0.2.0
 * @category models
 */
export const version = "wasm-libm-1"

/**
 * e^x.
 *
 * @since 0.2.0
 * @category functions
 */
export const exp: (x: number) => number = numerics.exp

/**
 * The natural logarithm ln x.
 *
 * @since 0.2.0
 * @category functions
 */
export const log: (x: number) => number = numerics.log

/**
 * sin x, x in radians.
 *
 * @since 0.2.0
 * @category functions
 */
export const sin: (x: number) => number = numerics.sin

/**
 * cos x, x in radians.
 *
 * @since 0.2.0
 * @category functions
 */
export const cos: (x: number) => number = numerics.cos

/**
 * x^y.
 *
 * @since 0.2.0
 * @category functions
 */
export const pow: (x: number, y: number) => number = numerics.pow
