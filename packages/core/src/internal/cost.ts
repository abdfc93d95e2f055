// The cost of a batch, shared by the fast kernels and the reference: both must report the
// same number, and there is only one way to add it up.
import type * as Network from "../Network.js"

/**
 * Sum over examples and output neurons of C(a, y), y being the one-hot vector of the label —
 * added to `total`, so that a sum over many batches, continued batch by batch, adds the same
 * terms in the same order as one over all their examples.
 */
export const totalCost = (
  network: Network.Network, output: ArrayLike<number>, labels: ArrayLike<number>, m: number, total = 0
): number => {
  const n = network.layout.sizes[network.layout.sizes.length - 1]!
  const value = network.cost.value
  const f = network.output
  for (let e = 0; e < m; e++) {
    const label = labels[e]!
    for (let j = 0; j < n; j++) total += value(f, output[e * n + j]!, j === label ? 1 : 0)
  }
  return total
}
