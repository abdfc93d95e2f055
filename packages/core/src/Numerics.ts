/**
 * The elementary functions of the learning path — e^x for the sigmoid and softmax, ln for the
 * cross-entropy cost and Box–Muller, sin and cos for Box–Muller, x^y for a decaying learning
 * rate — computed so that every JavaScript engine gets the same bits. Nothing on the learning
 * path calls the engine's `Math.exp`, `Math.log`, `Math.sin`, `Math.cos`, `Math.pow` or `**`
 * (a test reads the sources to keep it so); `Activation`, `Cost`, `Rng` and the CLI's learning
 * rate call these instead.
 *
 * Why: ECMAScript leaves `Math.exp` and its kin "implementation-approximated". Engines differ in
 * the last bit (Bun 1.4's `Math.exp` differs from Node 20's for 7% of arguments, its `Math.pow`
 * for 36%), and gradient descent amplifies one bit into a different run: before these
 * functions, `descent train --subset 2000 --epochs 1` gave three different parameter hashes on
 * Node 20, Bun 1.4 and Deno 2.9. With them a run replays bit for bit on Node, Bun, Deno and
 * Chromium (test/engines.test.ts checks it).
 *
 * How: WebAssembly compiled from AssemblyScript (`@descent/kernels`, assembly/numerics.ts) —
 * exp, log and pow are AssemblyScript's NativeMath (ARM's optimized-routines, as musl ships
 * them), sin and cos are musl's ported there (fdlibm's kernels, with full Payne–Hanek reduction
 * of huge arguments). They use only IEEE 754 basic operations, table lookups and exact bit
 * manipulation, which WebAssembly specifies to the bit.
 *
 * Accuracy (measured against MPFR, correctly rounded, by packages/core/test/Numerics.test.ts
 * over 10⁶ arguments per function across the whole range): the result is within 1 ulp of the
 * true value — at worst 0.506 ulp for exp, 0.517 for log, 0.507 for pow, 0.767 for sin and cos
 * — and the special cases follow C99: NaN in, NaN out (but for pow, below); exp(−∞) = +0, exp(+∞) = +∞;
 * exp(x) = +∞ from x = 709.7827128933841 (the double after 709.782712893384, whose exp is the
 * largest finite result) and +0 from x = −745.1332191019412 down (exp(−745.1332191019411) is
 * the smallest subnormal, 5e−324); log(±0) = −∞, log(x < 0) = NaN, log(+∞) = +∞; sin(±0) = ±0,
 * sin(±∞) = cos(±∞) = NaN; pow(x, ±0) = 1 and pow(1, y) = 1 even for a NaN, and
 * pow(−1, ±∞) = 1 (where `**` gives NaN).
 *
 * Not for: anything that must match `Math` — these are as accurate, but not the same bits.
 *
 * @since 0.2.0
 */
import { numerics } from "@descent/kernels"

/**
 * The name of these numerics, recorded in every run record and checkpoint: a run replays bit
 * for bit only under the numerics that recorded it. Change it whenever any function's result
 * changes for any argument (packages/core/test/Numerics.test.ts fingerprints them, and fails
 * when they do).
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
 * σ(z) = 1 / (1 + e^−z), the logistic sigmoid (`Activation.sigmoid`), computed so that it never
 * overflows: for z < 0 it uses the equal form e^z / (1 + e^z), whose exponential is at most 1.
 * It lives beside `exp` because the kernels' layers compute it too, compiled from the same
 * source (assembly/numerics.ts): a layer's sigmoids there and here are the same bits.
 *
 * @since 0.4.0
 * @category functions
 */
export const sigmoid: (z: number) => number = numerics.sigmoid

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
