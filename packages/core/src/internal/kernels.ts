// The fast loops behind feedforward, backprop, descend and evaluate.
//
// What makes them fast, measured against the reference (reference.ts):
// - Sparse input: most of an MNIST image is background (about 80% of pixels are exactly 0), and
//   the first layer — 95% of the arithmetic — only needs the others. Each example's nonzero
//   pixels are gathered once; the forward sums and the first layer's weight gradient visit only
//   them. Skipping a term w·0 leaves a sum unchanged, so forward values equal the dense ones.
// - No allocation per batch: every buffer lives in a Workspace, sized once for a layout and a
//   largest batch, and reused.
//
// Every sum is added up in a fixed order that depends only on the data, never on timing, so the
// results are reproducible bit for bit.
//
// Layout reminder: the weights into layer l+1 are a (rows=outputs, cols=inputs) row-major
// matrix at slot.weightsOffset; its biases (outputs) follow at slot.biasesOffset. Batches are
// (rows=examples, cols=neurons) row-major.
import type { Batch } from "../Batches.js"
import type * as Layout from "../Layout.js"
import * as Network from "../Network.js"
import { totalCost } from "./cost.js"
import { nonzeroIndexOf, type PixelSource, pixelScale, pixelSource } from "./pixels.js"
import { asArray } from "./vector.js"

/** Buffers for one layout and batches of up to `capacity` examples. */
export class Workspace {
  /** zs[l], activations[l], deltas[l]: (rows=capacity, cols=outputs of connection layer l) */
  readonly zs: Array<Float64Array>
  readonly activations: Array<Float64Array>
  readonly deltas: Array<Float64Array>
  /** The mean gradient of the last backprop: one entry per parameter. */
  readonly gradient: Float64Array
  /** Nonzero input activations per example: (rows=capacity, cols=inputs) indices and values. */
  readonly nonzeroIndex: Int32Array
  readonly nonzeroValue: Float64Array
  readonly nonzeroCount: Int32Array
  /** (rows=capacity, cols=inputs): the batch's inputs, written only where nonzero, else 0. */
  readonly dense: Float64Array
  /** Examples whose nonzero inputs are written in `dense` (to clear before the next batch). */
  loaded = 0
  /** The inputs nonzero in any example of a block of four, and a marker to build it. */
  readonly union: Int32Array
  readonly seen: Int32Array
  private block = 0

  constructor(
    readonly layout: Layout.Layout,
    readonly capacity: number
  ) {
    const outputs = layout.layers.map((slot) => slot.outputs)
    this.zs = outputs.map((n) => new Float64Array(capacity * n))
    this.activations = outputs.map((n) => new Float64Array(capacity * n))
    this.deltas = outputs.map((n) => new Float64Array(capacity * n))
    this.gradient = new Float64Array(layout.size)
    const inputs = layout.sizes[0]!
    this.nonzeroIndex = new Int32Array(capacity * inputs)
    this.nonzeroValue = new Float64Array(capacity * inputs)
    this.nonzeroCount = new Int32Array(capacity)
    this.dense = new Float64Array(capacity * inputs)
    this.union = new Int32Array(inputs)
    this.seen = new Int32Array(inputs)
  }

  /** A fresh marker value for `seen`: an input is in the current union when seen[k] equals it. */
  nextBlock(): number {
    this.block++
    if (this.block === 0x7fffffff) {
      this.seen.fill(0)
      this.block = 1
    }
    return this.block
  }
}

/** Fills `ws.union` with the inputs nonzero in any of examples e … e+3; returns how many. */
const unionOfNonzero = (ws: Workspace, e: number, n: number): number => {
  const mark = ws.nextBlock()
  const seen = ws.seen
  const union = ws.union
  let count = 0
  for (let i = e; i < e + 4; i++) {
    const from = i * n
    const to = from + ws.nonzeroCount[i]!
    for (let c = from; c < to; c++) {
      const k = ws.nonzeroIndex[c]!
      if (seen[k] !== mark) {
        seen[k] = mark
        union[count++] = k
      }
    }
  }
  return count
}

/** A workspace for `m` examples, reusing `workspace` when it fits. */
export const workspaceFor = (network: Network.Network, m: number, workspace?: Workspace): Workspace =>
  workspace !== undefined && workspace.layout === network.layout && workspace.capacity >= m
    ? workspace
    : new Workspace(network.layout, Math.max(m, 1))

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

/** a^{l+1} = f(W a^l + b) for every layer, for the examples of `batch`, into `ws`. */
export const forward = (ws: Workspace, network: Network.Network, params: Float64Array, batch: Batch): void => {
  const m = batch.size
  const layers = network.layout.layers
  const first = layers[0]!
  loadInputs(ws, batch, first.inputs)
  // Layer 1 from the sparse input.
  {
    const { biasesOffset: bo, inputs: nIn, outputs: nOut, weightsOffset: wo } = first
    const z = ws.zs[0]!
    const index = ws.nonzeroIndex
    const value = ws.nonzeroValue
    for (let e = 0; e < m; e++) {
      const from = e * nIn
      const to = from + ws.nonzeroCount[e]!
      let j = 0
      // Four neurons at a time: each nonzero pixel read feeds four sums.
      for (; j + 4 <= nOut; j += 4) {
        const r0 = wo + j * nIn, r1 = r0 + nIn, r2 = r1 + nIn, r3 = r2 + nIn
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0
        for (let c = from; c < to; c++) {
          const k = index[c]!
          const x = value[c]!
          s0 += params[r0 + k]! * x
          s1 += params[r1 + k]! * x
          s2 += params[r2 + k]! * x
          s3 += params[r3 + k]! * x
        }
        const out = e * nOut + j
        z[out] = s0 + params[bo + j]!
        z[out + 1] = s1 + params[bo + j + 1]!
        z[out + 2] = s2 + params[bo + j + 2]!
        z[out + 3] = s3 + params[bo + j + 3]!
      }
      for (; j < nOut; j++) {
        const row = wo + j * nIn
        let s = 0
        for (let c = from; c < to; c++) s += params[row + index[c]!]! * value[c]!
        z[e * nOut + j] = s + params[bo + j]!
      }
    }
    activate(network, 0, z, ws.activations[0]!, nOut, m)
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

    // ∂C/∂w_jk = Σ_e δ_ej a_ek. Examples four at a time, each entry adding its block's terms as
    // (δ₀a₀ + δ₁a₁ + δ₂a₂ + δ₃a₃), the order the reference uses, so the gradient is the
    // reference's to the bit.
    const a = l === 0 ? ws.dense : ws.activations[l - 1]! // (rows=m, cols=nIn)
    let e = 0
    for (; e + 4 <= m; e += 4) {
      const a0 = e * nIn, a1 = a0 + nIn, a2 = a1 + nIn, a3 = a2 + nIn
      // The first layer's inputs are mostly zero: visit only the pixels that are nonzero in
      // one of the four examples (a term δ·0 changes no sum).
      const count = l === 0 ? unionOfNonzero(ws, e, nIn) : nIn
      const visit = ws.union
      let j = 0
      if (l === 0) {
        // Two rows at a time: the four inputs read at k feed both rows' sums.
        for (; j + 2 <= nOut; j += 2) {
          const d0 = delta[e * nOut + j]!, d1 = delta[(e + 1) * nOut + j]!
          const d2 = delta[(e + 2) * nOut + j]!, d3 = delta[(e + 3) * nOut + j]!
          const f0 = delta[e * nOut + j + 1]!, f1 = delta[(e + 1) * nOut + j + 1]!
          const f2 = delta[(e + 2) * nOut + j + 1]!, f3 = delta[(e + 3) * nOut + j + 1]!
          const row = wo + j * nIn
          const next = row + nIn
          for (let c = 0; c < count; c++) {
            const k = visit[c]!
            const x0 = a[a0 + k]!, x1 = a[a1 + k]!, x2 = a[a2 + k]!, x3 = a[a3 + k]!
            gradient[row + k]! += d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3
            gradient[next + k]! += f0 * x0 + f1 * x1 + f2 * x2 + f3 * x3
          }
        }
      }
      for (; j < nOut; j++) {
        const d0 = delta[e * nOut + j]!, d1 = delta[(e + 1) * nOut + j]!
        const d2 = delta[(e + 2) * nOut + j]!, d3 = delta[(e + 3) * nOut + j]!
        const row = wo + j * nIn
        if (l === 0) {
          for (let c = 0; c < count; c++) {
            const k = visit[c]!
            gradient[row + k]! += d0 * a[a0 + k]! + d1 * a[a1 + k]! + d2 * a[a2 + k]! + d3 * a[a3 + k]!
          }
        } else {
          for (let k = 0; k < nIn; k++) {
            gradient[row + k]! += d0 * a[a0 + k]! + d1 * a[a1 + k]! + d2 * a[a2 + k]! + d3 * a[a3 + k]!
          }
        }
      }
    }
    for (; e < m; e++) {
      const a0 = e * nIn
      for (let j = 0; j < nOut; j++) {
        const d0 = delta[e * nOut + j]!
        const row = wo + j * nIn
        if (l === 0) {
          const from = e * nIn
          const to = from + ws.nonzeroCount[e]!
          for (let c = from; c < to; c++) {
            const k = ws.nonzeroIndex[c]!
            gradient[row + k]! += d0 * a[a0 + k]!
          }
        } else {
          for (let k = 0; k < nIn; k++) gradient[row + k]! += d0 * a[a0 + k]!
        }
      }
    }

    if (l > 0) {
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
        const a = ws.activations[l - 1]!
        for (let i = 0; i < end; i++) previous[i]! *= fromOutput(a[i]!)
      } else {
        for (let i = 0; i < end; i++) previous[i]! *= derivative(z[i]!)
      }
    }
  }

  return totalCost(network, ws.activations[last]!, labels, m) * (1 / m)
}

/** `backpropSum` scaled to the mean gradient: ∇C averaged over the batch, in `ws.gradient`. */
export const backprop = (ws: Workspace, network: Network.Network, params: Float64Array, batch: Batch): number => {
  ws.gradient.fill(0)
  const cost = backpropSum(ws, network, params, batch)
  const mean = 1 / batch.size
  const gradient = ws.gradient
  for (let i = 0; i < gradient.length; i++) gradient[i]! *= mean
  return cost
}

/**
 * One step from a summed gradient, in place, clearing the gradient for the next batch:
 * ∇C = sum·(1/m), then w ← (1 − η·decay)·w − η·∇C and b ← b − η·∇C — the same operations,
 * in the same order, as scaling the gradient and calling `Descent.step`, in one pass.
 */
export const stepAndClear = (
  layout: Layout.Layout,
  params: Float64Array,
  gradient: Float64Array,
  m: number,
  eta: number,
  weightDecay: number
): void => {
  const mean = 1 / m
  // With no decay the factor is exactly 1, and 1·w is w: plain descent, bit for bit.
  const shrink = 1 - eta * weightDecay
  for (const slot of layout.layers) {
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
