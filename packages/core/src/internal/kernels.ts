// The fast loops behind feedforward, backprop, descend and evaluate.
//
// What makes them fast, measured against the reference (reference.ts):
// - Sparse input: most of an MNIST image is background (about 80% of pixels are exactly 0), and
//   the first layer — 95% of the arithmetic — only needs the others. Each example's nonzero
//   pixels are found once per batch, sixteen bytes at a time; the forward sums and the first
//   layer's weight gradient visit only them. Skipping a term w·0 leaves a sum unchanged, so
//   forward values equal the dense ones.
// - SIMD: the loops over weights run in WebAssembly (@descent/kernels), two neurons per f64x2.
//   The parameters live in the workspace's WebAssembly memory between `loadParams` and
//   `storeParams`: a descent loads them once and steps them in place. Layer 1's weights are kept
//   transposed there (one row of neurons per input); the later layers' weights both ways.
// - No allocation per batch: every buffer lives in a Workspace, sized once for a layout and a
//   largest batch, and reused.
// Element-wise functions (activations, costs and their derivatives) run here, in JavaScript:
// they are defined once, in Activation and Cost.
//
// Every sum is added up in a fixed order that depends only on the data, never on timing, so the
// results are reproducible bit for bit — and equal to the reference's.
//
// Layout reminder: the weights into layer l+1 are a (rows=outputs, cols=inputs) row-major
// matrix at slot.weightsOffset; its biases (outputs) follow at slot.biasesOffset. Batches are
// (rows=examples, cols=neurons) row-major.
import * as Wasm from "@descent/kernels"
import type { Batch } from "../Batches.js"
import type * as Layout from "../Layout.js"
import * as Network from "../Network.js"
import { totalCost } from "./cost.js"
import * as Dataset from "../Dataset.js"
import { asArray } from "./vector.js"

/** Bump allocation of 16-byte-aligned buffers in a WebAssembly memory: byte offsets. */
class Arena {
  bytes = 16
  take(count: number, size: 1 | 4 | 8): number {
    const at = this.bytes
    // Rounded up to 16 by arithmetic, not `& ~15`, which would wrap past 2³¹ bytes.
    this.bytes = Math.ceil((at + count * size) / 16) * 16
    return at
  }
}

/** n rounded up to even: the row length of a transposed matrix, two neurons per f64x2. */
const even = (n: number): number => n + (n & 1)

/** Byte offsets of a workspace's buffers, for the WebAssembly loops. */
interface Offsets {
  readonly params: number
  readonly gradient: number
  /** Per connection layer: its weights transposed, (rows=inputs, cols=even(outputs)). */
  readonly transposed: ReadonlyArray<number>
  /** Layer 1's weight gradient, laid out like its transposed weights. */
  readonly weightGradient: number
  readonly zs: ReadonlyArray<number>
  readonly activations: ReadonlyArray<number>
  readonly deltas: ReadonlyArray<number>
  /** Layer 1's deltas padded to even(outputs) columns (the padding stays 0). */
  readonly paddedDelta: number
  readonly nonzeroIndex: number
  readonly nonzeroCount: number
  readonly nonzeroMasks: number
  readonly dense: number
  readonly raw: number
  /** (256) Dataset.inputOf of each byte: how the kernels turn pixels into inputs. */
  readonly inputTable: number
  readonly union: number
  readonly touched: number
}

/** Where each buffer of a workspace for `layout` and batches of `capacity` sits, and its size. */
const plan = (layout: Layout.Layout, capacity: number): { readonly at: Offsets; readonly bytes: number } => {
  const outputs = layout.layers.map((slot) => slot.outputs)
  const inputs = layout.sizes[0]!
  const stride = even(outputs[0]!)
  const chunks = Math.ceil(inputs / 16)
  const arena = new Arena()
  const deltas = outputs.map((n) => arena.take(capacity * n, 8))
  const at: Offsets = {
    params: arena.take(layout.size, 8),
    gradient: arena.take(layout.size, 8),
    transposed: layout.layers.map((slot) => arena.take(slot.inputs * even(slot.outputs), 8)),
    weightGradient: arena.take(inputs * stride, 8),
    zs: outputs.map((n) => arena.take(capacity * n, 8)),
    activations: outputs.map((n) => arena.take(capacity * n, 8)),
    deltas,
    paddedDelta: stride === outputs[0]! ? deltas[0]! : arena.take(capacity * stride, 8),
    nonzeroIndex: arena.take(capacity * inputs, 4),
    nonzeroCount: arena.take(capacity, 4),
    nonzeroMasks: arena.take(capacity * chunks, 4),
    dense: arena.take(capacity * inputs, 8),
    raw: arena.take(capacity * inputs, 1),
    inputTable: arena.take(256, 8),
    union: arena.take(inputs, 4),
    touched: arena.take(chunks, 4)
  }
  return { at, bytes: arena.bytes }
}

/**
 * Bytes of WebAssembly memory a workspace for `layout` and batches of up to `capacity` takes
 * (computed, not allocated).
 */
export const workspaceBytes = (layout: Layout.Layout, capacity: number): number => plan(layout, Math.max(capacity, 1)).bytes

/** The most memory one WebAssembly instance can have: 65,536 pages of 64 KiB (4 GiB). */
export const maxWorkspaceBytes = 65536 * 65536

/**
 * Buffers for one layout and batches of up to `capacity` examples, in WebAssembly memory,
 * holding the parameters the loops work on (see `loadParams`).
 */
export class Workspace {
  /** zs[l], activations[l], deltas[l]: (rows=capacity, cols=outputs of connection layer l) */
  readonly zs: Array<Float64Array>
  readonly activations: Array<Float64Array>
  readonly deltas: Array<Float64Array>
  /** The parameters, one entry each — except layer 1's weights, which are in `layer1Transposed`
   * (this slot of them goes stale during a descent: `storeParams` writes them back). */
  readonly params: Float64Array
  /** The summed gradient of the last backprop, laid out like `params` (layer 1's weights' part
   * in `layer1GradientTransposed`). Zeros between steps. */
  readonly gradient: Float64Array
  /** Layer 1's weights transposed — not `Params.weights`' layout: (rows=inputs, cols=stride),
   * layer1Transposed[k·stride + j] = w_jk. */
  readonly layer1Transposed: Float64Array
  /** Their gradient, laid out like `layer1Transposed`. Zeros between steps. */
  readonly layer1GradientTransposed: Float64Array
  /** Layer 1's neurons rounded up to even. */
  readonly stride: number
  readonly paddedDelta: Float64Array
  /** Where each example's inputs are nonzero: (rows=capacity, cols=inputs) indices, and counts. */
  readonly nonzeroIndex: Int32Array
  readonly nonzeroCount: Int32Array
  /** The same as bits, (rows=capacity, cols=⌈inputs/16⌉): bit k mod 16 of column k/16. */
  readonly nonzeroMasks: Int32Array
  /** (rows=capacity, cols=inputs): the batch's inputs. Only the listed (nonzero) entries are
   * ever read where an example's own inputs are concerned; the others hold 0 (or −0, after a
   * batch of plain inputs), which is what the gradient's blocks read for another example's. */
  readonly dense: Float64Array
  /** (rows=capacity, cols=inputs): the batch's images, when it comes from a byte dataset. */
  readonly raw: Uint8Array
  /** Examples whose nonzero inputs are written in `dense` (to clear before the next batch). */
  loaded = 0
  readonly kernels: Wasm.Kernels
  readonly at: Offsets

  constructor(
    readonly layout: Layout.Layout,
    readonly capacity: number
  ) {
    const outputs = layout.layers.map((slot) => slot.outputs)
    const inputs = layout.sizes[0]!
    const stride = even(outputs[0]!)
    const chunks = Math.ceil(inputs / 16)
    const planned = plan(layout, capacity)
    this.at = planned.at
    const { buffer, kernels } = Wasm.make(planned.bytes)
    const f64 = (at: number, count: number) => new Float64Array(buffer, at, count)
    const i32 = (at: number, count: number) => new Int32Array(buffer, at, count)
    const at = this.at
    this.kernels = kernels
    this.stride = stride
    this.zs = at.zs.map((offset, l) => f64(offset, capacity * outputs[l]!))
    this.activations = at.activations.map((offset, l) => f64(offset, capacity * outputs[l]!))
    this.deltas = at.deltas.map((offset, l) => f64(offset, capacity * outputs[l]!))
    this.params = f64(at.params, layout.size)
    this.gradient = f64(at.gradient, layout.size)
    this.layer1Transposed = f64(at.transposed[0]!, inputs * stride)
    this.layer1GradientTransposed = f64(at.weightGradient, inputs * stride)
    this.paddedDelta = f64(at.paddedDelta, capacity * stride)
    this.nonzeroIndex = i32(at.nonzeroIndex, capacity * inputs)
    this.nonzeroCount = i32(at.nonzeroCount, capacity)
    this.nonzeroMasks = i32(at.nonzeroMasks, capacity * chunks)
    this.dense = f64(at.dense, capacity * inputs)
    this.raw = new Uint8Array(buffer, at.raw, capacity * inputs)
    f64(at.inputTable, 256).set(Dataset.inputTable)
  }
}

/** Layers `from`… transposed for the forward loops, from their weights in `ws.params`. */
const transposeFrom = (ws: Workspace, from: number): void => {
  const layers = ws.layout.layers
  for (let l = from; l < layers.length; l++) {
    const { inputs: nIn, outputs: nOut, weightsOffset: wo } = layers[l]!
    ws.kernels.transpose(ws.at.params + wo * 8, nIn, nOut, ws.at.transposed[l]!, even(nOut))
  }
}

/** Copies `params` into the workspace, where the loops read (and a descent steps) them. */
export const loadParams = (ws: Workspace, params: Float64Array): void => {
  ws.params.set(params)
  transposeFrom(ws, 0)
}

/** Copies the workspace's parameters into `params`. */
export const storeParams = (ws: Workspace, params: Float64Array): void => {
  params.set(ws.params)
  const { inputs: nIn, outputs: nOut, weightsOffset: wo } = ws.layout.layers[0]!
  const { layer1Transposed: weights, stride } = ws
  for (let j = 0; j < nOut; j++) {
    const row = wo + j * nIn
    for (let k = 0; k < nIn; k++) params[row + k] = weights[k * stride + j]!
  }
}

/**
 * A workspace for batches of up to `m` examples holding `params`: `workspace` itself when it
 * fits, else a new one — loaded from `workspace` if there is one (a descent moving to a larger
 * batch keeps its steps), else from `params`.
 */
export const workspaceFor = (network: Network.Network, m: number, params: Float64Array, workspace?: Workspace): Workspace => {
  if (workspace !== undefined && workspace.capacity >= m) return workspace
  const fresh = new Workspace(network.layout, Math.max(m, 1))
  if (workspace !== undefined) {
    const stepped = new Float64Array(network.layout.size)
    storeParams(workspace, stepped)
    loadParams(fresh, stepped)
  } else {
    loadParams(fresh, params)
  }
  return fresh
}

// Workspaces for one-off, synchronous work (feedforward, backprop, evaluate): one per layout,
// reused — nothing else runs while such a call holds it — so repeated calls neither allocate
// WebAssembly memory nor leave it to the garbage collector. A descent, which yields between
// batches, has a workspace of its own.
const scratch = new WeakMap<Layout.Layout, Workspace>()

/** The scratch workspace for `network`'s layout, for batches of up to `m`, holding `params`. */
export const scratchFor = (network: Network.Network, m: number, params: Float64Array): Workspace => {
  let ws = scratch.get(network.layout)
  if (ws === undefined || ws.capacity < m) {
    ws = new Workspace(network.layout, Math.max(m, 1))
    scratch.set(network.layout, ws)
  }
  loadParams(ws, params)
  return ws
}

/**
 * Loads a batch's inputs into the workspace: the `dense` rows, and where each example's inputs
 * are nonzero as index lists and bit masks. A batch made by `Batches` from a dataset has
 * its images' bytes copied in and scanned in WebAssembly; any other batch is scanned here.
 */
const loadInputs = (ws: Workspace, batch: Batch, n: number): void => {
  const m = batch.size
  const source = batch.examples
  if (source !== undefined) {
    const { pixels } = source.dataset
    const raw = ws.raw
    for (let e = 0; e < m; e++) {
      const from = source.indices[e]! * n
      if (pixels instanceof Uint8Array) {
        raw.set(pixels.subarray(from, from + n), e * n)
      } else {
        for (let k = 0; k < n; k++) raw[e * n + k] = pixels[from + k]!
      }
    }
    const at = ws.at
    ws.kernels.loadPixels(
      at.raw, m, n, at.inputTable, at.nonzeroIndex, at.nonzeroCount, at.nonzeroMasks, at.dense, ws.loaded
    )
    ws.loaded = m
    return
  }
  // Any other batch: its values written whole into the dense rows, and scanned there, in
  // WebAssembly, as images are (one scan: `scanInputs` lists exactly what `loadPixels` would).
  ws.dense.set(asArray(batch.inputs).subarray(0, m * n))
  const at = ws.at
  ws.kernels.scanInputs(at.dense, m, n, at.nonzeroIndex, at.nonzeroCount, at.nonzeroMasks)
  // Rows past this batch's may still hold an earlier batch's nonzeros, listed where they were:
  // the next `loadPixels` clears them too.
  ws.loaded = Math.max(ws.loaded, m)
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
 * a^{l+1} = f(W a^l + b) for every layer, for the examples of `batch`, into `ws`, with the
 * workspace's parameters.
 */
export const forward = (ws: Workspace, network: Network.Network, batch: Batch): void => {
  const m = batch.size
  const layers = network.layout.layers
  const { at, kernels } = ws
  // Layer 1 from the sparse input.
  const first = layers[0]!
  loadInputs(ws, batch, first.inputs)
  kernels.forward(
    at.transposed[0]!, ws.stride, at.params + first.biasesOffset * 8, first.outputs,
    at.nonzeroIndex, at.nonzeroCount, at.dense, first.inputs, m, at.zs[0]!
  )
  activate(network, 0, ws.zs[0]!, ws.activations[0]!, first.outputs, m)
  // Later layers are small and dense.
  for (let l = 1; l < layers.length; l++) {
    const { biasesOffset: bo, inputs: nIn, outputs: nOut } = layers[l]!
    kernels.combine(at.transposed[l]!, nIn, nOut, even(nOut), at.activations[l - 1]!, m, at.zs[l]!)
    kernels.addBias(at.zs[l]!, at.params + bo * 8, nOut, m)
    activate(network, l, ws.zs[l]!, ws.activations[l]!, nOut, m)
  }
}

/**
 * The gradient of the cost summed over a batch into the workspace's gradient (which must hold
 * zeros when called: a fresh workspace, or one `stepAndClear` has just used), and the mean cost
 * returned. The fold leaves the mean to `stepAndClear`, saving a pass.
 *   δᴸ = ∂C/∂zᴸ (from the cost),  δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ f′(zˡ),
 *   ∂C/∂bˡ = δˡ,  ∂C/∂wˡ_jk = δˡ_j aˡ⁻¹_k,  each averaged over the m examples.
 */
export const backpropSum = (ws: Workspace, network: Network.Network, batch: Batch): number => {
  const m = batch.size
  const labels = batch.labels
  forward(ws, network, batch)
  const layers = network.layout.layers
  const last = layers.length - 1
  const { at, gradient, kernels } = ws

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
      // ∂C/∂w_jk = Σ_e δ_ej x_ek for layer 1, over the nonzero inputs, into `weightGradient`.
      const stride = ws.stride
      if (stride !== nOut) {
        const padded = ws.paddedDelta
        for (let e = 0; e < m; e++) {
          for (let j = 0; j < nOut; j++) padded[e * stride + j] = delta[e * nOut + j]!
        }
      }
      kernels.gradient(
        at.weightGradient, stride, at.paddedDelta, at.dense, nIn, at.nonzeroIndex, at.nonzeroCount, at.nonzeroMasks, m,
        at.union, at.touched
      )
      break
    }

    // ∂C/∂w_jk = Σ_e δ_ej a_ek, then δˡ⁻¹ = Wᵀ δˡ ⊙ f′(zˡ⁻¹).
    kernels.denseGradient(at.gradient + wo * 8, at.deltas[l]!, nOut, at.activations[l - 1]!, nIn, m)
    kernels.combine(at.params + wo * 8, nOut, nIn, nIn, at.deltas[l]!, m, at.deltas[l - 1]!)
    const previous = ws.deltas[l - 1]!
    const hidden = Network.activationOf(network, l - 1)
    const fromOutput = hidden.derivativeFromOutput
    const end = m * nIn
    if (fromOutput !== undefined) {
      const a = ws.activations[l - 1]!
      for (let i = 0; i < end; i++) previous[i]! *= fromOutput(a[i]!)
    } else {
      const derivative = hidden.derivative
      const z = ws.zs[l - 1]!
      for (let i = 0; i < end; i++) previous[i]! *= derivative(z[i]!)
    }
  }

  return totalCost(network, ws.activations[last]!, labels, m) * (1 / m)
}

/**
 * `backpropSum` scaled to the mean gradient: ∇C averaged over the batch, in a new array laid
 * out like the parameters.
 */
export const backprop = (ws: Workspace, network: Network.Network, batch: Batch): { gradient: Float64Array; cost: number } => {
  ws.gradient.fill(0)
  ws.layer1GradientTransposed.fill(0)
  const cost = backpropSum(ws, network, batch)
  const mean = 1 / batch.size
  const gradient = ws.gradient.slice()
  const { inputs: nIn, outputs: nOut, weightsOffset: wo } = network.layout.layers[0]!
  const { layer1GradientTransposed: weightGradient, stride } = ws
  for (let j = 0; j < nOut; j++) {
    const row = wo + j * nIn
    for (let k = 0; k < nIn; k++) gradient[row + k] = weightGradient[k * stride + j]!
  }
  for (let i = 0; i < gradient.length; i++) gradient[i]! *= mean
  return { gradient, cost }
}

/**
 * ‖∇C‖ of the summed gradient in the workspace scaled by 1/m — the norm of the gradient
 * `backprop` returns, to the bit: the same products, added in the parameter vector's order.
 */
export const gradientNorm = (ws: Workspace, m: number): number => {
  const mean = 1 / m
  const { gradient, layer1GradientTransposed: weightGradient, stride } = ws
  const { biasesOffset, inputs: nIn, outputs: nOut } = ws.layout.layers[0]!
  let sum = 0
  // Layer 1's weights come first in the vector; the workspace keeps them transposed: entry
  // (j, k) is weightGradient[k·stride + j].
  for (let j = 0; j < nOut; j++) {
    for (let k = 0; k < nIn; k++) {
      const g = weightGradient[k * stride + j]! * mean
      sum += g * g
    }
  }
  for (let i = biasesOffset; i < gradient.length; i++) {
    const g = gradient[i]! * mean
    sum += g * g
  }
  return Math.sqrt(sum)
}

/**
 * One step from a summed gradient, in place in the workspace, clearing the gradient for the
 * next batch: ∇C = sum·(1/m), then w ← (1 − η·decay)·w − η·∇C and b ← b − η·∇C — the same
 * operations, in the same order, as scaling the gradient and calling `Descent.step`.
 */
export const stepAndClear = (ws: Workspace, m: number, eta: number, weightDecay: number): void => {
  const mean = 1 / m
  // With no decay the factor is exactly 1, and 1·w is w: plain descent, bit for bit.
  const shrink = 1 - eta * weightDecay
  const { at, kernels } = ws
  const layers = ws.layout.layers
  const first = layers[0]!
  if (weightDecay === 0) {
    // Only the rows this batch touched have a nonzero gradient; a step leaves the others as
    // they are.
    kernels.step(at.transposed[0]!, at.weightGradient, ws.stride, at.touched, first.inputs, shrink, eta, mean)
  } else {
    kernels.stepRange(at.transposed[0]!, at.weightGradient, 0, first.inputs * ws.stride, shrink, eta, mean)
  }
  kernels.stepRange(at.params, at.gradient, first.biasesOffset, first.biasesOffset + first.outputs, 1, eta, mean)
  for (let l = 1; l < layers.length; l++) {
    const slot = layers[l]!
    kernels.stepRange(at.params, at.gradient, slot.weightsOffset, slot.biasesOffset, shrink, eta, mean)
    kernels.stepRange(at.params, at.gradient, slot.biasesOffset, slot.biasesOffset + slot.outputs, 1, eta, mean)
  }
  // Layer 1 steps transposed; the later layers step as they are, then are transposed again.
  transposeFrom(ws, 1)
}
