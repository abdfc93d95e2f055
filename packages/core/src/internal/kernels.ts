// The fast loops behind feedforward, backprop, descend and evaluate.
//
// What makes them fast, measured against the reference (reference.ts):
// - Sparse input: most of an MNIST image is background (about 80% of pixels are exactly 0), and
//   the first layer — 95% of the arithmetic — only needs the others. Each example's nonzero
//   pixels are found once per batch, sixteen bytes at a time; the forward sums and the first
//   layer's weight gradient visit only them. Skipping a term w·0 leaves a sum unchanged, so
//   forward values equal the dense ones.
// - Dense input: an image with no zero pixel needs no list; two such in a row are summed
//   together, each weight read once for both (assembly/kernels.ts's dense path).
// - SIMD: the loops over weights run in WebAssembly (@descent/kernels), two neurons per f64x2
//   (four per f32x4, for a network in f32: see Precision).
//   The parameters live in the workspace's WebAssembly memory between `loadParams` and
//   `storeParams`: a descent loads them once and steps them in place. Layer 1's weights are kept
//   transposed there (one row of neurons per input), in one panel of neurons per thread; the
//   later layers' weights both ways.
// - Threads (optional, `Threads`): layer 1's loops are jobs (assembly/jobs.ts) each thread does
//   its part of — its panel's sums, or its examples' pixels — in a shared memory. No sum is
//   split, so the results are the same for any thread count.
// - No allocation per batch: every buffer lives in a Workspace, sized once for a layout and a
//   largest batch, and reused.
// Element-wise functions (activations, costs and their derivatives) run here, in JavaScript —
// they are defined once, in Activation and Cost — except the sigmoid and δ ⊙ σ′, whose loops
// over a layer run in WebAssembly (layer 1's sigmoids in its forward job): the sigmoid's one
// definition is assembly/numerics.ts's, which Activation.sigmoid calls too. So do the bias
// gradients' sums (layer 1's in its gradient job).
//
// Every sum is added up in a fixed order that depends only on the data, never on timing, so the
// results are reproducible bit for bit — and equal to the reference's.
//
// Layout reminder: the weights into layer l+1 are a (rows=outputs, cols=inputs) row-major
// matrix at slot.weightsOffset; its biases (outputs) follow at slot.biasesOffset. Batches are
// (rows=examples, cols=neurons) row-major.
import * as Wasm from "@descent/kernels"
import * as Activation from "../Activation.js"
import type { Batch } from "../Batches.js"
import type { Threads } from "../Threads.js"
import type * as Layout from "../Layout.js"
import * as Network from "../Network.js"
import * as Precision from "../Precision.js"
import { totalCost } from "./cost.js"
import * as Dataset from "../Dataset.js"
import { asArray } from "./vector.js"

/**
 * Bytes at the start of a workspace's memory kept for the kernels module's static data (its
 * sigmoid's table): at least its `heapBase` (checked when a workspace is made).
 */
const staticBytes = 4096

/**
 * Bump allocation of buffers in a WebAssembly memory (byte offsets), after the module's static
 * data, each starting a 64-byte cache line: threads writing neighbouring buffers never share a
 * line.
 */
class Arena {
  bytes = staticBytes
  take(count: number, size: 1 | 4 | 8): number {
    const at = this.bytes
    // Rounded up by arithmetic, not `& ~63`, which would wrap past 2³¹ bytes.
    this.bytes = Math.ceil((at + count * size) / 64) * 64
    return at
  }
}

/** A workspace's numbers: f64 or f32, as its precision says. */
type Floats = Float64Array | Float32Array

/** Numbers of a precision in a v128: 2 f64 or 4 f32. */
const lanesOf = (precision: Precision.Precision): number => 16 / Precision.bytes(precision)

/** n rounded up to a whole number of vectors of `lanes`: the row length of a transposed matrix. */
const whole = (n: number, lanes: number): number => Math.ceil(n / lanes) * lanes

/** Where thread t's share of `units` starts, as jobs.ts's `share`: ⌊units·t/threads⌋. */
const share = (units: number, t: number, threads: number): number => Math.floor((units * t) / threads)

/**
 * Layer 1's neurons cut into one panel per thread (see assembly/jobs.ts): panel t is neurons
 * [from, from + width), bounds at whole vectors, the last including the padding lanes.
 */
const panelsOf = (neurons: number, threads: number, lanes: number): ReadonlyArray<{ readonly from: number; readonly width: number }> => {
  const vectors = whole(neurons, lanes) / lanes
  return Array.from({ length: threads }, (_, t) => {
    const from = lanes * share(vectors, t, threads)
    return { from, width: lanes * share(vectors, t + 1, threads) - from }
  })
}

/** Byte offsets of a workspace's buffers, for the WebAssembly loops. */
interface Offsets {
  readonly params: number
  readonly gradient: number
  /** Layer 1's panels, one per thread: each its neurons' transposed weights and their gradient,
   * (rows=inputs, cols=width). */
  readonly panels: ReadonlyArray<{ readonly from: number; readonly width: number; readonly weights: number; readonly gradient: number }>
  /** The panels as jobs.ts reads them. */
  readonly panelTable: number
  /** Per connection layer after the first (index 0 unused): its weights transposed,
   * (rows=inputs, cols=outputs rounded up to whole vectors). */
  readonly transposed: ReadonlyArray<number>
  readonly zs: ReadonlyArray<number>
  readonly activations: ReadonlyArray<number>
  readonly deltas: ReadonlyArray<number>
  /** Layer 1's deltas padded to whole vectors of columns (the padding stays 0). */
  readonly paddedDelta: number
  readonly nonzeroIndex: number
  readonly nonzeroCount: number
  readonly nonzeroMasks: number
  readonly dense: number
  readonly raw: number
  /** (256) Dataset.inputOf of each byte: how the kernels turn pixels into inputs. */
  readonly inputTable: number
  /** Per thread, `unionBytes` apart: the inputs nonzero in a block of examples (see `gradient`). */
  readonly unions: number
  /** Per thread, `touchedBytes` apart: the rows of layer 1 a batch touched, as masks. */
  readonly touched: number
  /** The job block that shares layer 1's loops out between threads (assembly/jobs.ts). */
  readonly job: number
}

/** Bytes kept for the job block: more than jobs.ts's `Job` takes (checked at construction). */
const jobBlockBytes = 256
/** Bytes kept per panel in the job block's table: more than jobs.ts's `Panel` takes. */
const panelEntryBytes = 16

/** Bytes apart of each thread's union list and touched masks, as jobs.ts computes them. */
const unionBytes = (inputs: number): number => Math.ceil((inputs * 4) / 16) * 16
const touchedBytes = (inputs: number): number => Math.ceil((Math.ceil(inputs / 16) * 4) / 16) * 16

/** Where each buffer of a workspace for `layout` and batches of `capacity` sits, and its size. */
const plan = (
  layout: Layout.Layout, capacity: number, threads: number, precision: Precision.Precision
): { readonly at: Offsets; readonly bytes: number } => {
  const outputs = layout.layers.map((slot) => slot.outputs)
  const inputs = layout.sizes[0]!
  const lanes = lanesOf(precision)
  const size = Precision.bytes(precision)
  const stride = whole(outputs[0]!, lanes)
  const chunks = Math.ceil(inputs / 16)
  const arena = new Arena()
  const deltas = outputs.map((n) => arena.take(capacity * n, size))
  const at: Offsets = {
    params: arena.take(layout.size, size),
    gradient: arena.take(layout.size, size),
    panels: panelsOf(outputs[0]!, threads, lanes).map(({ from, width }) => ({
      from,
      width,
      weights: arena.take(inputs * width, size),
      gradient: arena.take(inputs * width, size)
    })),
    panelTable: arena.take(threads * panelEntryBytes, 1),
    transposed: layout.layers.map((slot, l) => (l === 0 ? 0 : arena.take(slot.inputs * whole(slot.outputs, lanes), size))),
    zs: outputs.map((n) => arena.take(capacity * n, size)),
    activations: outputs.map((n) => arena.take(capacity * n, size)),
    deltas,
    paddedDelta: stride === outputs[0]! ? deltas[0]! : arena.take(capacity * stride, size),
    nonzeroIndex: arena.take(capacity * inputs, 4),
    nonzeroCount: arena.take(capacity, 4),
    nonzeroMasks: arena.take(capacity * chunks, 4),
    dense: arena.take(capacity * inputs, size),
    raw: arena.take(capacity * inputs, 1),
    inputTable: arena.take(256, size),
    unions: arena.take(threads * unionBytes(inputs), 1),
    touched: arena.take(threads * touchedBytes(inputs), 1),
    job: arena.take(jobBlockBytes, 1)
  }
  return { at, bytes: arena.bytes }
}

/**
 * Bytes of WebAssembly memory a workspace for `layout` and batches of up to `capacity` takes
 * (computed, not allocated).
 */
export const workspaceBytes = (
  layout: Layout.Layout, capacity: number, threads = 1, precision: Precision.Precision = "f64"
): number => plan(layout, Math.max(capacity, 1), threads, precision).bytes

/** The most memory one WebAssembly instance can have: 65,536 pages of 64 KiB (4 GiB). */
export const maxWorkspaceBytes = 65536 * 65536

/**
 * One of layer 1's panels (one per thread, see assembly/jobs.ts): neurons [from, from+neurons)
 * — `width` columns with a padding lane, if any — their weights transposed, not
 * `Params.weights`' layout: weights[k·width + j] = w_{from+j, k}; and their gradient, laid out
 * the same way (zeros between steps).
 */
export interface Layer1Panel {
  readonly from: number
  readonly neurons: number
  readonly width: number
  readonly weights: Floats
  readonly gradient: Floats
}

/**
 * Buffers for one layout and batches of up to `capacity` examples, in WebAssembly memory,
 * holding the parameters the loops work on (see `loadParams`).
 */
export class Workspace {
  /** zs[l], activations[l], deltas[l]: (rows=capacity, cols=outputs of connection layer l) */
  readonly zs: Array<Floats>
  readonly activations: Array<Floats>
  readonly deltas: Array<Floats>
  /** The parameters, one entry each — except layer 1's weights, which are in `layer1`'s panels
   * (this slot of them goes stale during a descent: `storeParams` writes them back). */
  readonly params: Floats
  /** The summed gradient of the last backprop, laid out like `params` (layer 1's weights' part
   * in `layer1`'s panels). Zeros between steps. */
  readonly gradient: Floats
  /** Layer 1's weights and their gradient, in one panel per thread, in neuron order. */
  readonly layer1: ReadonlyArray<Layer1Panel>
  /** Layer 1's neurons rounded up to whole vectors: the width of its delta rows. */
  readonly stride: number
  readonly paddedDelta: Floats
  /** Where each example's inputs are nonzero: (rows=capacity, cols=inputs) indices, and counts. */
  readonly nonzeroIndex: Int32Array
  readonly nonzeroCount: Int32Array
  /** The same as bits, (rows=capacity, cols=⌈inputs/16⌉): bit k mod 16 of column k/16. */
  readonly nonzeroMasks: Int32Array
  /** (rows=capacity, cols=inputs): the batch's inputs. Only the listed (nonzero) entries are
   * ever read where an example's own inputs are concerned; the others hold 0 (or −0, after a
   * batch of plain inputs), which is what the gradient's blocks read for another example's. */
  readonly dense: Floats
  /** (rows=capacity, cols=inputs): the batch's images, when it comes from a byte dataset. */
  readonly raw: Uint8Array
  /** Examples whose nonzero inputs are written in `dense` (to clear before the next batch). */
  loaded = 0
  /** Whether `pool`'s helpers have left this workspace for another one's work. */
  detached = false
  readonly kernels: Wasm.Kernels
  readonly at: Offsets
  /** Bytes per number: 8 (f64) or 4 (f32). */
  readonly size: 8 | 4

  constructor(
    readonly layout: Layout.Layout,
    readonly capacity: number,
    readonly pool?: Threads,
    readonly precision: Precision.Precision = "f64"
  ) {
    const outputs = layout.layers.map((slot) => slot.outputs)
    const inputs = layout.sizes[0]!
    const threads = pool?.count ?? 1
    const stride = whole(outputs[0]!, lanesOf(precision))
    const chunks = Math.ceil(inputs / 16)
    const planned = plan(layout, capacity, threads, precision)
    this.at = planned.at
    this.size = Precision.bytes(precision)
    const { buffer, kernels, memory, module } = Wasm.make(planned.bytes, threads > 1, precision)
    const floats = (at: number, count: number): Floats =>
      precision === "f32" ? new Float32Array(buffer, at, count) : new Float64Array(buffer, at, count)
    const i32 = (at: number, count: number) => new Int32Array(buffer, at, count)
    const at = this.at
    this.kernels = kernels
    this.stride = stride
    this.zs = at.zs.map((offset, l) => floats(offset, capacity * outputs[l]!))
    this.activations = at.activations.map((offset, l) => floats(offset, capacity * outputs[l]!))
    this.deltas = at.deltas.map((offset, l) => floats(offset, capacity * outputs[l]!))
    this.params = floats(at.params, layout.size)
    this.gradient = floats(at.gradient, layout.size)
    this.layer1 = at.panels.map(({ from, width, weights, gradient }) => ({
      from,
      neurons: Math.max(0, Math.min(width, outputs[0]! - from)),
      width,
      weights: floats(weights, inputs * width),
      gradient: floats(gradient, inputs * width)
    }))
    this.paddedDelta = floats(at.paddedDelta, capacity * stride)
    this.nonzeroIndex = i32(at.nonzeroIndex, capacity * inputs)
    this.nonzeroCount = i32(at.nonzeroCount, capacity)
    this.nonzeroMasks = i32(at.nonzeroMasks, capacity * chunks)
    this.dense = floats(at.dense, capacity * inputs)
    this.raw = new Uint8Array(buffer, at.raw, capacity * inputs)
    floats(at.inputTable, 256).set(Dataset.inputTable)
    if (
      kernels.heapBase() > staticBytes || kernels.jobBytes() > jobBlockBytes || kernels.panelBytes() > panelEntryBytes ||
      kernels.unionBytes(inputs) !== unionBytes(inputs) || kernels.touchedBytes(inputs) !== touchedBytes(inputs)
    ) {
      throw new Error("@descent/kernels' job block does not match the workspace's plan: rebuild @descent/kernels")
    }
    const first = layout.layers[0]!
    kernels.describe(
      at.job, threads, precision === "f32", at.panelTable, stride, first.outputs, inputs, at.params + first.biasesOffset * this.size,
      at.gradient + first.biasesOffset * this.size,
      at.nonzeroIndex, at.nonzeroCount, at.nonzeroMasks, at.dense, at.raw, at.inputTable, at.zs[0]!,
      at.activations[0]!, at.paddedDelta, at.unions, at.touched
    )
    at.panels.forEach((panel, t) => kernels.describePanel(at.job, t, panel.from, panel.width, panel.weights, panel.gradient))
    if (pool !== undefined && threads > 1) {
      pool.attach({
        module, memory, job: at.job, quit: () => {
          kernels.quit(at.job)
          this.detached = true
        }
      })
    }
  }
}

/** Layers `from`… transposed for the forward loops, from their weights in `ws.params`. */
const transposeFrom = (ws: Workspace, from: number): void => {
  const layers = ws.layout.layers
  for (let l = from; l < layers.length; l++) {
    const { inputs: nIn, outputs: nOut, weightsOffset: wo } = layers[l]!
    if (l === 0) {
      for (const { from, neurons, weights, width } of ws.layer1) {
        ws.kernels.transpose(ws.at.params + (wo + from * nIn) * ws.size, nIn, neurons, weights.byteOffset, width)
      }
    } else {
      ws.kernels.transpose(ws.at.params + wo * ws.size, nIn, nOut, ws.at.transposed[l]!, whole(nOut, lanesOf(ws.precision)))
    }
  }
}

/** Copies `params` into the workspace, where the loops read (and a descent steps) them. */
export const loadParams = (ws: Workspace, params: Float64Array): void => {
  ws.params.set(params)
  transposeFrom(ws, 0)
}

/**
 * Layer 1's weights (`weights`) or their summed gradient (`gradient`) from the panels, in the
 * parameter vector's layout and order: `visit(j·nIn + k, value)` for j, then k, increasing.
 */
const eachLayer1 = (ws: Workspace, of: "weights" | "gradient", visit: (i: number, value: number) => void): void => {
  const nIn = ws.layout.sizes[0]!
  for (const panel of ws.layer1) {
    const values = panel[of]
    for (let j = 0; j < panel.neurons; j++) {
      const row = (panel.from + j) * nIn
      for (let k = 0; k < nIn; k++) visit(row + k, values[k * panel.width + j]!)
    }
  }
}

/** Copies the workspace's parameters into `params`. */
export const storeParams = (ws: Workspace, params: Float64Array): void => {
  params.set(ws.params)
  const wo = ws.layout.layers[0]!.weightsOffset
  eachLayer1(ws, "weights", (i, w) => {
    params[wo + i] = w
  })
}

// Workspaces that finished descents gave back, one per layout, for the next descent of that
// layout to take rather than make its own (a training's epochs, one after another, share one):
// a workspace is WebAssembly memory, which the garbage collector frees only in its own time.
// A descent holds its workspace alone, from its first batch to its end.
const spare = new WeakMap<Layout.Layout, Workspace>()

/** Gives a descent's workspace back, for the next descent of its layout (see `spare`). */
export const giveBack = (ws: Workspace): void => {
  spare.set(ws.layout, ws)
}

/** The spare workspace for `network`, if it holds batches of `m` and works with `threads`. */
const takeSpare = (network: Network.Network, m: number, threads: Threads | undefined): Workspace | undefined => {
  const { layout, precision } = network
  const ws = spare.get(layout)
  if (ws === undefined || ws.capacity < m || ws.pool !== threads || ws.detached || ws.precision !== precision) return undefined
  spare.delete(layout)
  // A descent starts from zero gradients (a step that failed part way may have left a sum).
  ws.gradient.fill(0)
  for (const panel of ws.layer1) panel.gradient.fill(0)
  return ws
}

/**
 * A workspace for batches of up to `m` examples holding `params`: `workspace` itself when it
 * fits, else a spare one or a new one — loaded from `workspace` if there is one (a descent
 * moving to a larger batch keeps its steps), else from `params`.
 */
export const workspaceFor = (
  network: Network.Network,
  m: number,
  params: Float64Array,
  workspace?: Workspace,
  threads?: Threads
): Workspace => {
  if (workspace !== undefined && workspace.capacity >= m) return workspace
  const fresh = (workspace === undefined ? takeSpare(network, m, threads) : undefined) ??
    new Workspace(network.layout, Math.max(m, 1), threads, network.precision)
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
  if (ws === undefined || ws.capacity < m || ws.precision !== network.precision) {
    ws = new Workspace(network.layout, Math.max(m, 1), undefined, network.precision)
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
    ws.kernels.layer1Load(ws.at.job, m, ws.loaded)
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

/** aˡ = f(zˡ) for the m examples of a batch: a sigmoid layer's in WebAssembly, in one call. */
const activate = (ws: Workspace, network: Network.Network, l: number, n: number, m: number) => {
  const activation = Network.activationOf(network, l)
  const z = ws.zs[l]!
  const out = ws.activations[l]!
  if (activation === Activation.sigmoid) {
    ws.kernels.sigmoidRows(ws.at.zs[l]!, ws.at.activations[l]!, m * n, m * n, 1)
  } else if (activation.applyLayer !== undefined) {
    for (let e = 0; e < m; e++) activation.applyLayer(z, out, e * n, n)
  } else {
    const f = activation.apply
    const end = m * n
    for (let i = 0; i < end; i++) out[i] = f(z[i]!)
  }
}

// Forward and backward, per kind of layer (as llm.c pairs matmul_forward/matmul_backward):
// layer 1, from the sparse input, in panels shared between threads; and the small dense layers
// after it. Each backward sums its weights' gradient and hands δ down a layer.

/**
 * z¹ = W¹x + b¹, a¹ = f(z¹) for the m examples loaded by `loadInputs` — f too in the job, for
 * a sigmoid layer (each thread its panel's).
 */
const layer1Forward = (ws: Workspace, network: Network.Network, m: number): void => {
  const sigmoid = Network.activationOf(network, 0) === Activation.sigmoid
  ws.kernels.layer1Forward(ws.at.job, m, sigmoid)
  if (!sigmoid) activate(ws, network, 0, ws.layout.layers[0]!.outputs, m)
}

/**
 * ∂C/∂w¹_jk = Σ_e δ¹_ej x_ek, over the nonzero inputs, into the panels, and ∂C/∂b¹_j = Σ_e δ¹_ej
 * — and, with `step`, the step of those weights right after (see `backpropSum`).
 */
const layer1Backward = (ws: Workspace, m: number, step: Step | undefined): void => {
  const { at, kernels, stride } = ws
  const nOut = ws.layout.layers[0]!.outputs
  if (stride !== nOut) {
    const delta = ws.deltas[0]!
    const padded = ws.paddedDelta
    for (let e = 0; e < m; e++) {
      for (let j = 0; j < nOut; j++) padded[e * stride + j] = delta[e * nOut + j]!
    }
  }
  if (step === undefined) {
    kernels.layer1Gradient(at.job, m)
  } else {
    const { eta, weightDecay } = step
    kernels.layer1GradientStep(at.job, m, 1 - eta * weightDecay, eta, 1 / m, weightDecay !== 0)
  }
}

/** zˡ = Wˡaˡ⁻¹ + bˡ, aˡ = f(zˡ) for a dense layer l ≥ 1 (0-based connection layers). */
const denseForward = (ws: Workspace, network: Network.Network, l: number, m: number): void => {
  const { at, kernels } = ws
  const { biasesOffset: bo, inputs: nIn, outputs: nOut } = ws.layout.layers[l]!
  kernels.combine(at.transposed[l]!, nIn, nOut, whole(nOut, lanesOf(ws.precision)), at.activations[l - 1]!, m, at.zs[l]!)
  kernels.addBias(at.zs[l]!, at.params + bo * ws.size, nOut, m)
  activate(ws, network, l, nOut, m)
}

/** ∂C/∂wˡ_jk = Σ_e δˡ_ej aˡ⁻¹_ek for a dense layer l ≥ 1, then δˡ⁻¹ = (Wˡ)ᵀδˡ ⊙ f′(zˡ⁻¹). */
const denseBackward = (ws: Workspace, network: Network.Network, l: number, m: number): void => {
  const { at, kernels } = ws
  const { inputs: nIn, outputs: nOut, weightsOffset: wo } = ws.layout.layers[l]!
  kernels.denseGradient(at.gradient + wo * ws.size, at.deltas[l]!, nOut, at.activations[l - 1]!, nIn, m)
  kernels.combine(at.params + wo * ws.size, nOut, nIn, nIn, at.deltas[l]!, m, at.deltas[l - 1]!)
  const previous = ws.deltas[l - 1]!
  const hidden = Network.activationOf(network, l - 1)
  const fromOutput = hidden.derivativeFromOutput
  const end = m * nIn
  // δ·f′ in double, rounded once by the store (in f32): an element-wise function.
  if (hidden === Activation.sigmoid) {
    kernels.sigmoidBackward(at.deltas[l - 1]!, at.activations[l - 1]!, end)
  } else if (fromOutput !== undefined) {
    const a = ws.activations[l - 1]!
    for (let i = 0; i < end; i++) previous[i]! *= fromOutput(a[i]!)
  } else {
    const derivative = hidden.derivative
    const z = ws.zs[l - 1]!
    for (let i = 0; i < end; i++) previous[i]! *= derivative(z[i]!)
  }
}

/** ∂C/∂bˡ_j = Σ_e δˡ_ej, into the workspace's gradient, for a dense layer l ≥ 1. */
const biasBackward = (ws: Workspace, l: number, m: number): void => {
  const { biasesOffset: bo, outputs: nOut } = ws.layout.layers[l]!
  ws.kernels.sumColumns(ws.at.deltas[l]!, nOut, nOut, m, ws.at.gradient + bo * ws.size)
}

/** δᴸ = ∂C/∂zᴸ of the output layer, from the cost: (rows=m, cols=outputs). */
const outputDelta = (ws: Workspace, network: Network.Network, labels: Batch["labels"], m: number): void => {
  const last = ws.layout.layers.length - 1
  const nL = ws.layout.layers[last]!.outputs
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

/**
 * a^{l+1} = f(W a^l + b) for every layer, for the examples of `batch`, into `ws`, with the
 * workspace's parameters.
 */
export const forward = (ws: Workspace, network: Network.Network, batch: Batch): void => {
  const m = batch.size
  loadInputs(ws, batch, ws.layout.sizes[0]!)
  layer1Forward(ws, network, m)
  for (let l = 1; l < ws.layout.layers.length; l++) denseForward(ws, network, l, m)
}

/** How a step goes: η, and the weight decay λ/n. */
export interface Step {
  readonly eta: number
  readonly weightDecay: number
}

/**
 * The gradient of the cost summed over a batch into the workspace's gradient (which must hold
 * zeros when called: a fresh workspace, or one `stepAndClear` has just used), and the mean cost
 * returned. The fold leaves the mean to `stepAndClear`, saving a pass.
 *   δᴸ = ∂C/∂zᴸ (from the cost),  δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ f′(zˡ),
 *   ∂C/∂bˡ = δˡ,  ∂C/∂wˡ_jk = δˡ_j aˡ⁻¹_k,  each averaged over the m examples.
 * With `step`, layer 1's weights also take their step as soon as their gradient is summed (the
 * same operations as `stepAndClear`'s, which must then be told `layer1Stepped`): a descent that
 * needs no gradient norm saves a pass over them.
 */
export const backpropSum = (ws: Workspace, network: Network.Network, batch: Batch, step?: Step): number => {
  const m = batch.size
  forward(ws, network, batch)
  const last = ws.layout.layers.length - 1
  outputDelta(ws, network, batch.labels, m)
  for (let l = last; l >= 1; l--) {
    biasBackward(ws, l, m)
    denseBackward(ws, network, l, m)
  }
  // Layer 1's bias gradient is summed in its gradient job, each thread its panel's.
  layer1Backward(ws, m, step)
  return totalCost(network, ws.activations[last]!, batch.labels, m) * (1 / m)
}

/**
 * `backpropSum` scaled to the mean gradient: ∇C averaged over the batch, in a new array laid
 * out like the parameters.
 */
export const backprop = (ws: Workspace, network: Network.Network, batch: Batch): { gradient: Float64Array; cost: number } => {
  ws.gradient.fill(0)
  for (const panel of ws.layer1) panel.gradient.fill(0)
  const cost = backpropSum(ws, network, batch)
  const round = Precision.rounding(ws.precision)
  const mean = round(1 / batch.size)
  const gradient = Float64Array.from(ws.gradient)
  const wo = network.layout.layers[0]!.weightsOffset
  eachLayer1(ws, "gradient", (i, g) => {
    gradient[wo + i] = g
  })
  for (let i = 0; i < gradient.length; i++) gradient[i] = round(gradient[i]! * mean)
  return { gradient, cost }
}

/**
 * ‖∇C‖ of the summed gradient in the workspace scaled by 1/m — the norm of the gradient
 * `backprop` returns, to the bit: the same products, added in the parameter vector's order.
 */
export const gradientNorm = (ws: Workspace, m: number): number => {
  const round = Precision.rounding(ws.precision)
  const mean = round(1 / m)
  const { gradient } = ws
  const { biasesOffset, inputs: nIn } = ws.layout.layers[0]!
  let sum = 0
  // Layer 1's weights come first in the vector; the workspace keeps them transposed, in
  // panels: entry (from + j, k) is the panel's gradient[k·width + j].
  for (const { gradient: panel, neurons, width } of ws.layer1) {
    for (let j = 0; j < neurons; j++) {
      for (let k = 0; k < nIn; k++) {
        const g = round(panel[k * width + j]! * mean)
        sum += g * g
      }
    }
  }
  for (let i = biasesOffset; i < gradient.length; i++) {
    const g = round(gradient[i]! * mean)
    sum += g * g
  }
  return Math.sqrt(sum)
}

/**
 * One step from a summed gradient, in place in the workspace, clearing the gradient for the
 * next batch: ∇C = sum·(1/m), then w ← (1 − η·decay)·w − η·∇C and b ← b − η·∇C — the same
 * operations, in the same order, as scaling the gradient and calling `Descent.step`.
 */
export const stepAndClear = (ws: Workspace, m: number, eta: number, weightDecay: number, layer1Stepped = false): void => {
  const mean = 1 / m
  // With no decay the factor is exactly 1, and 1·w is w: plain descent, bit for bit.
  const shrink = 1 - eta * weightDecay
  const { at, kernels } = ws
  const layers = ws.layout.layers
  const first = layers[0]!
  if (layer1Stepped) {
    // backpropSum's `step` has stepped layer 1's weights already.
  } else if (weightDecay === 0) {
    // Only the rows this batch touched have a nonzero gradient; a step leaves the others as
    // they are.
    kernels.layer1Step(at.job, shrink, eta, mean)
  } else {
    kernels.layer1StepAll(at.job, shrink, eta, mean)
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
