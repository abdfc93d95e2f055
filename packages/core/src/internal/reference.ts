// The reference implementation: plain, dense loops over one mini-batch at a time, allocating
// what they need — the straightforward way to write backpropagation. Kept as the oracle the
// fast kernels (kernels.ts) are tested against, and as the benchmark's baseline.
//
// Layout reminder: the weights into layer l+1 are a (rows=outputs, cols=inputs) row-major
// matrix at slot.weightsOffset; its biases (outputs) follow at slot.biasesOffset. Batches are
// (rows=examples, cols=neurons) row-major.
//
// Examples are taken four at a time and neurons two at a time, so that each number loaded
// feeds several multiply-adds; every sum is still added up in the same order for every
// example and neuron, so a result never depends on where an example falls in its batch or on
// how the loops are blocked.
import * as Network from "../Network.js"
import { totalCost } from "./cost.js"

/** Weighted inputs z and activations a = f(z) of layers 1…L for a batch of m examples. */
export interface Forward {
  /** zs[l]: (rows=m, cols=outputs of connection layer l) */
  readonly zs: Array<Float64Array>
  /** activations[l]: (rows=m, cols=outputs of connection layer l) */
  readonly activations: Array<Float64Array>
}

/** a^{l+1} = f(W a^l + b) for every layer, for the m examples in `inputs` (rows=m, cols=n₀). */
export const forward = (
  network: Network.Network,
  params: Float64Array,
  inputs: Float64Array,
  m: number
): Forward => {
  const zs: Array<Float64Array> = []
  const activations: Array<Float64Array> = []
  const layers = network.layout.layers
  for (let l = 0; l < layers.length; l++) {
    const { biasesOffset: bo, inputs: nIn, outputs: nOut, weightsOffset: wo } = layers[l]!
    const a = l === 0 ? inputs : activations[l - 1]!
    const z = new Float64Array(m * nOut) // (rows=m, cols=nOut)
    let e = 0
    for (; e + 4 <= m; e += 4) {
      const a0 = e * nIn, a1 = a0 + nIn, a2 = a1 + nIn, a3 = a2 + nIn
      let j = 0
      // Two neurons × four examples: each input activation read feeds two sums.
      for (; j + 2 <= nOut; j += 2) {
        const w = wo + j * nIn
        const v = w + nIn
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0
        let t0 = 0, t1 = 0, t2 = 0, t3 = 0
        for (let k = 0; k < nIn; k++) {
          const wk = params[w + k]!
          const vk = params[v + k]!
          const x0 = a[a0 + k]!, x1 = a[a1 + k]!, x2 = a[a2 + k]!, x3 = a[a3 + k]!
          s0 += wk * x0
          s1 += wk * x1
          s2 += wk * x2
          s3 += wk * x3
          t0 += vk * x0
          t1 += vk * x1
          t2 += vk * x2
          t3 += vk * x3
        }
        const b = params[bo + j]!
        const c = params[bo + j + 1]!
        z[e * nOut + j] = s0 + b
        z[(e + 1) * nOut + j] = s1 + b
        z[(e + 2) * nOut + j] = s2 + b
        z[(e + 3) * nOut + j] = s3 + b
        z[e * nOut + j + 1] = t0 + c
        z[(e + 1) * nOut + j + 1] = t1 + c
        z[(e + 2) * nOut + j + 1] = t2 + c
        z[(e + 3) * nOut + j + 1] = t3 + c
      }
      for (; j < nOut; j++) {
        const w = wo + j * nIn
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0
        for (let k = 0; k < nIn; k++) {
          const wk = params[w + k]!
          s0 += wk * a[a0 + k]!
          s1 += wk * a[a1 + k]!
          s2 += wk * a[a2 + k]!
          s3 += wk * a[a3 + k]!
        }
        const b = params[bo + j]!
        z[e * nOut + j] = s0 + b
        z[(e + 1) * nOut + j] = s1 + b
        z[(e + 2) * nOut + j] = s2 + b
        z[(e + 3) * nOut + j] = s3 + b
      }
    }
    for (; e < m; e++) {
      const a0 = e * nIn
      for (let j = 0; j < nOut; j++) {
        const w = wo + j * nIn
        let s0 = 0
        for (let k = 0; k < nIn; k++) s0 += params[w + k]! * a[a0 + k]!
        z[e * nOut + j] = s0 + params[bo + j]!
      }
    }
    const activation = Network.activationOf(network, l)
    const out = new Float64Array(m * nOut)
    if (activation.applyLayer !== undefined) {
      for (let e = 0; e < m; e++) activation.applyLayer(z, out, e * nOut, nOut)
    } else {
      const f = activation.apply
      for (let i = 0; i < out.length; i++) out[i] = f(z[i]!)
    }
    zs.push(z)
    activations.push(out)
  }
  return { zs, activations }
}

/**
 * The mean gradient of the cost over a batch, and the mean cost, by backpropagation:
 *   δᴸ = ∂C/∂zᴸ (from the cost),  δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ f′(zˡ),
 *   ∂C/∂bˡ = δˡ,  ∂C/∂wˡ_jk = δˡ_j aˡ⁻¹_k,  each averaged over the m examples.
 */
export const backprop = (
  network: Network.Network,
  params: Float64Array,
  inputs: Float64Array,
  labels: ArrayLike<number>,
  m: number
): { readonly gradient: Float64Array; readonly cost: number } => {
  const { activations, zs } = forward(network, params, inputs, m)
  const layers = network.layout.layers
  const last = layers.length - 1
  const gradient = new Float64Array(network.layout.size)

  // δᴸ: (rows=m, cols=outputs)
  const nL = layers[last]!.outputs
  const aL = activations[last]!
  const zL = zs[last]!
  let delta = new Float64Array(m * nL)
  for (let e = 0; e < m; e++) {
    const label = labels[e]!
    for (let j = 0; j < nL; j++) {
      const i = e * nL + j
      delta[i] = network.cost.delta(network.output, zL[i]!, aL[i]!, j === label ? 1 : 0)
    }
  }

  for (let l = last; l >= 0; l--) {
    const { biasesOffset: bo, inputs: nIn, outputs: nOut, weightsOffset: wo } = layers[l]!
    const a = l === 0 ? inputs : activations[l - 1]! // (rows=m, cols=nIn)

    // ∂C/∂b_j = Σ_e δ_ej
    for (let j = 0; j < nOut; j++) {
      let s = 0
      for (let e = 0; e < m; e++) s += delta[e * nOut + j]!
      gradient[bo + j] = s
    }

    // ∂C/∂w_jk = Σ_e δ_ej a_ek, two rows × four examples at a time: each activation read
    // feeds two rows. Every entry still adds its examples' terms in the same order.
    let j = 0
    for (; j + 2 <= nOut; j += 2) {
      const row = wo + j * nIn
      const next = row + nIn
      let e = 0
      for (; e + 4 <= m; e += 4) {
        const d0 = delta[e * nOut + j]!, d1 = delta[(e + 1) * nOut + j]!
        const d2 = delta[(e + 2) * nOut + j]!, d3 = delta[(e + 3) * nOut + j]!
        const f0 = delta[e * nOut + j + 1]!, f1 = delta[(e + 1) * nOut + j + 1]!
        const f2 = delta[(e + 2) * nOut + j + 1]!, f3 = delta[(e + 3) * nOut + j + 1]!
        const a0 = e * nIn, a1 = a0 + nIn, a2 = a1 + nIn, a3 = a2 + nIn
        for (let k = 0; k < nIn; k++) {
          const x0 = a[a0 + k]!, x1 = a[a1 + k]!, x2 = a[a2 + k]!, x3 = a[a3 + k]!
          gradient[row + k]! += d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3
          gradient[next + k]! += f0 * x0 + f1 * x1 + f2 * x2 + f3 * x3
        }
      }
      for (; e < m; e++) {
        const d0 = delta[e * nOut + j]!
        const f0 = delta[e * nOut + j + 1]!
        const a0 = e * nIn
        for (let k = 0; k < nIn; k++) {
          const x0 = a[a0 + k]!
          gradient[row + k]! += d0 * x0
          gradient[next + k]! += f0 * x0
        }
      }
    }
    for (; j < nOut; j++) {
      const row = wo + j * nIn
      let e = 0
      for (; e + 4 <= m; e += 4) {
        const d0 = delta[e * nOut + j]!, d1 = delta[(e + 1) * nOut + j]!
        const d2 = delta[(e + 2) * nOut + j]!, d3 = delta[(e + 3) * nOut + j]!
        const a0 = e * nIn, a1 = a0 + nIn, a2 = a1 + nIn, a3 = a2 + nIn
        for (let k = 0; k < nIn; k++) {
          gradient[row + k]! += d0 * a[a0 + k]! + d1 * a[a1 + k]! + d2 * a[a2 + k]! + d3 * a[a3 + k]!
        }
      }
      for (; e < m; e++) {
        const d0 = delta[e * nOut + j]!
        const a0 = e * nIn
        for (let k = 0; k < nIn; k++) gradient[row + k]! += d0 * a[a0 + k]!
      }
    }

    // δˡ⁻¹ = Wᵀ δˡ ⊙ f′(zˡ⁻¹): not needed below the first hidden layer.
    if (l > 0) {
      const previous = new Float64Array(m * nIn) // (rows=m, cols=nIn)
      for (let e = 0; e < m; e++) {
        const p = e * nIn
        for (let j = 0; j < nOut; j++) {
          const d = delta[e * nOut + j]!
          const row = wo + j * nIn
          for (let k = 0; k < nIn; k++) previous[p + k]! += params[row + k]! * d
        }
      }
      const derivative = Network.activationOf(network, l - 1).derivative
      const z = zs[l - 1]!
      for (let i = 0; i < previous.length; i++) previous[i]! *= derivative(z[i]!)
      delta = previous
    }
  }

  const mean = 1 / m
  for (let i = 0; i < gradient.length; i++) gradient[i]! *= mean
  return { gradient, cost: totalCost(network, aL, labels, m) * mean }
}
