// A layer's sigmoids over whole rows of a batch, and their derivative on the way back: one call
// per layer and batch (or, for layer 1's sigmoids, per thread's panel, in its forward job) rather
// than one call from the host per neuron and example. The function is numerics.ts's `sigmoid`, compiled into this module from the same
// source: the same bits as the host's Activation.sigmoid, which calls numerics.ts's. In f32 it
// is computed in double from the f32 sum and rounded once, as the host does. Its table
// (NativeMath.exp's) sits in this module's static data, below `heapBase`, in the host's memory.
import { sigmoid } from "./numerics"

/**
 * a_ej = σ(z_ej) for the first `cols` entries of m rows `row` entries apart, z and a offset to
 * the first column (a panel of a layer, or a whole layer with cols = row).
 */
export function sigmoidRows<T>(z: usize, a: usize, cols: i32, row: i32, m: i32): void {
  const line = <usize>row << alignof<T>()
  for (let e = 0; e < m; e++) {
    const zr = z + <usize>e * line, ar = a + <usize>e * line
    for (let j = 0; j < cols; j++) {
      const at = <usize>j << alignof<T>()
      store<T>(ar + at, <T>sigmoid(<f64>load<T>(zr + at)))
    }
  }
}

export function sigmoidRows64(z: usize, a: usize, cols: i32, row: i32, m: i32): void {
  sigmoidRows<f64>(z, a, cols, row, m)
}
export function sigmoidRows32(z: usize, a: usize, cols: i32, row: i32, m: i32): void {
  sigmoidRows<f32>(z, a, cols, row, m)
}

/**
 * δ_i ← δ_i·(a_i(1 − a_i)) for n entries: backprop's (Wᵀδ) ⊙ σ′(z) for a sigmoid layer, σ′
 * from its output a = σ(z) (Activation.sigmoid's derivativeFromOutput) — in double, and in f32
 * rounded once, as the host computes it.
 */
export function sigmoidBackward<T>(delta: usize, a: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << alignof<T>()
    const y = <f64>load<T>(a + at)
    store<T>(delta + at, <T>(<f64>load<T>(delta + at) * (y * (1 - y))))
  }
}

export function sigmoidBackward64(delta: usize, a: usize, n: i32): void {
  sigmoidBackward<f64>(delta, a, n)
}
export function sigmoidBackward32(delta: usize, a: usize, n: i32): void {
  sigmoidBackward<f32>(delta, a, n)
}

/** The first byte after this module's static data: the host lays out its buffers from there. */
export function heapBase(): usize {
  return __heap_base
}
