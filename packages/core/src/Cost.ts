/**
 * The cost of a single training example: how far the output activations a are from the
 * values y we want them to have (1 for the right digit, 0 for the others). The chapter's is
 * the quadratic cost, "add up the squares of the differences"; cross-entropy learns faster
 * when a sigmoid output neuron is badly wrong.
 *
 * Each cost is beside its output error term δᴸ = ∂C/∂zᴸ, where backpropagation starts.
 *
 * Not for: averaging over many examples (see `Backprop` and `Evaluate`).
 *
 * @since 0.1.0
 */
import type { Activation } from "./Activation.js"
import * as Numerics from "./Numerics.js"

/**
 * A cost function of the output activations and the wanted outputs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Cost {
  readonly name: CostName
  /**
   * C(a, y) for one output neuron of an `output` layer; the cost of an example is the sum over
   * the outputs.
   */
  readonly value: (output: Activation, a: number, y: number) => number
  /** δ = ∂C/∂z for one output neuron whose weighted input is z and activation a = f(z). */
  readonly delta: (output: Activation, z: number, a: number, y: number) => number
}

/**
 * @since 0.1.0
 * @category models
 */
export type CostName = "quadratic" | "cross-entropy"

/**
 * C = ½‖a − y‖², the chapter's cost; δ = (a − y)·f′(z). f′(z) is taken from the output a = f(z)
 * when the activation can (σ′ = σ(1 − σ)): the same number, without a second exp.
 *
 * @since 0.1.0
 * @category costs
 */
export const quadratic: Cost = {
  name: "quadratic",
  value: (_, a, y) => 0.5 * (a - y) * (a - y),
  delta: (output, z, a, y) =>
    (a - y) * (output.derivativeFromOutput !== undefined ? output.derivativeFromOutput(a) : output.derivative(z))
}

// The smallest probability the cross-entropy takes a logarithm of, so that a saturated
// output neuron (a exactly 0 or 1 in floating point) costs a large finite number, not ∞.
const floor = 1e-300

/**
 * C = −Σ [y ln a + (1 − y) ln(1 − a)]. With a sigmoid output, f′(z) = a(1 − a) cancels and
 * δ = a − y: the error no longer vanishes when the neuron saturates. For any other
 * neuron-by-neuron output activation δ = (a − y) / (a(1 − a)) · f′(z), defined only for
 * outputs strictly in (0, 1).
 *
 * With a softmax output it is the log-likelihood C = −Σ y ln a = −ln a_label, and again
 * δ = a − y.
 *
 * @since 0.1.0
 * @category costs
 */
export const crossEntropy: Cost = {
  name: "cross-entropy",
  value: (output, a, y) =>
    output.name === "softmax"
      ? -y * Numerics.log(Math.max(a, floor))
      : -(y * Numerics.log(Math.max(a, floor)) + (1 - y) * Numerics.log(Math.max(1 - a, floor))),
  delta: (output, z, a, y) =>
    output.name === "sigmoid" || output.name === "softmax" ? a - y : ((a - y) / (a * (1 - a))) * output.derivative(z)
}

/**
 * Every cost by name.
 *
 * @since 0.1.0
 * @category costs
 */
export const byName: { readonly [K in CostName]: Cost } = { quadratic, "cross-entropy": crossEntropy }

/**
 * Every cost's name: the one table the CLI's choices and the files' schemas are made from.
 *
 * @since 0.2.0
 * @category costs
 */
export const names = Object.keys(byName) as unknown as readonly [CostName, ...Array<CostName>]
