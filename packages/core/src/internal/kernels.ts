// The fast loops behind feedforward, backprop, descend and evaluate.
//
// What makes them fast, measured against the reference (reference.ts):
// - Sparse input: most of an MNIST image is background (about 80% of pixels are exactly 0), and
//   the first layer — 95% of the arithmetic — only needs the others. Each example's nonzero
//   pixels are gathered once; the forward sums and the first layer's weight gradient visit only
//   them. Skipping a term w·0 leaves a sum unchanged, so forward values equal the dense ones.
// - SIMD: layer 1's loops run in WebAssembly (@descent/kernels), two neurons per f64x2, on
//   weights kept transposed — one row of neurons per input — in the workspace. The workspace,
//   not `params`, holds layer 1 between `loadLayer1` and `storeLayer1`; a descent loads it once
//   and steps it in place.
// - No allocation per batch: every buffer lives in a Workspace, sized once for a layout and a
//   largest batch, and reused.
//
// Every sum is added up in a fixed order that depends only on the data, never on timing, so the
// results are reproducible bit for bit — and equal to the reference's.
//
// Layout reminder: the weights into layer l+1 are a (rows=outputs, cols=inputs) row-major
// matrix at slot.weightsOffset; its biases (outputs) follow at slot.biasesOffset. Batches are
// (rows=examples, cols=neurons) row-major.
import * as Kernels from "@descent/kernels"
import type { Batch } from "../Batches.js"
import type * as Layout from "../Layout.js"
import * as Network from "../Network.js"
import { totalCost } from "./cost.js"
import { nonzeroIndexOf, type PixelSource, pixelScale, pixelSource } from "./pixels.js"
import { asArray } from "./vector.js"

/** Bump allocation of 16-byte-aligned buffers in a WebAssembly memory: byte offsets. */
class Arena {
  bytes = 16
  take(count: number, size: 4 | 8): number {
    const at = this.bytes
    this.bytes = (at + count * size + 15) & ~15
    return at
  }
}

/** Buffers for one layout and batches of up to `capacity` examples, in WebAssembly memory. */
export class Workspace {
  /** zs[l], activations[l], deltas[l]: (rows=capacity, cols=outputs of connection layer l) */
  readonly zs: Array<Float64Array>
  readonly activations: Array<Float64Array>
  readonly deltas: Array<Float64Array>
  /** The summed or mean gradient of the last backprop: one entry per parameter, except layer
   * 1's weights, which are in `weightGradient`. */
  readonly gradient: Float64Array
  /** Layer 1's weights transposed, (rows=inputs, cols=stride): weights[k·stride + j] = w_jk. */
  readonly weights: Float64Array
  /** Their gradient, laid out like `weights`; zeros between steps. */
  readonly weightGradient: Float64Array
  /** Layer 1's biases. */
  readonly biases: Float64Array
  /** Layer 1's neurons rounded up to even: two per f64x2. */
  readonly stride: number
  /** Layer 1's deltas padded to `stride` columns (the padding stays 0). */
  readonly paddedDelta: Float64Array
  /** Nonzero input activations per example: (rows=capacity, cols=inputs) indices and values. */
  readonly nonzeroIndex: Int32Array
  readonly nonzeroValue: Float64Array
  readonly nonzeroCount: Int32Array
  /** (rows=capacity, cols=inputs): the batch's inputs, written only where nonzero, else 0. */
  readonly dense: Float64Array
  /** Examples whose nonzero inputs are written in `dense` (to clear before the next batch). */
  loaded = 0
  /** The inputs whose gradient rows the last backprop touched: `touched[0 … touchedCount)`. */
  readonly touched: Int32Array
  touchedCount = 0
  readonly layer1: Kernels.Layer1
  /** Byte offsets of the buffers the WebAssembly loops use. */
  readonly at: {
    readonly weights: number
    readonly weightGradient: number
    readonly biases: number
    readonly z: number
    readonly paddedDelta: number
    readonly nonzeroIndex: number
    readonly nonzeroValue: number
    readonly nonzeroCount: number
    readonly dense: number
    readonly seen: number
    readonly union: number
    readonly seenInBatch: number
    readonly touched: number
  }

  constructor(
    readonly layout: Layout.Layout,
    readonly capacity: number
  ) {
    const outputs = layout.layers.map((slot) => slot.outputs)
    const inputs = layout.sizes[0]!
    const first = outputs[0]!
    const stride = first + (first & 1)
    const arena = new Arena()
    const zs = outputs.map((n) => arena.take(capacity * n, 8))
    const activations = outputs.map((n) => arena.take(capacity * n, 8))
    const deltas = outputs.map((n) => arena.take(capacity * n, 8))
    this.at = {
      weights: arena.take(inputs * stride, 8),
      weightGradient: arena.take(inputs * stride, 8),
      biases: arena.take(stride, 8),
      z: zs[0]!,
      paddedDelta: stride === first ? deltas[0]! : arena.take(capacity * stride, 8),
      nonzeroIndex: arena.take(capacity * inputs, 4),
      nonzeroValue: arena.take(capacity * inputs, 8),
      nonzeroCount: arena.take(capacity, 4),
      dense: arena.take(capacity * inputs, 8),
      seen: arena.take(inputs, 4),
      union: arena.take(inputs, 4),
      seenInBatch: arena.take(inputs, 4),
      touched: arena.take(inputs, 4)
    }
    const { buffer, layer1 } = Kernels.make(arena.bytes)
    const f64 = (at: number, count: number) => new Float64Array(buffer, at, count)
    const i32 = (at: number, count: number) => new Int32Array(buffer, at, count)
    this.layer1 = layer1
    this.stride = stride
    this.zs = zs.map((at, l) => f64(at, capacity * outputs[l]!))
    this.activations = activations.map((at, l) => f64(at, capacity * outputs[l]!))
    this.deltas = deltas.map((at, l) => f64(at, capacity * outputs[l]!))
    this.gradient = new Float64Array(layout.size)
    this.weights = f64(this.at.weights, inputs * stride)
    this.weightGradient = f64(this.at.weightGradient, inputs * stride)
    this.biases = f64(this.at.biases, stride)
    this.paddedDelta = f64(this.at.paddedDelta, capacity * stride)
    this.nonzeroIndex = i32(this.at.nonzeroIndex, capacity * inputs)
    this.nonzeroValue = f64(this.at.nonzeroValue, capacity * inputs)
    this.nonzeroCount = i32(this.at.nonzeroCount, capacity)
    this.dense = f64(this.at.dense, capacity * inputs)
    this.touched = i32(this.at.touched, inputs)
  }
}

/** Copies layer 1's weights (transposed) and biases from `params` into the workspace. */
export const loadLayer1 = (ws: Workspace, params: Float64Array): void => {
  const { biasesOffset: bo, inputs: nIn, outputs: nOut, weightsOffset: wo } = ws.layout.layers[0]!
  const { stride, weights } = ws
  for (let j = 0; j < nOut; j++) {
    const row = wo + j * nIn
    for (let k = 0; k < nIn; k++) weights[k * stride + j] = params[row + k]!
    ws.biases[j] = params[bo + j]!
  }
}

/** Copies layer 1's weights and biases from the workspace back into `params`. */
export const storeLayer1 = (ws: Workspace, params: Float64Array): void => {
  const { biasesOffset: bo, inputs: nIn, outputs: nOut, weightsOffset: wo } = ws.layout.layers[0]!
  const { stride, weights } = ws
  for (let j = 0; j < nOut; j++) {
    const row = wo + j * nIn
    for (let k = 0; k < nIn; k++) params[row + k] = weights[k * stride + j]!
    params[bo + j] = ws.biases[j]!
  }
}

/**
 * A workspace for batches of up to `m` examples holding layer 1 of `params`: `workspace` itself
 * when it fits, else a new one, loaded from `params` — into which `workspace`'s layer 1, if
 * it was stepped, is stored first.
 */
export const workspaceFor = (network: Network.Network, m: number, params: Float64Array, workspace?: Workspace): Workspace => {
  if (workspace !== undefined && workspace.layout === network.layout) {
    if (workspace.capacity >= m) return workspace
    storeLayer1(workspace, params)
  }
  const fresh = new Workspace(network.layout, Math.max(m, 1))
  loadLayer1(fresh, params)
  return fresh
}

/**
 * Loads a batch's inputs into the workspace: each example's nonzero inputs as (index, value)
 * lists, and the same values in the `dense` rows. A batch made by `Batches` from a dataset is
 * read from the dataset's nonzero index; any other batch by scanning its inputs.
 */
const loadInputs = (ws: Workspace, batch: Batch, n: number): void => {
  const { dense, nonzeroCount: counts, nonzeroIndex: index, nonzeroValue: value } = ws
  for (let e = 0; e < ws.loaded; e++) {
    const from = e * n
    const to = from + counts[e]!
    for (let c = from; c < to; c++) dense[from + index[c]!] = 0
  }
  const m = batch.size
  const source = (batch as { readonly [pixelSource]?: PixelSource })[pixelSource]
  if (source !== undefined) {
    const { offsets, positions } = nonzeroIndexOf(source.dataset)
    const pixels = source.dataset.pixels
    for (let e = 0; e < m; e++) {
      const example = source.indices[e]!
      const begin = offsets[example]!
      const count = offsets[example + 1]! - begin
      const from = e * n
      const pixelsFrom = example * n
      for (let c = 0; c < count; c++) {
        const k = positions[begin + c]!
        const x = pixels[pixelsFrom + k]! * pixelScale
        index[from + c] = k
        value[from + c] = x
        dense[from + k] = x
      }
      counts[e] = count
    }
  } else {
    const inputs = asArray(batch.inputs)
    for (let e = 0; e < m; e++) {
      const from = e * n
      let count = 0
      for (let k = 0; k < n; k++) {
        const x = inputs[from + k]!
        if (x !== 0) {
          index[from + count] = k
          value[from + count] = x
          dense[from + k] = x
          count++
        }
      }
      counts[e] = count
    }
  }
  ws.loaded = m
}

const activate = (network: Network.Network, l: number, z: Float64Array, out: Float64Array, n: number, m: number) => {
  const activation = Network.activationOf(network, l)
  if (activation.applyLayer !== undefined) {
    for (let e = 0; e < m; e++) activation.applyLayer(z, out, e * n, n)
  } else {
    const f = activation.apply
    const end = m * n
    for (let i = 0; i < end; i++) out[i] = f(z[i]!)
  }
}

/**
 * a^{l+1} = f(W a^l + b) for every layer, for the examples of `batch`, into `ws`: layer 1 from
 * the workspace (see `loadLayer1`), the others from `params`.
 */
export const forward = (ws: Workspace, network: Network.Network, params: Float64Array, batch: Batch): void => {
  const m = batch.size
  const layers = network.layout.layers
  const first = layers[0]!
  loadInputs(ws, batch, first.inputs)
  // Layer 1 from the sparse input, in the workspace's weights.
  {
    const { inputs: nIn, outputs: nOut } = first
    const at = ws.at
    ws.layer1.forward(at.weights, ws.stride, at.biases, nOut, at.nonzeroIndex, at.nonzeroValue, at.nonzeroCount, nIn, m, at.z)
    activate(network, 0, ws.zs[0]!, ws.activations[0]!, nOut, m)
  }
  // Later layers are small and dense.
  for (let l = 1; l < layers.length; l++) {
    const { biasesOffset: bo, inputs: nIn, outputs: nOut, weightsOffset: wo } = layers[l]!
    const a = ws.activations[l - 1]!
    const z = ws.zs[l]!
    for (let e = 0; e < m; e++) {
      const from = e * nIn
      for (let j = 0; j < nOut; j++) {
        const row = wo + j * nIn
        let s = 0
        for (let k = 0; k < nIn; k++) s += params[row + k]! * a[from + k]!
        z[e * nOut + j] = s + params[bo + j]!
      }
    }
    activate(network, l, z, ws.activations[l]!, nOut, m)
  }
}

/**
 * The gradient of the cost summed over a batch into `ws.gradient` (which must hold zeros when
 * called: a fresh workspace, or one `stepAndClear` has just used), and the mean cost returned.
 * `mean` makes it the mean gradient; the fold leaves that to `stepAndClear`, saving a pass.
 *   δᴸ = ∂C/∂zᴸ (from the cost),  δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ f′(zˡ),
 *   ∂C/∂bˡ = δˡ,  ∂C/∂wˡ_jk = δˡ_j aˡ⁻¹_k,  each averaged over the m examples.
 */
export const backpropSum = (ws: Workspace, network: Network.Network, params: Float64Array, batch: Batch): number => {
  const m = batch.size
  const labels = batch.labels
  forward(ws, network, params, batch)
  const layers = network.layout.layers
  const last = layers.length - 1
  const gradient = ws.gradient

  // δᴸ: (rows=m, cols=outputs)
  {
    const nL = layers[last]!.outputs
    const aL = ws.activations[last]!
    const zL = ws.zs[last]!
    const delta = ws.deltas[last]!
    const cost = network.cost
    for (let e = 0; e < m; e++) {
      const label = labels[e]!
      for (let j = 0; j < nL; j++) {
        const i = e * nL + j
        delta[i] = cost.delta(network.output, zL[i]!, aL[i]!, j === label ? 1 : 0)
      }
    }
  }

  for (let l = last; l >= 0; l--) {
    const { biasesOffset: bo, inputs: nIn, outputs: nOut, weightsOffset: wo } = layers[l]!
    const delta = ws.deltas[l]!

    // ∂C/∂b_j = Σ_e δ_ej
    for (let j = 0; j < nOut; j++) {
      let s = 0
      for (let e = 0; e < m; e++) s += delta[e * nOut + j]!
      gradient[bo + j] = s
    }

    if (l === 0) {
      // Layer 1's weights, in WebAssembly, into the workspace's transposed gradient.
      const at = ws.at
      const stride = ws.stride
      if (stride !== nOut) {
        const padded = ws.paddedDelta
        for (let e = 0; e < m; e++) {
          for (let j = 0; j < nOut; j++) padded[e * stride + j] = delta[e * nOut + j]!
        }
      }
      ws.touchedCount = ws.layer1.gradient(
        at.weightGradient, stride, at.paddedDelta, at.dense, nIn, at.nonzeroIndex, at.nonzeroCount, m,
        at.seen, at.union, at.seenInBatch, at.touched
      )
      break
    }

    // ∂C/∂w_jk = Σ_e δ_ej a_ek. Examples four at a time, each entry adding its block's terms as
    // (δ₀a₀ + δ₁a₁ + δ₂a₂ + δ₃a₃), the order the reference uses, so the gradient is the
    // reference's to the bit.
    const a = ws.activations[l - 1]! // (rows=m, cols=nIn)
    let e = 0
    for (; e + 4 <= m; e += 4) {
      const a0 = e * nIn, a1 = a0 + nIn, a2 = a1 + nIn, a3 = a2 + nIn
      for (let j = 0; j < nOut; j++) {
        const d0 = delta[e * nOut + j]!, d1 = delta[(e + 1) * nOut + j]!
        const d2 = delta[(e + 2) * nOut + j]!, d3 = delta[(e + 3) * nOut + j]!
        const row = wo + j * nIn
        for (let k = 0; k < nIn; k++) {
          gradient[row + k]! += d0 * a[a0 + k]! + d1 * a[a1 + k]! + d2 * a[a2 + k]! + d3 * a[a3 + k]!
        }
      }
    }
    for (; e < m; e++) {
      const a0 = e * nIn
      for (let j = 0; j < nOut; j++) {
        const d0 = delta[e * nOut + j]!
        const row = wo + j * nIn
        for (let k = 0; k < nIn; k++) gradient[row + k]! += d0 * a[a0 + k]!
      }
    }

    // δˡ⁻¹ = Wᵀ δˡ ⊙ f′(zˡ⁻¹)
    const previous = ws.deltas[l - 1]!
    const z = ws.zs[l - 1]!
    const hidden = Network.activationOf(network, l - 1)
    const fromOutput = hidden.derivativeFromOutput
    const derivative = hidden.derivative
    previous.fill(0, 0, m * nIn)
    for (let e = 0; e < m; e++) {
      const p = e * nIn
      for (let j = 0; j < nOut; j++) {
        const d = delta[e * nOut + j]!
        const row = wo + j * nIn
        for (let k = 0; k < nIn; k++) previous[p + k]! += params[row + k]! * d
      }
    }
    const end = m * nIn
    if (fromOutput !== undefined) {
      for (let i = 0; i < end; i++) previous[i]! *= fromOutput(a[i]!)
    } else {
      for (let i = 0; i < end; i++) previous[i]! *= derivative(z[i]!)
    }
  }

  return totalCost(network, ws.activations[last]!, labels, m) * (1 / m)
}

/**
 * `backpropSum` scaled to the mean gradient: ∇C averaged over the batch, all of it in
 * `ws.gradient` (layer 1's weights moved there from the workspace's transposed gradient, which
 * is left cleared).
 */
export const backprop = (ws: Workspace, network: Network.Network, params: Float64Array, batch: Batch): number => {
  ws.gradient.fill(0)
  const cost = backpropSum(ws, network, params, batch)
  const mean = 1 / batch.size
  const gradient = ws.gradient
  const { inputs: nIn, outputs: nOut, weightsOffset: wo } = network.layout.layers[0]!
  const { stride, weightGradient } = ws
  for (let j = 0; j < nOut; j++) {
    const row = wo + j * nIn
    for (let k = 0; k < nIn; k++) gradient[row + k] = weightGradient[k * stride + j]!
  }
  weightGradient.fill(0)
  for (let i = 0; i < gradient.length; i++) gradient[i]! *= mean
  return cost
}

/**
 * One step from a summed gradient, in place, clearing the gradient for the next batch:
 * ∇C = sum·(1/m), then w ← (1 − η·decay)·w − η·∇C and b ← b − η·∇C — the same operations,
 * in the same order, as scaling the gradient and calling `Descent.step`, in one pass. Layer 1
 * steps in the workspace; the other layers in `params`.
 */
export const stepAndClear = (
  ws: Workspace,
  params: Float64Array,
  m: number,
  eta: number,
  weightDecay: number
): void => {
  const mean = 1 / m
  // With no decay the factor is exactly 1, and 1·w is w: plain descent, bit for bit.
  const shrink = 1 - eta * weightDecay
  const gradient = ws.gradient
  const layers = ws.layout.layers
  const { biasesOffset: bo, inputs: nIn, outputs: nOut } = layers[0]!
  const at = ws.at
  if (weightDecay === 0) {
    // Only the rows this batch touched have a nonzero gradient; a step leaves the others as
    // they are.
    ws.layer1.step(at.weights, at.weightGradient, ws.stride, at.touched, ws.touchedCount, shrink, eta, mean)
  } else {
    ws.layer1.stepAll(at.weights, at.weightGradient, ws.stride, nIn, shrink, eta, mean)
  }
  const biases = ws.biases
  for (let j = 0; j < nOut; j++) {
    biases[j] = biases[j]! - eta * (gradient[bo + j]! * mean)
    gradient[bo + j] = 0
  }
  for (let l = 1; l < layers.length; l++) {
    const slot = layers[l]!
    for (let i = slot.weightsOffset; i < slot.biasesOffset; i++) {
      params[i] = shrink * params[i]! - eta * (gradient[i]! * mean)
      gradient[i] = 0
    }
    const end = slot.biasesOffset + slot.outputs
    for (let i = slot.biasesOffset; i < end; i++) {
      params[i] = params[i]! - eta * (gradient[i]! * mean)
      gradient[i] = 0
    }
  }
}
