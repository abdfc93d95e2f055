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
//
// In a network's precision (see Precision): `r` rounds every operation's result (the identity
// for f64), the parameters and inputs are rounded first, and each layer's values are kept in the
// precision's arrays, whose stores round too.
import * as Network from "../Network.js"
import * as Precision from "../Precision.js"
import { totalCost } from "./cost.js"

type Floats = Float64Array | Float32Array

/** `values` in the network's precision: themselves for f64 (or already f32), else rounded copies. */
const inPrecision = (network: Network.Network, values: Floats): Floats =>
  network.precision === "f32" && !(values instanceof Float32Array) ? Float32Array.from(values) : values

/** Weighted inputs z and activations a = f(z) of layers 1…L for a batch of m examples. */
export interface Forward {
  /** zs[l]: (rows=m, cols=outputs of connection layer l) */
  readonly zs: Array<Floats>
  /** activations[l]: (rows=m, cols=outputs of connection layer l) */
  readonly activations: Array<Floats>
}

/** a^{l+1} = f(W a^l + b) for every layer, for the m examples in `inputs` (rows=m, cols=n₀). */
export const forward = (
  network: Network.Network,
  parameters: Floats,
  inputs: Floats,
  m: number
): Forward => {
  const zs: Array<Floats> = []
  const activations: Array<Floats> = []
  const layers = network.layout.layers
  const r = Precision.rounding(network.precision)
  const params = inPrecision(network, parameters)
  const x = inPrecision(network, inputs)
  for (let l = 0; l < layers.length; l++) {
    const { biasesOffset: bo, inputs: nIn, outputs: nOut, weightsOffset: wo } = layers[l]!
    const a = l === 0 ? x : activations[l - 1]!
    const z = Precision.array(network.precision, m * nOut) // (rows=m, cols=nOut)
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
          s0 = r(s0 + r(wk * x0))
          s1 = r(s1 + r(wk * x1))
          s2 = r(s2 + r(wk * x2))
          s3 = r(s3 + r(wk * x3))
          t0 = r(t0 + r(vk * x0))
          t1 = r(t1 + r(vk * x1))
          t2 = r(t2 + r(vk * x2))
          t3 = r(t3 + r(vk * x3))
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
          s0 = r(s0 + r(wk * a[a0 + k]!))
          s1 = r(s1 + r(wk * a[a1 + k]!))
          s2 = r(s2 + r(wk * a[a2 + k]!))
          s3 = r(s3 + r(wk * a[a3 + k]!))
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
        for (let k = 0; k < nIn; k++) s0 = r(s0 + r(params[w + k]! * a[a0 + k]!))
        z[e * nOut + j] = s0 + params[bo + j]!
      }
    }
    const activation = Network.activationOf(network, l)
    const out = Precision.array(network.precision, m * nOut)
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
  parameters: Float64Array,
  inputs: Float64Array,
  labels: ArrayLike<number>,
  m: number
): { readonly gradient: Float64Array; readonly cost: number } => {
  // Rounded once, here: forward takes them as they are.
  const params = inPrecision(network, parameters)
  const x = inPrecision(network, inputs)
  const { activations, zs } = forward(network, params, x, m)
  const layers = network.layout.layers
  const last = layers.length - 1
  const r = Precision.rounding(network.precision)
  const gradient = new Float64Array(network.layout.size)

  // δᴸ: (rows=m, cols=outputs)
  const nL = layers[last]!.outputs
  const aL = activations[last]!
  const zL = zs[last]!
  let delta = Precision.array(network.precision, m * nL)
  for (let e = 0; e < m; e++) {
    const label = labels[e]!
    for (let j = 0; j < nL; j++) {
      const i = e * nL + j
      delta[i] = network.cost.delta(network.output, zL[i]!, aL[i]!, j === label ? 1 : 0)
    }
  }

  for (let l = last; l >= 0; l--) {
    const { biasesOffset: bo, inputs: nIn, outputs: nOut, weightsOffset: wo } = layers[l]!
    const a = l === 0 ? x : activations[l - 1]! // (rows=m, cols=nIn)

    // ∂C/∂b_j = Σ_e δ_ej
    for (let j = 0; j < nOut; j++) {
      let s = 0
      for (let e = 0; e < m; e++) s = r(s + delta[e * nOut + j]!)
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
          gradient[row + k] = r(gradient[row + k]! + block(r, d0, x0, d1, x1, d2, x2, d3, x3))
          gradient[next + k] = r(gradient[next + k]! + block(r, f0, x0, f1, x1, f2, x2, f3, x3))
        }
      }
      for (; e < m; e++) {
        const d0 = delta[e * nOut + j]!
        const f0 = delta[e * nOut + j + 1]!
        const a0 = e * nIn
        for (let k = 0; k < nIn; k++) {
          const x0 = a[a0 + k]!
          gradient[row + k] = r(gradient[row + k]! + r(d0 * x0))
          gradient[next + k] = r(gradient[next + k]! + r(f0 * x0))
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
          gradient[row + k] = r(gradient[row + k]! + block(r, d0, a[a0 + k]!, d1, a[a1 + k]!, d2, a[a2 + k]!, d3, a[a3 + k]!))
        }
      }
      for (; e < m; e++) {
        const d0 = delta[e * nOut + j]!
        const a0 = e * nIn
        for (let k = 0; k < nIn; k++) gradient[row + k] = r(gradient[row + k]! + r(d0 * a[a0 + k]!))
      }
    }

    // δˡ⁻¹ = Wᵀ δˡ ⊙ f′(zˡ⁻¹): not needed below the first hidden layer.
    if (l > 0) {
      const previous = Precision.array(network.precision, m * nIn) // (rows=m, cols=nIn)
      for (let e = 0; e < m; e++) {
        const p = e * nIn
        for (let j = 0; j < nOut; j++) {
          const d = delta[e * nOut + j]!
          const row = wo + j * nIn
          for (let k = 0; k < nIn; k++) previous[p + k] = r(previous[p + k]! + r(params[row + k]! * d))
        }
      }
      // δ·f′(z), f′ from the layer's output when the activation can (the same number: a = f(z)):
      // in double, rounded once — an element-wise function.
      const hidden = Network.activationOf(network, l - 1)
      const fromOutput = hidden.derivativeFromOutput
      const z = zs[l - 1]!
      const below = activations[l - 1]!
      for (let i = 0; i < previous.length; i++) {
        const derivative = fromOutput !== undefined ? fromOutput(below[i]!) : hidden.derivative(z[i]!)
        previous[i] = r(previous[i]! * derivative)
      }
      delta = previous
    }
  }

  const mean = r(1 / m)
  for (let i = 0; i < gradient.length; i++) gradient[i] = r(gradient[i]! * mean)
  return { gradient, cost: totalCost(network, aL, labels, m) * (1 / m) }
}

/** (d₀x₀ + d₁x₁ + d₂x₂ + d₃x₃), each operation rounded by r: a block of four examples' terms. */
const block = (
  r: (x: number) => number, d0: number, x0: number, d1: number, x1: number, d2: number, x2: number, d3: number, x3: number
): number => r(r(r(r(d0 * x0) + r(d1 * x1)) + r(d2 * x2)) + r(d3 * x3))
