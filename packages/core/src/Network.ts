/**
 * The shape of a network, without its numbers: layer sizes, the activation of the hidden
 * layers and of the output layer, and the cost it is trained to lower. A `Network` and a
 * `Params` together compute outputs.
 *
 * The chapter's network is `Network.make({ sizes: [784, 16, 16, 10] })`: sigmoid everywhere,
 * quadratic cost.
 *
 * @since 0.1.0
 */
import * as Activation from "./Activation.js"
import * as Cost from "./Cost.js"
import * as Layout from "./Layout.js"
import type * as Precision from "./Precision.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Network {
  readonly layout: Layout.Layout
  /** f for every hidden layer. */
  readonly hidden: Activation.Activation
  /** f for the output layer. Sigmoid keeps each of the ten outputs in (0, 1). */
  readonly output: Activation.Activation
  readonly cost: Cost.Cost
  /** The numbers it computes in (see `Precision`): f64 unless asked. */
  readonly precision: Precision.Precision
}

/**
 * A network; every choice but the sizes defaults to the chapter's (sigmoid, quadratic cost, in
 * f64).
 * Throws `LayoutError` for sizes that cannot describe a network, and `RangeError` for a
 * softmax anywhere but an output layer trained with cross-entropy.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly sizes: ReadonlyArray<number>
  readonly hidden?: Activation.ActivationName | undefined
  readonly output?: Activation.ActivationName | undefined
  readonly cost?: Cost.CostName | undefined
  readonly precision?: Precision.Precision | undefined
}): Network => {
  const network = {
    layout: Layout.make(options.sizes),
    hidden: Activation.byName[options.hidden ?? "sigmoid"],
    output: Activation.byName[options.output ?? "sigmoid"],
    cost: Cost.byName[options.cost ?? "quadratic"],
    precision: options.precision ?? "f64"
  }
  if (network.hidden.name === "softmax") throw new RangeError("softmax is an output layer, not a hidden one")
  if (network.output.name === "softmax" && network.cost.name !== "cross-entropy") {
    throw new RangeError("a softmax output layer needs the cross-entropy cost")
  }
  return network
}

/**
 * The chapter's 784-16-16-10 network: 13,002 weights and biases, sigmoid, quadratic cost.
 *
 * @since 0.1.0
 * @category constructors
 */
export const chapter: Network = make({ sizes: [784, 16, 16, 10] })

/**
 * The activation of connection layer `l` (0-based): the output activation for the last one.
 *
 * @since 0.1.0
 * @category getters
 */
export const activationOf = (network: Network, l: number): Activation.Activation =>
  l === network.layout.layers.length - 1 ? network.output : network.hidden
