/**
 * How well the network does on labelled examples — typically the 10,000 test images it never
 * saw while learning: the fraction it names correctly, its mean cost, and a confusion matrix
 * of which digits it mistakes for which.
 *
 * Not for: learning (nothing here changes the parameters).
 *
 * @since 0.1.0
 */
import * as Batches from "./Batches.js"
import type * as Dataset from "./Dataset.js"
import * as Feedforward from "./Feedforward.js"
import * as Layout from "./Layout.js"
import type * as Network from "./Network.js"
import type * as Params from "./Params.js"
import { totalCost } from "./internal/cost.js"
import * as Kernels from "./internal/kernels.js"
import * as Workspace from "./internal/workspace.js"
import { asArray } from "./internal/vector.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Evaluation {
  /** Examples evaluated. */
  readonly count: number
  /** Examples whose brightest output neuron is their label. */
  readonly correct: number
  /** correct / count, in [0, 1]. */
  readonly accuracy: number
  /** The cost averaged over the examples. */
  readonly cost: number
  /**
   * confusion[actual][predicted]: how many examples of digit `actual` the network named
   * `predicted`. The diagonal holds the correct ones.
   */
  readonly confusion: ReadonlyArray<ReadonlyArray<number>>
}

// Examples fed forward together: big enough to amortise the loop set-up, small enough to stay
// in cache. The result does not depend on it.
const chunk = 100

/**
 * Bytes of memory evaluating `count` examples with a network of `layout` takes — estimated,
 * not allocated: a workspace for a chunk of examples and every example's outputs (`outputs`
 * keeps them all; `evaluate` reads them a chunk at a time).
 *
 * @since 0.3.0
 * @category memory
 */
export const memory = (layout: Layout.Layout, count: number): number =>
  Workspace.workspaceBytes(layout, chunk) + 8 * count * Layout.outputSize(layout)

/**
 * Layer `layer`'s activations (1 the first hidden layer, the last the outputs) for every example
 * of `dataset`: (rows=count, cols=the layer's neurons) — the numbers the network computes for
 * each example, bit for bit. It takes 8·count·neurons bytes besides `memory`'s workspace.
 *
 * @since 0.3.0
 * @category evaluating
 */
export const activations = (network: Network.Network, params: Params.Params, dataset: Dataset.Dataset, layer: number): Float64Array => {
  const n = network.layout.sizes[layer]
  if (n === undefined || layer < 1) throw new RangeError(`${Layout.format(network.layout)} has layers 1 to ${network.layout.layers.length}, not ${layer}`)
  const out = new Float64Array(dataset.count * n)
  const workspace = Workspace.scratchFor(network, chunk, asArray(params.vector))
  let offset = 0
  for (const batch of Batches.sequential(dataset, chunk)) {
    Kernels.forward(workspace, network, batch)
    out.set(workspace.activations[layer - 1]!.subarray(0, batch.size * n), offset)
    offset += batch.size * n
  }
  return out
}

/**
 * The output layer's activations for every example of `dataset`: (rows=count, cols=outputs).
 *
 * @since 0.1.0
 * @category evaluating
 */
export const outputs = (network: Network.Network, params: Params.Params, dataset: Dataset.Dataset): Float64Array =>
  activations(network, params, dataset, network.layout.layers.length)

/**
 * Accuracy, mean cost and confusion matrix of `params` on every example of `dataset`.
 *
 * @since 0.1.0
 * @category evaluating
 */
export const evaluate = (network: Network.Network, params: Params.Params, dataset: Dataset.Dataset): Evaluation => {
  const classes = Layout.outputSize(network.layout)
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0))
  const count = dataset.count
  const workspace = Workspace.scratchFor(network, chunk, asArray(params.vector))
  const output = workspace.activations[network.layout.layers.length - 1]!
  let correct = 0
  let total = 0
  // Chunk by chunk, reading each one's outputs where the forward pass left them: the cost is
  // one running sum over the examples in order, as over all the outputs at once.
  for (const batch of Batches.sequential(dataset, chunk)) {
    Kernels.forward(workspace, network, batch)
    for (let e = 0; e < batch.size; e++) {
      const predicted = Feedforward.argmax(output, e * classes, classes)
      const actual = batch.labels[e]!
      if (predicted === actual) correct++
      const row = confusion[actual]
      if (row !== undefined) row[predicted]!++
    }
    total = totalCost(network, output, batch.labels, batch.size, total)
  }
  return {
    count,
    correct,
    accuracy: count === 0 ? 0 : correct / count,
    cost: count === 0 ? 0 : total / count,
    confusion
  }
}
