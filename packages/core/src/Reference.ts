/**
 * The reference implementation of backpropagation: plain, dense loops that allocate what they
 * need — the straightforward way to write it, with no sparse inputs and no reused buffers. The
 * fast kernels behind `Backprop`, `Descent` and `Evaluate` are tested against it, and the
 * benchmark measures them against it.
 *
 * Not for: training — it computes the same gradient, several times slower.
 *
 * @since 0.1.0
 */
import * as Backprop from "./Backprop.js"
import type { Batch } from "./Batches.js"
import * as Descent from "./Descent.js"
import * as Gradient from "./Gradient.js"
import type * as Network from "./Network.js"
import type * as Params from "./Params.js"
import * as Reference from "./internal/reference.js"
import { asArray } from "./internal/vector.js"

/**
 * The mean gradient and mean cost of `batch` at `params`, by the reference loops.
 *
 * @since 0.1.0
 * @category learning
 */
export const backprop = (network: Network.Network, params: Params.Params, batch: Batch): Backprop.Result => {
  Backprop.checkParams(network, params)
  Backprop.checkBatch(network, batch)
  const { cost, gradient } = Reference.backprop(network, asArray(params.vector), asArray(batch.inputs), batch.labels, batch.size)
  return { gradient: Gradient.unsafeFromArray(network.layout, gradient), cost }
}

/**
 * One step of stochastic gradient descent by the reference loops and the immutable `step`.
 *
 * @since 0.1.0
 * @category learning
 */
export const updateMiniBatch = (
  network: Network.Network,
  params: Params.Params,
  batch: Batch,
  eta: number,
  weightDecay = 0
): Params.Params => Descent.step(params, backprop(network, params, batch).gradient, eta, weightDecay, network.precision)

/**
 * The output layer's activations for the batch's examples, by the reference loops:
 * (rows=size, cols=outputs).
 *
 * @since 0.1.0
 * @category running
 */
export const outputs = (network: Network.Network, params: Params.Params, batch: Batch): Float64Array => {
  const { activations } = Reference.forward(network, asArray(params.vector), asArray(batch.inputs), batch.size)
  return Float64Array.from(activations[activations.length - 1]!)
}
