/**
 * descent's WebAssembly, compiled from AssemblyScript by build.mjs at install:
 * - `make`: the loops of backpropagation and descent in SIMD (source: assembly/kernels.ts). The
 *   host — core's fast kernels — lays out its buffers in the memory `make` gives it and passes
 *   byte offsets; see the source for what each loop computes and why its sums equal the
 *   reference's to the bit.
 * - `numerics`: exp, log, sin, cos and pow with the same bits on every engine (source:
 *   assembly/numerics.ts, which says why and how accurate).
 *
 * Not for direct use: `@descent/core`'s `Descent`, `Backprop`, `Feedforward` and `Evaluate` go
 * through the loops, and its `Numerics` module through the functions.
 *
 * @since 0.1.0
 */
import { kernelsWasm } from "./kernels.wasm.js"
import { kernelsSharedWasm } from "./kernelsShared.wasm.js"
import { numericsWasm } from "./numerics.wasm.js"

/**
 * The compiled module's functions, in one precision (`make`'s): the numbers in memory are f64
 * or f32. Pointers are byte offsets into the instance's memory.
 *
 * @since 0.1.0
 */
export interface Kernels {
  readonly combine: (matrix: number, rows: number, cols: number, rowStride: number, x: number, m: number, out: number) => void
  readonly addBias: (z: number, bias: number, n: number, m: number) => void
  readonly denseGradient: (g: number, delta: number, nOut: number, a: number, nIn: number, m: number) => void
  readonly stepRange: (params: number, gradient: number, from: number, to: number, shrink: number, eta: number, mean: number) => void
  readonly transpose: (w: number, nIn: number, nOut: number, wt: number, stride: number) => void
  readonly scanInputs: (dense: number, m: number, n: number, index: number, counts: number, masks: number) => void
  /** A sigmoid layer's activations over rows of a batch, and δ ⊙ σ′ (assembly/activations.ts). */
  readonly sigmoidRows: (z: number, a: number, cols: number, row: number, m: number) => void
  readonly sigmoidBackward: (delta: number, a: number, n: number) => void
  /** An optimiser's rule `kind` over entries [from, to), with its factors (assembly/optimisers.ts's `optimise`). */
  readonly optimise: (
    kind: number, params: number, gradient: number, s1: number, s2: number, from: number, to: number, mean: number, eta: number,
    l2: number, coupled: boolean, f1: number, f2: number, f3: number, f4: number, f5: number, f6: number, f7: number
  ) => void
  /** out[j] += Σ_e δ_ej: a bias gradient. */
  readonly sumColumns: (delta: number, cols: number, row: number, m: number, out: number) => void
  /** Where the module's static data ends: the host's buffers start at or after it. */
  readonly heapBase: () => number
  // Layer 1's loops as jobs shared out between threads (assembly/jobs.ts).
  readonly jobBytes: () => number
  readonly panelBytes: () => number
  readonly unionBytes: (nIn: number) => number
  readonly touchedBytes: (nIn: number) => number
  readonly describe: (
    at: number, threads: number, f32: boolean, panels: number, stride: number, nOut: number, nIn: number, bias: number, biasGradient: number,
    index: number, counts: number, masks: number, dense: number, raw: number, values: number, z: number,
    a: number, delta: number, unions: number, touched: number
  ) => void
  readonly describePanel: (at: number, thread: number, from: number, width: number, wt: number, gt: number, s1: number, s2: number) => void
  readonly layer1Load: (at: number, m: number, loaded: number) => void
  readonly layer1Forward: (at: number, m: number, sigmoid: boolean) => void
  readonly layer1Gradient: (at: number, m: number) => void
  readonly layer1GradientStep: (at: number, m: number, shrink: number, eta: number, mean: number, all: boolean) => void
  readonly layer1Step: (at: number, shrink: number, eta: number, mean: number) => void
  readonly layer1StepAll: (at: number, shrink: number, eta: number, mean: number) => void
  readonly layer1Optimise: (
    at: number, kind: number, mean: number, eta: number, l2: number, coupled: boolean,
    f1: number, f2: number, f3: number, f4: number, f5: number, f6: number, f7: number
  ) => void
  readonly quit: (at: number) => void
  readonly serve: (at: number, thread: number) => void
}

const decode = (base64: string): Uint8Array => {
  const text = atob(base64)
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

// The few parts of the WebAssembly JS API used here, typed locally: Node and browsers both
// provide it, and no global declaration has to be shared with other libraries' typings.
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown }
  readonly Memory: new (descriptor: { readonly initial: number; readonly maximum: number; readonly shared?: boolean }) => {
    readonly buffer: ArrayBuffer
  }
}
const wasm = (globalThis as unknown as { readonly WebAssembly: WebAssemblyApi }).WebAssembly

let compiled: object | undefined
let compiledShared: object | undefined

/** WebAssembly memory comes in pages of 64 KiB. */
const pageBytes = 65536

/**
 * An instance of the kernels in a fresh memory of at least `bytes` bytes (zero-filled, never
 * grown, so views of `buffer` stay valid). With `shared`, the memory is a shared one, which
 * helper threads can work in too: pass them `module` and `memory`, and have each instantiate
 * `module` with `{ env: { memory } }` and call `serve` (see assembly/jobs.ts). Shared memory
 * needs an engine that allows it (in a browser, a cross-origin isolated page). Each module is
 * compiled once, on first use. `precision` says which version of each loop `kernels` calls:
 * the workspace's numbers are f64 or f32 (the job block's loops follow `describe`'s f32).
 *
 * @since 0.1.0
 */
export const make = (
  bytes: number,
  shared = false,
  precision: "f64" | "f32" = "f64"
): { readonly kernels: Kernels; readonly buffer: ArrayBuffer; readonly module: object; readonly memory: object } => {
  const pages = Math.max(1, Math.ceil(bytes / pageBytes))
  const memory = new wasm.Memory({ initial: pages, maximum: pages, shared })
  const module = shared
    ? (compiledShared ??= new wasm.Module(decode(kernelsSharedWasm)))
    : (compiled ??= new wasm.Module(decode(kernelsWasm)))
  const exports = new wasm.Instance(module, { env: { memory } }).exports as Record<string, unknown>
  // The loops the host calls, in the precision asked for (the module has both: `combine64`, …).
  const bits = precision === "f32" ? "32" : "64"
  const loops = Object.fromEntries(
    ["combine", "addBias", "denseGradient", "stepRange", "transpose", "scanInputs", "sigmoidRows", "sigmoidBackward", "sumColumns",
      "optimise"].map((name) => [name, exports[name + bits]])
  )
  const kernels = { ...exports, ...loops } as unknown as Kernels
  return { kernels, buffer: memory.buffer, module, memory }
}

/**
 * Elementary functions computed in WebAssembly from IEEE 754 basic operations only: the same
 * result on every engine (see assembly/numerics.ts).
 *
 * @since 0.2.0
 */
export interface Numerics {
  readonly exp: (x: number) => number
  /** σ(z) = 1 / (1 + e^−z), never overflowing (the kernels' sigmoid, from the same source). */
  readonly sigmoid: (z: number) => number
  readonly log: (x: number) => number
  readonly sin: (x: number) => number
  readonly cos: (x: number) => number
  readonly pow: (x: number, y: number) => number
}

/**
 * The one instance of the numerics module (17 KB, compiled when this module is first imported;
 * its memory holds only its tables).
 *
 * @since 0.2.0
 */
export const numerics: Numerics = new wasm.Instance(new wasm.Module(decode(numericsWasm)), {}).exports as Numerics
