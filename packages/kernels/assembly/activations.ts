// A layer's sigmoids over whole rows of a batch: one call per layer and batch (or, for layer 1,
// per thread's panel, in its forward job) rather than one call from the host per neuron and
// example. The function is numerics.ts's `sigmoid`, compiled into this module from the same
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

/** The first byte after this module's static data: the host lays out its buffers from there. */
export function heapBase(): usize {
  return __heap_base
}
