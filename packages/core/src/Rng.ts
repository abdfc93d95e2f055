/**
 * Every random number in descent — initial weights, the shuffle before each epoch, noise
 * images — comes from an `Rng`: an immutable value holding the state of a seeded
 * xoroshiro128+ generator (from `pure-rand`). Drawing returns the numbers and the next
 * `Rng`; the old one still draws the same numbers again. The state is four 32-bit integers
 * that survive a trip through JSON, so a checkpoint can save it and a resumed run can carry on
 * exactly where the stopped one was.
 *
 * Not for: ambient randomness or the clock — nothing here reads either.
 *
 * @since 0.1.0
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64"
import { uniformInt } from "pure-rand/distribution/uniformInt"
import { xoroshiro128plus, xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus"
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator"
import * as Numerics from "./Numerics.js"

/**
 * A generator's state, as a value.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rng {
  readonly _tag: "Rng"
  /** xoroshiro128+'s four 32-bit words; JSON-safe. */
  readonly state: readonly [number, number, number, number]
}

const fromGenerator = (generator: JumpableRandomGenerator): Rng => {
  const [a, b, c, d] = generator.getState()
  return { _tag: "Rng", state: [a!, b!, c!, d!] }
}

const generator = (rng: Rng): JumpableRandomGenerator => xoroshiro128plusFromState(rng.state)

/**
 * A generator seeded with a 32-bit integer (other numbers are truncated to one).
 *
 * A small integer seed leaves xoroshiro128+'s state nearly all zero bits, and its first
 * outputs are then far from random (the first float is ≈ 1.0). A jump — 2⁶⁴ steps ahead,
 * computed in one go — mixes the seed through the whole state first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (seed: number): Rng => {
  const g = xoroshiro128plus(seed | 0)
  g.jump()
  return fromGenerator(g)
}

/**
 * A generator from a saved `state` (for example one read back from a checkpoint).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromState = (state: ReadonlyArray<number>): Rng => fromGenerator(xoroshiro128plusFromState(state))

/**
 * `n` numbers drawn uniformly from [0, 1).
 *
 * @since 0.1.0
 * @category drawing
 */
export const uniforms = (rng: Rng, n: number): readonly [Float64Array, Rng] => {
  const g = generator(rng)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = uniformFloat64(g)
  return [out, fromGenerator(g)]
}

/**
 * `n` numbers drawn from the standard normal distribution N(0, 1), by the Box–Muller
 * transform: two uniforms u₁, u₂ give √(−2 ln u₁)·cos(2πu₂) and √(−2 ln u₁)·sin(2πu₂) — ln,
 * cos and sin from `Numerics` (the same bits on every engine; √ is exact IEEE 754 everywhere).
 *
 * @since 0.1.0
 * @category drawing
 */
export const gaussians = (rng: Rng, n: number): readonly [Float64Array, Rng] => {
  const g = generator(rng)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i += 2) {
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Numerics.log(1 - uniformFloat64(g)))
    const angle = 2 * Math.PI * uniformFloat64(g)
    out[i] = radius * Numerics.cos(angle)
    if (i + 1 < n) out[i + 1] = radius * Numerics.sin(angle)
  }
  return [out, fromGenerator(g)]
}

/**
 * A uniformly random permutation of 0 … n−1 (Fisher–Yates): the order in which one epoch
 * visits the training examples.
 *
 * @since 0.1.0
 * @category drawing
 */
export const permutation = (rng: Rng, n: number): readonly [Uint32Array, Rng] => {
  const g = generator(rng)
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(g, 0, i)
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  return [order, fromGenerator(g)]
}

/**
 * Two generators with the same state draw the same numbers.
 *
 * @since 0.1.0
 * @category predicates
 */
export const equals = (a: Rng, b: Rng): boolean => a.state.every((word, i) => word === b.state[i])
