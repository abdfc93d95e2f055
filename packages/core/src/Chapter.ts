/**
 * The chapter's algorithm, written the way the chapter and Nielsen's network.py tell it — one
 * example at a time, one layer at a time, in plain loops: `feedforward`, `backprop` and
 * `updateMiniBatch`, in about a page. Read this first.
 *
 * It computes what `Feedforward`, `Backprop` and `Descent` compute, to within rounding: those
 * do the same arithmetic over whole mini-batches in WebAssembly, summing in a fixed order so
 * that runs replay bit for bit (their oracle is `Reference`). This module's sums run in the
 * order the chapter's formulas suggest, so its last bits may differ; a test checks it against
 * the fast path with a tolerance.
 *
 * Not for: training at speed (it allocates for every example), or replaying a run.
 *
 * @since 0.2.0
 */
import * as Gradient from "./Gradient.js"
import * as Network from "./Network.js"
import * as Params from "./Params.js"

/** w·a + b for the weights (rows=outputs, cols=inputs) and biases of connection layer `l`. */
const weightedInput = (params: Params.Params, l: number, a: ArrayLike<number>): Float64Array => {
  const w = Params.weights(params, l)
  const b = Params.biases(params, l)
  const z = new Float64Array(b.length)
  for (let j = 0; j < b.length; j++) {
    let sum = b[j]!
    for (let k = 0; k < a.length; k++) sum += w[j * a.length + k]! * a[k]!
    z[j] = sum
  }
  return z
}

/** a = f(z) for connection layer `l`'s activation (the softmax acts on the whole layer). */
const activate = (network: Network.Network, l: number, z: Float64Array): Float64Array => {
  const f = Network.activationOf(network, l)
  if (f.applyLayer !== undefined) {
    const a = new Float64Array(z.length)
    f.applyLayer(z, a, 0, z.length)
    return a
  }
  return z.map(f.apply)
}

/**
 * The output activations for input `x`: a ← f(w·a + b), layer after layer (network.py's
 * `feedforward`).
 *
 * @since 0.2.0
 * @category running
 */
export const feedforward = (network: Network.Network, params: Params.Params, x: ArrayLike<number>): Float64Array => {
  let a: Float64Array = Float64Array.from(x)
  for (let l = 0; l < network.layout.layers.length; l++) a = activate(network, l, weightedInput(params, l, a))
  return a
}

/**
 * ∇C for one example — input `x`, the digit `label` — as a `Gradient` (network.py's
 * `backprop`, which returns nabla_b and nabla_w):
 *   forward:   zˡ = wˡaˡ⁻¹ + bˡ,  aˡ = f(zˡ), keeping every z and a;
 *   output:    δᴸ = ∂C/∂zᴸ (the cost's `delta`);
 *   backward:  δˡ = (wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ f′(zˡ);
 *   gradient:  ∂C/∂bˡ_j = δˡ_j,  ∂C/∂wˡ_jk = δˡ_j · aˡ⁻¹_k.
 *
 * @since 0.2.0
 * @category learning
 */
export const backprop = (network: Network.Network, params: Params.Params, x: ArrayLike<number>, label: number): Gradient.Gradient => {
  const layers = network.layout.layers
  const L = layers.length
  // Forward pass: activations[0] is the input; zs[l] and activations[l + 1] belong to layer l.
  const activations: Array<Float64Array> = [Float64Array.from(x)]
  const zs: Array<Float64Array> = []
  for (let l = 0; l < L; l++) {
    zs.push(weightedInput(params, l, activations[l]!))
    activations.push(activate(network, l, zs[l]!))
  }
  const nabla = new Float64Array(network.layout.size)
  // Output error: δᴸ_j = ∂C/∂zᴸ_j, with y the one-hot vector of the label.
  const out = activations[L]!
  let delta = Float64Array.from(out, (a, j) => network.cost.delta(network.output, zs[L - 1]![j]!, a, j === label ? 1 : 0))
  for (let l = L - 1; l >= 0; l--) {
    const { biasesOffset, inputs, weightsOffset } = layers[l]!
    const a = activations[l]!
    for (let j = 0; j < delta.length; j++) {
      nabla[biasesOffset + j] = delta[j]!
      for (let k = 0; k < inputs; k++) nabla[weightsOffset + j * inputs + k] = delta[j]! * a[k]!
    }
    if (l === 0) break
    // Move the error back a layer: δˡ⁻¹ = wᵀ δˡ ⊙ f′(zˡ⁻¹).
    const w = Params.weights(params, l)
    const f = network.hidden
    const previous = new Float64Array(inputs)
    for (let k = 0; k < inputs; k++) {
      let sum = 0
      for (let j = 0; j < delta.length; j++) sum += w[j * inputs + k]! * delta[j]!
      previous[k] = sum * f.derivative(zs[l - 1]![k]!)
    }
    delta = previous
  }
  return Gradient.unsafeFromArray(network.layout, nabla)
}

/**
 * One step of stochastic gradient descent on a mini-batch (network.py's `update_mini_batch`):
 * the examples' gradients averaged, then params − η·∇C.
 *
 * @since 0.2.0
 * @category learning
 */
export const updateMiniBatch = (
  network: Network.Network,
  params: Params.Params,
  examples: ReadonlyArray<{ readonly x: ArrayLike<number>; readonly label: number }>,
  eta: number
): Params.Params => {
  let sum = Gradient.zero(network.layout)
  for (const { label, x } of examples) sum = Gradient.sum(sum, backprop(network, params, x, label))
  const gradient = Gradient.scale(sum, 1 / examples.length)
  return Params.unsafeFromArray(params.layout, Float64Array.from(params.vector, (p, i) => p - eta * gradient.vector[i]!))
}
