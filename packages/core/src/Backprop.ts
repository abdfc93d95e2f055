/**
 * Backpropagation: the algorithm for computing the gradient of the cost efficiently. For a
 * mini-batch it returns the mean gradient ∇C over the batch's examples and their mean cost.
 *
 * Not for: taking a step with the gradient (see `Descent`).
 *
 * @since 0.1.0
 */
import type { Batch } from "./Batches.js"
import * as Gradient from "./Gradient.js"
import * as Layout from "./Layout.js"
import type * as Network from "./Network.js"
import type * as Params from "./Params.js"
import * as Kernels from "./internal/kernels.js"
import * as Workspace from "./internal/workspace.js"
import { asArray } from "./internal/vector.js"

/**
 * What backpropagation over one mini-batch finds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  /** ∇C averaged over the batch: 13,002 entries for 784-16-16-10. */
  readonly gradient: Gradient.Gradient
  /** C averaged over the batch, at the parameters the gradient was taken at. */
  readonly cost: number
}

/**
 * Throws unless `params` are laid out for `network`.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkParams = (network: Network.Network, params: Params.Params): void => {
  if (!Layout.equals(network.layout, params.layout)) {
    throw new RangeError(
      `parameters of ${Layout.format(params.layout)} do not fit a ${Layout.format(network.layout)} network`
    )
  }
}

/**
 * Throws unless `batch` fits `network`'s input layer.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkBatch = (network: Network.Network, batch: Batch): void => {
  const inputSize = Layout.inputSize(network.layout)
  if (batch.inputSize !== inputSize) {
    throw new RangeError(`${Layout.format(network.layout)} takes ${inputSize} inputs, the batch has ${batch.inputSize}`)
  }
  // A batch that Batches made from a dataset is whole by construction; reading `inputs` here
  // would make the dense copy the fast kernels avoid.
  const made = batch.examples !== undefined
  if ((!made && batch.inputs.length < batch.size * inputSize) || batch.labels.length < batch.size) {
    throw new RangeError(`a batch of ${batch.size} examples needs ${batch.size * inputSize} inputs and ${batch.size} labels`)
  }
}

/**
 * The mean gradient and mean cost of `batch` at `params`.
 *
 * @since 0.1.0
 * @category learning
 */
export const backprop = (network: Network.Network, params: Params.Params, batch: Batch): Result => {
  checkParams(network, params)
  checkBatch(network, batch)
  const workspace = Workspace.scratchFor(network, batch.size, asArray(params.vector))
  const { cost, gradient } = Kernels.backprop(workspace, network, batch)
  return { gradient: Gradient.unsafeFromArray(network.layout, gradient), cost }
}
