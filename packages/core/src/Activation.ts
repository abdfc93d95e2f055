/**
 * The nonlinear function wrapped around each neuron's weighted sum, a = f(z), each beside its
 * derivative f′(z) — backpropagation needs both.
 *
 * Not for: the output layer's cost (see `Cost`).
 *
 * @since 0.1.0
 */
import * as Numerics from "./Numerics.js"

/**
 * An activation function and its derivative, both taken at the weighted input z.
 *
 * @since 0.1.0
 * @category models
 */
export interface Activation {
  readonly name: ActivationName
  /** f(z) */
  readonly apply: (z: number) => number
  /** f′(z) */
  readonly derivative: (z: number) => number
  /**
   * f′(z) from the activation a = f(z) alone, where that is the same number as `derivative(z)`
   * and cheaper (the sigmoid's σ(1 − σ) without a second exponential). Optional.
   */
  readonly derivativeFromOutput?: (a: number) => number
  /**
   * For an activation that is not neuron by neuron (softmax): the whole layer's activations
   * from its weighted inputs, `n` of them starting at `from`. When present, `apply` and
   * `derivative` are not used.
   */
  readonly applyLayer?: (z: ArrayLike<number>, out: Float64Array | Float32Array, from: number, n: number) => void
}

/**
 * @since 0.1.0
 * @category models
 */
export type ActivationName = "sigmoid" | "relu" | "softmax"

/**
 * σ(z) = 1 / (1 + e^−z), computed so that it never overflows: for z < 0 it uses the equal
 * form e^z / (1 + e^z), whose exponential is at most 1. At z = ±1000 it gives exactly 1 and 0
 * rather than NaN. It is `Numerics.sigmoid`, whose exponential is `Numerics.exp`: the same bits
 * on every engine, and in the kernels' layers.
 *
 * @since 0.1.0
 * @category math
 */
export const sigmoidOf = (z: number): number => Numerics.sigmoid(z)

/**
 * The logistic sigmoid, the chapter's and network.py's choice. σ′(z) = σ(z)(1 − σ(z)).
 *
 * @since 0.1.0
 * @category activations
 */
export const sigmoid: Activation = {
  name: "sigmoid",
  apply: sigmoidOf,
  derivative: (z) => {
    const s = sigmoidOf(z)
    return s * (1 - s)
  },
  derivativeFromOutput: (a) => a * (1 - a)
}

/**
 * The rectified linear unit, max(0, z). Its derivative is 1 for z > 0 and 0 otherwise (the
 * kink at 0 is given slope 0).
 *
 * @since 0.1.0
 * @category activations
 */
export const relu: Activation = {
  name: "relu",
  apply: (z) => (z > 0 ? z : 0),
  derivative: (z) => (z > 0 ? 1 : 0),
  // max(0, z) > 0 exactly when z > 0.
  derivativeFromOutput: (a) => (a > 0 ? 1 : 0)
}

/**
 * softmax(z)_j = e^{z_j} / Σ_k e^{z_k}: the output layer's activations become a probability
 * distribution over the ten digits. Computed with the largest z subtracted first, so no
 * exponential overflows. Only for an output layer trained with the cross-entropy cost (then
 * −ln a_label), whose output error is simply a − y; its Jacobian is never needed.
 *
 * @since 0.1.0
 * @category activations
 */
export const softmax: Activation = {
  name: "softmax",
  apply: () => {
    throw new Error("softmax acts on a whole layer: use applyLayer")
  },
  derivative: () => {
    throw new Error("softmax has no neuron-by-neuron derivative: pair it with the cross-entropy cost")
  },
  applyLayer: (z, out, from, n) => {
    let max = -Infinity
    for (let j = 0; j < n; j++) max = Math.max(max, z[from + j]!)
    let sum = 0
    for (let j = 0; j < n; j++) {
      const e = Numerics.exp(z[from + j]! - max)
      out[from + j] = e
      sum += e
    }
    for (let j = 0; j < n; j++) out[from + j]! /= sum
  }
}

/**
 * Every activation by name.
 *
 * @since 0.1.0
 * @category activations
 */
export const byName: { readonly [K in ActivationName]: Activation } = { sigmoid, relu, softmax }

/**
 * Every activation's name: the one table that the CLI's choices, the run records' and model
 * files' schemas are made from, so an activation added here is usable everywhere.
 *
 * @since 0.2.0
 * @category activations
 */
export const names = Object.keys(byName) as unknown as readonly [ActivationName, ...Array<ActivationName>]

/**
 * The names of the activations a hidden layer can have: those that act neuron by neuron (not
 * softmax, which acts on a whole output layer).
 *
 * @since 0.2.0
 * @category activations
 */
export const hiddenNames = names.filter((name) => byName[name].applyLayer === undefined) as unknown as readonly [
  ActivationName,
  ...Array<ActivationName>
]
