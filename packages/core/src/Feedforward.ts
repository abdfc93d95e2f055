/**
 * Running the network: "values propagate from one layer to the next, entirely determined by
 * the weights and biases". Each layer's activations are a^{l+1} = f(W a^l + b); the brightest
 * of the output neurons is the network's choice of digit.
 *
 * Not for: learning (see `Backprop` and `Descent`).
 *
 * @since 0.1.0
 */
import * as Layout from "./Layout.js"
import type * as Network from "./Network.js"
import type * as Params from "./Params.js"
import { asArray } from "./internal/vector.js"
import * as Kernels from "./internal/kernels.js"
import * as Workspace from "./internal/workspace.js"
import type { ReadonlyFloat64Array } from "./Vector.js"

/**
 * Every layer's state for one input.
 *
 * @since 0.1.0
 * @category models
 */
export interface Activations {
  /** activations[0] is the input; activations[L] the output layer (10 neurons for digits). */
  readonly activations: ReadonlyArray<ReadonlyFloat64Array>
  /** zs[l] is the weighted input of layer l + 1, before the activation function. */
  readonly zs: ReadonlyArray<ReadonlyFloat64Array>
}

/**
 * Every layer's activations (and weighted inputs) for one input of `inputSize` activations.
 *
 * @since 0.1.0
 * @category running
 */
export const feedforward = (
  network: Network.Network,
  params: Params.Params,
  input: ReadonlyFloat64Array
): Activations => {
  const n = Layout.inputSize(network.layout)
  if (input.length !== n) {
    throw new RangeError(`${Layout.format(network.layout)} takes ${n} input activations, got ${input.length}`)
  }
  const copy = Float64Array.from(input)
  const workspace = Workspace.scratchFor(network, 1, asArray(params.vector))
  Kernels.forward(workspace, network, { size: 1, inputSize: n, inputs: copy, labels: [0] })
  // The first row of each buffer is this example's, copied out of the workspace (as doubles,
  // whatever the network's precision).
  const sizes = network.layout.sizes
  return {
    activations: [copy, ...workspace.activations.map((a, l) => Float64Array.from(a.subarray(0, sizes[l + 1])))],
    zs: workspace.zs.map((z, l) => Float64Array.from(z.subarray(0, sizes[l + 1])))
  }
}

/**
 * The output layer's activations for one input.
 *
 * @since 0.1.0
 * @category running
 */
export const output = (
  network: Network.Network,
  params: Params.Params,
  input: ReadonlyFloat64Array
): ReadonlyFloat64Array => {
  const { activations } = feedforward(network, params, input)
  return activations[activations.length - 1]!
}

/**
 * The index of the brightest neuron — the network's answer. Ties go to the lower index.
 *
 * @since 0.1.0
 * @category running
 */
export const argmax = (outputs: ArrayLike<number>, from = 0, length = outputs.length - from): number => {
  let best = 0
  for (let j = 1; j < length; j++) if (outputs[from + j]! > outputs[from + best]!) best = j
  return best
}
