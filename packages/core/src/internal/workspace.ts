// A workspace: the WebAssembly memory the fast kernels (kernels.ts) work in, and where each of
// its buffers sits — the parameters and their gradient (layer 1's weights transposed, in one
// panel of neurons per thread), each layer's sums, activations and deltas, a batch's inputs as
// lists, masks and dense rows, and the job block that shares layer 1's loops between threads.
// Sized once for a layout, a precision and a largest batch; reused: a descent holds one from
// its first batch to its end and then gives it back for the next (`giveBack`, `workspaceFor`),
// and one-off work (feedforward, backprop, evaluate) shares one per layout (`scratchFor`).
//
// Not for: the arithmetic, which is kernels.ts's (and @descent/kernels').
import * as Wasm from "@descent/kernels"
import type * as Layout from "../Layout.js"
import type * as Network from "../Network.js"
import * as Precision from "../Precision.js"
import type { Threads } from "../Threads.js"
import * as Dataset from "../Dataset.js"

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
export type Floats = Float64Array | Float32Array

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
   * (rows=inputs, cols=stride: outputs rounded up to whole vectors). */
  readonly transposed: ReadonlyArray<{ readonly at: number; readonly stride: number }>
  /** Layer 1's neurons rounded up to whole vectors: the width of its delta rows. */
  readonly stride: number
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
  /** An optimiser's vectors of state (see core's Optimizer), each laid out like the parameters
   * and the gradient: the vector, and layer 1's weights' part in panels like theirs. */
  readonly moments: ReadonlyArray<{ readonly vector: number; readonly panels: ReadonlyArray<number> }>
}

/** Bytes kept for the job block: more than jobs.ts's `Job` takes (checked at construction). */
const jobBlockBytes = 256
/** Bytes kept per panel in the job block's table: more than jobs.ts's `Panel` takes. */
const panelEntryBytes = 32

/** Bytes apart of each thread's union list and touched masks, as jobs.ts computes them. */
const unionBytes = (inputs: number): number => Math.ceil((inputs * 4) / 16) * 16
const touchedBytes = (inputs: number): number => Math.ceil((Math.ceil(inputs / 16) * 4) / 16) * 16

/** Where each buffer of a workspace for `layout` and batches of `capacity` sits, and its size. */
const plan = (
  layout: Layout.Layout, capacity: number, threads: number, precision: Precision.Precision, moments: number
): { readonly at: Offsets; readonly bytes: number } => {
  const outputs = layout.layers.map((slot) => slot.outputs)
  const inputs = layout.sizes[0]!
  const lanes = lanesOf(precision)
  const size = Precision.bytes(precision)
  const stride = whole(outputs[0]!, lanes)
  const chunks = Math.ceil(inputs / 16)
  const arena = new Arena()
  const deltas = outputs.map((n) => arena.take(capacity * n, size))
  const panels = panelsOf(outputs[0]!, threads, lanes)
  const at: Offsets = {
    params: arena.take(layout.size, size),
    gradient: arena.take(layout.size, size),
    panels: panels.map(({ from, width }) => ({
      from,
      width,
      weights: arena.take(inputs * width, size),
      gradient: arena.take(inputs * width, size)
    })),
    panelTable: arena.take(threads * panelEntryBytes, 1),
    transposed: layout.layers.map((slot, l) => {
      const stride = whole(slot.outputs, lanes)
      return { at: l === 0 ? 0 : arena.take(slot.inputs * stride, size), stride }
    }),
    stride,
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
    job: arena.take(jobBlockBytes, 1),
    moments: Array.from({ length: moments }, () => ({
      vector: arena.take(layout.size, size),
      panels: panels.map(({ width }) => arena.take(inputs * width, size))
    }))
  }
  return { at, bytes: arena.bytes }
}

/**
 * Bytes of WebAssembly memory a workspace for `layout` and batches of up to `capacity` takes
 * (computed, not allocated).
 */
export const workspaceBytes = (
  layout: Layout.Layout, capacity: number, threads = 1, precision: Precision.Precision = "f64", moments = 0
): number => plan(layout, Math.max(capacity, 1), threads, precision, moments).bytes

/** The most memory one WebAssembly instance can have: 65,536 pages of 64 KiB (4 GiB). */
export const maxWorkspaceBytes = 65536 * 65536

/**
 * One of layer 1's panels (one per thread, see assembly/jobs.ts): neurons [from, from+neurons)
 * — `width` columns with padding lanes, if any — their weights transposed, not
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
  /** Layer 1's deltas in rows `at.stride` wide (its neurons rounded up to whole vectors). */
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
  /** An optimiser's vectors of state, laid out like `params` and `gradient` (layer 1's weights'
   * part in `panels`, one per panel of `layer1`, laid out like its weights). */
  readonly moments: ReadonlyArray<{ readonly vector: Floats; readonly panels: ReadonlyArray<Floats> }>
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
    readonly precision: Precision.Precision = "f64",
    moments = 0
  ) {
    const outputs = layout.layers.map((slot) => slot.outputs)
    const inputs = layout.sizes[0]!
    const threads = pool?.count ?? 1
    const chunks = Math.ceil(inputs / 16)
    const planned = plan(layout, capacity, threads, precision, moments)
    const stride = planned.at.stride
    this.at = planned.at
    this.size = Precision.bytes(precision)
    const { buffer, kernels, memory, module } = Wasm.make(planned.bytes, threads > 1, precision)
    const floats = (at: number, count: number): Floats =>
      precision === "f32" ? new Float32Array(buffer, at, count) : new Float64Array(buffer, at, count)
    const i32 = (at: number, count: number) => new Int32Array(buffer, at, count)
    const at = this.at
    this.kernels = kernels
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
    this.moments = at.moments.map(({ vector, panels }) => ({
      vector: floats(vector, layout.size),
      panels: panels.map((panel, t) => floats(panel, inputs * at.panels[t]!.width))
    }))
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
    at.panels.forEach((panel, t) =>
      kernels.describePanel(at.job, t, panel.from, panel.width, panel.weights, panel.gradient, at.moments[0]?.panels[t] ?? 0, at.moments[1]?.panels[t] ?? 0)
    )
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

/**
 * Layer 1's weights' part of a vector laid out like the parameters (at byte offset `vector`)
 * into the panels, transposed: panel t's copy goes to `into(t)` — its weights, or an
 * optimiser's state of them.
 */
const transposeLayer1 = (ws: Workspace, vector: number, into: (t: number) => Floats): void => {
  const { inputs: nIn, weightsOffset: wo } = ws.layout.layers[0]!
  ws.layer1.forEach(({ from, neurons, width }, t) => {
    ws.kernels.transpose(vector + (wo + from * nIn) * ws.size, nIn, neurons, into(t).byteOffset, width)
  })
}

/** Layers `from`… transposed for the forward loops, from their weights in `ws.params`. */
export const transposeFrom = (ws: Workspace, from: number): void => {
  const layers = ws.layout.layers
  for (let l = from; l < layers.length; l++) {
    const { inputs: nIn, outputs: nOut, weightsOffset: wo } = layers[l]!
    if (l === 0) {
      transposeLayer1(ws, ws.at.params, (t) => ws.layer1[t]!.weights)
    } else {
      const { at, stride } = ws.at.transposed[l]!
      ws.kernels.transpose(ws.at.params + wo * ws.size, nIn, nOut, at, stride)
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
export const eachLayer1 = (
  ws: Workspace, of: "weights" | "gradient" | ((t: number) => Floats), visit: (i: number, value: number) => void
): void => {
  const nIn = ws.layout.sizes[0]!
  for (const [t, panel] of ws.layer1.entries()) {
    const values = typeof of === "function" ? of(t) : panel[of]
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

/**
 * Copies an optimiser's vectors of state (each laid out like the parameters) into the
 * workspace: layer 1's weights' part into the panels, transposed like the weights.
 */
export const loadMoments = (ws: Workspace, moments: ReadonlyArray<Float64Array>): void => {
  ws.moments.forEach(({ vector, panels }, i) => {
    vector.set(moments[i]!)
    transposeLayer1(ws, vector.byteOffset, (t) => panels[t]!)
  })
}

/** The workspace's vectors of optimiser state, fresh, each laid out like the parameters. */
export const storeMoments = (ws: Workspace): Array<Float64Array> =>
  ws.moments.map(({ vector, panels }) => {
    const moment = Float64Array.from(vector)
    const wo = ws.layout.layers[0]!.weightsOffset
    eachLayer1(ws, (t) => panels[t]!, (i, value) => {
      moment[wo + i] = value
    })
    return moment
  })

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
const takeSpare = (network: Network.Network, m: number, threads: Threads | undefined, moments: number): Workspace | undefined => {
  const { layout, precision } = network
  const ws = spare.get(layout)
  if (
    ws === undefined || ws.capacity < m || ws.pool !== threads || ws.detached || ws.precision !== precision ||
    ws.moments.length !== moments
  ) return undefined
  // Its gradient holds zeros: only a descent that ended gives one back, after its last step
  // cleared it.
  spare.delete(layout)
  return ws
}

/**
 * A workspace for batches of up to `m` examples holding `params` and an optimiser's vectors of
 * state, `moments`: `workspace` itself when it fits, else a spare one or a new one — loaded from
 * `workspace` if there is one (a descent moving to a larger batch keeps its steps), else from
 * `params` and `moments`.
 */
export const workspaceFor = (
  network: Network.Network,
  m: number,
  params: Float64Array,
  moments: ReadonlyArray<Float64Array>,
  workspace?: Workspace,
  threads?: Threads
): Workspace => {
  if (workspace !== undefined && workspace.capacity >= m) return workspace
  const fresh = (workspace === undefined ? takeSpare(network, m, threads, moments.length) : undefined) ??
    new Workspace(network.layout, Math.max(m, 1), threads, network.precision, moments.length)
  if (workspace !== undefined) {
    const stepped = new Float64Array(network.layout.size)
    storeParams(workspace, stepped)
    loadParams(fresh, stepped)
    loadMoments(fresh, storeMoments(workspace))
  } else {
    loadParams(fresh, params)
    loadMoments(fresh, moments)
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
