// The loops of backpropagation and gradient descent in WebAssembly SIMD: layer 1 — 784 mostly
// zero inputs into the first hidden layer, 95% of the arithmetic — from sparse inputs, and the
// small dense layers after it. The host lays out every buffer in the memory it gives; the
// arguments are byte offsets into it. Element-wise functions (activations, costs) stay with the
// host: they are defined once, in core.
//
// Each loop is written once for a number type T, f64 or f32 (a network's precision): a v128 holds
// L = 16 / sizeof<T> lanes of it, two f64 or four f32. The host calls each loop it needs in both,
// `combine64` and `combine32` and so on (at the end of this file).
//
// Bit for bit the reference's numbers. The lanes of a v128 are neurons (or inputs), never terms
// of one sum, so every sum adds the same terms in the same order as the plain loops of the
// reference (packages/core/src/internal/reference.ts); WebAssembly's arithmetic is IEEE 754
// with round-to-nearest in T and never fuses a multiply into an add. Terms whose input is 0 are
// skipped: adding w·0 changes no sum.
//
// Layouts: as in core, a layer's weights are (rows=outputs, cols=inputs) and a batch's values
// (rows=examples, cols=neurons). The forward loops read weights transposed, one row per input:
// wt[k·stride + j] = w_jk, stride being the neuron count rounded up to a multiple of L (padding
// lanes, if any, hold 0 and stay 0); layer 1's weights and gradient are kept only that way. Examples'
// inputs come three ways, all (rows=examples): lists of the nonzero ones' indices (i32),
// cols=nIn, with counts (i32); the same as bit masks (i32), cols=⌈nIn/16⌉, bit k mod 16 of
// column k/16; and dense rows (T) of all the values, cols=nIn.

/** Lanes of T in a v128: 2 for f64, 4 for f32. */
// @ts-ignore: decorator
@inline function lanes<T>(): i32 {
  return <i32>(16 / sizeof<T>())
}

/** Byte offset of entry i of an array of T. */
// @ts-ignore: decorator
@inline function entry<T>(i: i32): usize {
  return <usize>i << alignof<T>()
}

/**
 * z_j = Σ_k w_jk·x_k + b_j of nOut neurons for each of m examples, written to z (rows=m, each
 * zRow entries long: the first nOut of a row). The sum runs over the example's nonzero inputs
 * (listed in index, their values in the dense rows) in increasing k, from 0, then adds the bias
 * — the reference's order.
 *
 * The neurons may be a panel of a layer (see jobs.ts): wt its columns, bias and z offset to its
 * first neuron, zRow the whole layer's width.
 *
 * Two examples in a row with every input nonzero (images without background) take the dense
 * path, `forwardDensePair`: the same terms in the same order, without the lists.
 */
export function forward<T>(
  wt: usize, stride: i32, bias: usize, nOut: i32,
  index: usize, counts: usize, dense: usize, nIn: i32, m: i32, z: usize, zRow: i32
): void {
  const L = lanes<T>()
  const row = entry<T>(stride)
  for (let e = 0; e < m; e++) {
    const count = load<i32>(counts + (<usize>e << 2))
    if (count == nIn && e + 1 < m && load<i32>(counts + (<usize>(e + 1) << 2)) == nIn) {
      forwardDensePair<T>(wt, stride, bias, nOut, dense + entry<T>(e * nIn), nIn, z + entry<T>(e * zRow), zRow)
      e++
      continue
    }
    const idx = index + (<usize>(e * nIn) << 2)
    const x0 = dense + entry<T>(e * nIn)
    const out = z + entry<T>(e * zRow)
    let j = 0
    // Eight vectors of neurons per pass over the inputs: eight accumulators, each input read once.
    for (; j + 8 * L <= stride; j += 8 * L) {
      const zero = v128.splat<T>(0)
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero, s6 = zero, s7 = zero
      const base = wt + entry<T>(j)
      for (let c = 0; c < count; c++) {
        const k = load<i32>(idx + (<usize>c << 2))
        const w = base + <usize>k * row
        const x = v128.load_splat<T>(x0 + entry<T>(k))
        s0 = v128.add<T>(s0, v128.mul<T>(v128.load(w), x))
        s1 = v128.add<T>(s1, v128.mul<T>(v128.load(w, 16), x))
        s2 = v128.add<T>(s2, v128.mul<T>(v128.load(w, 32), x))
        s3 = v128.add<T>(s3, v128.mul<T>(v128.load(w, 48), x))
        s4 = v128.add<T>(s4, v128.mul<T>(v128.load(w, 64), x))
        s5 = v128.add<T>(s5, v128.mul<T>(v128.load(w, 80), x))
        s6 = v128.add<T>(s6, v128.mul<T>(v128.load(w, 96), x))
        s7 = v128.add<T>(s7, v128.mul<T>(v128.load(w, 112), x))
      }
      storeWithBias<T>(out, bias, j, nOut, s0)
      storeWithBias<T>(out, bias, j + L, nOut, s1)
      storeWithBias<T>(out, bias, j + 2 * L, nOut, s2)
      storeWithBias<T>(out, bias, j + 3 * L, nOut, s3)
      storeWithBias<T>(out, bias, j + 4 * L, nOut, s4)
      storeWithBias<T>(out, bias, j + 5 * L, nOut, s5)
      storeWithBias<T>(out, bias, j + 6 * L, nOut, s6)
      storeWithBias<T>(out, bias, j + 7 * L, nOut, s7)
    }
    // Then four vectors at a time (a panel of a layer split between threads may be that wide).
    for (; j + 4 * L <= stride; j += 4 * L) {
      const zero = v128.splat<T>(0)
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero
      const base = wt + entry<T>(j)
      for (let c = 0; c < count; c++) {
        const k = load<i32>(idx + (<usize>c << 2))
        const w = base + <usize>k * row
        const x = v128.load_splat<T>(x0 + entry<T>(k))
        s0 = v128.add<T>(s0, v128.mul<T>(v128.load(w), x))
        s1 = v128.add<T>(s1, v128.mul<T>(v128.load(w, 16), x))
        s2 = v128.add<T>(s2, v128.mul<T>(v128.load(w, 32), x))
        s3 = v128.add<T>(s3, v128.mul<T>(v128.load(w, 48), x))
      }
      storeWithBias<T>(out, bias, j, nOut, s0)
      storeWithBias<T>(out, bias, j + L, nOut, s1)
      storeWithBias<T>(out, bias, j + 2 * L, nOut, s2)
      storeWithBias<T>(out, bias, j + 3 * L, nOut, s3)
    }
    // The rest a vector at a time.
    for (; j < stride; j += L) {
      let s = v128.splat<T>(0)
      const base = wt + entry<T>(j)
      for (let c = 0; c < count; c++) {
        const k = load<i32>(idx + (<usize>c << 2))
        s = v128.add<T>(s, v128.mul<T>(v128.load(base + <usize>k * row), v128.load_splat<T>(x0 + entry<T>(k))))
      }
      storeWithBias<T>(out, bias, j, nOut, s)
    }
  }
}

/**
 * `forward`'s sums for two examples (x0: two dense rows, nIn apart) whose every input is nonzero:
 * for each neuron, Σ_k w_jk·x_k over k = 0, 1, … nIn − 1, then the bias — the terms the lists
 * would give, in their order — with each weight read once for both examples.
 */
function forwardDensePair<T>(wt: usize, stride: i32, bias: usize, nOut: i32, x0: usize, nIn: i32, out: usize, zRow: i32): void {
  const L = lanes<T>()
  const row = entry<T>(stride)
  const x1 = x0 + entry<T>(nIn)
  const out1 = out + entry<T>(zRow)
  let j = 0
  // Four vectors of neurons for both examples: eight accumulators.
  for (; j + 4 * L <= stride; j += 4 * L) {
    const zero = v128.splat<T>(0)
    let s0 = zero, s1 = zero, s2 = zero, s3 = zero
    let t0 = zero, t1 = zero, t2 = zero, t3 = zero
    let w = wt + entry<T>(j)
    for (let k = 0; k < nIn; k++) {
      const at = entry<T>(k)
      const a = v128.load_splat<T>(x0 + at), b = v128.load_splat<T>(x1 + at)
      const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48)
      s0 = v128.add<T>(s0, v128.mul<T>(w0, a))
      s1 = v128.add<T>(s1, v128.mul<T>(w1, a))
      s2 = v128.add<T>(s2, v128.mul<T>(w2, a))
      s3 = v128.add<T>(s3, v128.mul<T>(w3, a))
      t0 = v128.add<T>(t0, v128.mul<T>(w0, b))
      t1 = v128.add<T>(t1, v128.mul<T>(w1, b))
      t2 = v128.add<T>(t2, v128.mul<T>(w2, b))
      t3 = v128.add<T>(t3, v128.mul<T>(w3, b))
      w += row
    }
    storeWithBias<T>(out, bias, j, nOut, s0)
    storeWithBias<T>(out, bias, j + L, nOut, s1)
    storeWithBias<T>(out, bias, j + 2 * L, nOut, s2)
    storeWithBias<T>(out, bias, j + 3 * L, nOut, s3)
    storeWithBias<T>(out1, bias, j, nOut, t0)
    storeWithBias<T>(out1, bias, j + L, nOut, t1)
    storeWithBias<T>(out1, bias, j + 2 * L, nOut, t2)
    storeWithBias<T>(out1, bias, j + 3 * L, nOut, t3)
  }
  // The rest a vector at a time.
  for (; j < stride; j += L) {
    let s = v128.splat<T>(0), t = v128.splat<T>(0)
    let w = wt + entry<T>(j)
    for (let k = 0; k < nIn; k++) {
      const at = entry<T>(k)
      const v = v128.load(w)
      s = v128.add<T>(s, v128.mul<T>(v, v128.load_splat<T>(x0 + at)))
      t = v128.add<T>(t, v128.mul<T>(v, v128.load_splat<T>(x1 + at)))
      w += row
    }
    storeWithBias<T>(out, bias, j, nOut, s)
    storeWithBias<T>(out1, bias, j, nOut, t)
  }
}

/** out[j…j+L) = s + b[j…j+L), leaving out padding lanes (j + i ≥ nOut). */
// @ts-ignore: decorator
@inline function storeWithBias<T>(out: usize, bias: usize, j: i32, nOut: i32, s: v128): void {
  const at = entry<T>(j)
  if (j + lanes<T>() <= nOut) {
    v128.store(out + at, v128.add<T>(s, v128.load(bias + at)))
    return
  }
  if (j < nOut) store<T>(out + at, v128.extract_lane<T>(s, 0) + load<T>(bias + at))
  if (j + 1 < nOut) store<T>(out + at + entry<T>(1), v128.extract_lane<T>(s, 1) + load<T>(bias + at + entry<T>(1)))
  if (sizeof<T>() == 4) {
    if (j + 2 < nOut) store<T>(out + at + entry<T>(2), v128.extract_lane<T>(s, 2) + load<T>(bias + at + entry<T>(2)))
    if (j + 3 < nOut) store<T>(out + at + entry<T>(3), v128.extract_lane<T>(s, 3) + load<T>(bias + at + entry<T>(3)))
  }
}

/**
 * ∂C/∂w_jk = Σ_e δ_ej·x_ek summed over m examples into gt (transposed like wt, zeros on entry
 * or a running sum), from delta (rows=m, deltaRow entries apart, of which the first stride are
 * read; padding lanes 0). For a panel of a layer (see jobs.ts), delta is offset to its first
 * neuron and deltaRow is the whole layer's width.
 *
 * The reference's order: examples four at a time, each entry adding its block's terms as
 * (δ₀x₀ + δ₁x₁ + δ₂x₂ + δ₃x₃) — over the inputs nonzero in any of the four, listed in `union`
 * in increasing k (every input, without scanning, when all four have no zero input) — and the
 * examples left over one at a time.
 *
 * The union of the examples' masks is written to `touched` (⌈nIn/16⌉ masks): the rows of gt
 * that changed, the only ones a step without weight decay needs to visit.
 */
export function gradient<T>(
  gt: usize, stride: i32, delta: usize, deltaRow: i32, dense: usize, nIn: i32,
  index: usize, counts: usize, masks: usize, m: i32, union: usize, touched: usize
): void {
  const L = lanes<T>()
  const row = entry<T>(stride)
  const drow = entry<T>(deltaRow)
  const line = entry<T>(nIn)
  const chunks = (nIn + 15) >> 4
  const maskRow = <usize>chunks << 2
  memory.fill(touched, 0, maskRow)
  let e = 0
  for (; e + 4 <= m; e += 4) {
    const m0 = masks + <usize>e * maskRow, m1 = m0 + maskRow, m2 = m1 + maskRow, m3 = m2 + maskRow
    let count = 0
    let c = 0
    if (denseBlock(counts, e, nIn)) {
      // Four images without background: the union is every input, in order, with no bits to scan.
      for (; c < chunks; c++) unionOf(m0, m1, m2, m3, <usize>c << 2, touched)
      for (; count < nIn; count++) store<i32>(union + (<usize>count << 2), count)
    }
    // Four columns (64 inputs) per loop over set bits: fewer hard-to-predict loop exits.
    for (; c + 4 <= chunks; c += 4) {
      const at = <usize>c << 2
      const u0 = unionOf(m0, m1, m2, m3, at, touched)
      const u1 = unionOf(m0, m1, m2, m3, at + 4, touched)
      const u2 = unionOf(m0, m1, m2, m3, at + 8, touched)
      const u3 = unionOf(m0, m1, m2, m3, at + 12, touched)
      let u = <u64>u0 | (<u64>u1 << 16) | (<u64>u2 << 32) | (<u64>u3 << 48)
      while (u != 0) {
        store<i32>(union + (<usize>count << 2), (c << 4) + <i32>ctz(u))
        count++
        u &= u - 1
      }
    }
    for (; c < chunks; c++) {
      let u = unionOf(m0, m1, m2, m3, <usize>c << 2, touched)
      while (u != 0) {
        store<i32>(union + (<usize>count << 2), (c << 4) + ctz(u))
        count++
        u &= u - 1
      }
    }
    const x0 = dense + <usize>e * line, x1 = x0 + line, x2 = x1 + line, x3 = x2 + line
    const d0 = delta + <usize>e * drow, d1 = d0 + drow, d2 = d1 + drow, d3 = d2 + drow
    // Eight vectors of neurons per pass over the union: each row of gt is read and written once.
    let j = 0
    for (; j + 8 * L <= stride; j += 8 * L) {
      const o = entry<T>(j)
      const base = gt + o
      const e0 = d0 + o, e1 = d1 + o, e2 = d2 + o, e3 = d3 + o
      for (let c = 0; c < count; c++) {
        const k = load<i32>(union + (<usize>c << 2))
        const at = entry<T>(k)
        const v0 = v128.load_splat<T>(x0 + at), v1 = v128.load_splat<T>(x1 + at)
        const v2 = v128.load_splat<T>(x2 + at), v3 = v128.load_splat<T>(x3 + at)
        const g = base + <usize>k * row
        v128.store(g, v128.add<T>(v128.load(g), block<T>(e0, e1, e2, e3, 0, v0, v1, v2, v3)))
        v128.store(g, v128.add<T>(v128.load(g, 16), block<T>(e0, e1, e2, e3, 16, v0, v1, v2, v3)), 16)
        v128.store(g, v128.add<T>(v128.load(g, 32), block<T>(e0, e1, e2, e3, 32, v0, v1, v2, v3)), 32)
        v128.store(g, v128.add<T>(v128.load(g, 48), block<T>(e0, e1, e2, e3, 48, v0, v1, v2, v3)), 48)
        v128.store(g, v128.add<T>(v128.load(g, 64), block<T>(e0, e1, e2, e3, 64, v0, v1, v2, v3)), 64)
        v128.store(g, v128.add<T>(v128.load(g, 80), block<T>(e0, e1, e2, e3, 80, v0, v1, v2, v3)), 80)
        v128.store(g, v128.add<T>(v128.load(g, 96), block<T>(e0, e1, e2, e3, 96, v0, v1, v2, v3)), 96)
        v128.store(g, v128.add<T>(v128.load(g, 112), block<T>(e0, e1, e2, e3, 112, v0, v1, v2, v3)), 112)
      }
    }
    // Then two vectors per pass: their eight deltas stay in registers.
    for (; j + 2 * L <= stride; j += 2 * L) {
      const o = entry<T>(j)
      const a0 = v128.load(d0 + o), a1 = v128.load(d1 + o), a2 = v128.load(d2 + o), a3 = v128.load(d3 + o)
      const b0 = v128.load(d0 + o, 16), b1 = v128.load(d1 + o, 16), b2 = v128.load(d2 + o, 16), b3 = v128.load(d3 + o, 16)
      const base = gt + o
      for (let c = 0; c < count; c++) {
        const k = load<i32>(union + (<usize>c << 2))
        const at = entry<T>(k)
        const v0 = v128.load_splat<T>(x0 + at), v1 = v128.load_splat<T>(x1 + at)
        const v2 = v128.load_splat<T>(x2 + at), v3 = v128.load_splat<T>(x3 + at)
        const g = base + <usize>k * row
        const p = v128.add<T>(v128.add<T>(v128.add<T>(v128.mul<T>(a0, v0), v128.mul<T>(a1, v1)), v128.mul<T>(a2, v2)), v128.mul<T>(a3, v3))
        const q = v128.add<T>(v128.add<T>(v128.add<T>(v128.mul<T>(b0, v0), v128.mul<T>(b1, v1)), v128.mul<T>(b2, v2)), v128.mul<T>(b3, v3))
        v128.store(g, v128.add<T>(v128.load(g), p))
        v128.store(g, v128.add<T>(v128.load(g, 16), q), 16)
      }
    }
    for (; j < stride; j += L) {
      const o = entry<T>(j)
      const a0 = v128.load(d0 + o), a1 = v128.load(d1 + o), a2 = v128.load(d2 + o), a3 = v128.load(d3 + o)
      const base = gt + o
      for (let c = 0; c < count; c++) {
        const k = load<i32>(union + (<usize>c << 2))
        const at = entry<T>(k)
        const p = v128.add<T>(v128.add<T>(v128.add<T>(
          v128.mul<T>(a0, v128.load_splat<T>(x0 + at)), v128.mul<T>(a1, v128.load_splat<T>(x1 + at))),
          v128.mul<T>(a2, v128.load_splat<T>(x2 + at))), v128.mul<T>(a3, v128.load_splat<T>(x3 + at)))
        const g = base + <usize>k * row
        v128.store(g, v128.add<T>(v128.load(g), p))
      }
    }
  }
  // The examples left over, one at a time: each entry adds δ·x.
  for (; e < m; e++) {
    const mask = masks + <usize>e * maskRow
    for (let c = 0; c < chunks; c++) {
      const at = <usize>c << 2
      store<i32>(touched + at, load<i32>(touched + at) | load<i32>(mask + at))
    }
    const n = load<i32>(counts + (<usize>e << 2))
    const idx = index + (<usize>(e * nIn) << 2)
    const x0 = dense + <usize>e * line
    const d0 = delta + <usize>e * drow
    for (let c = 0; c < n; c++) {
      const k = load<i32>(idx + (<usize>c << 2))
      const x = v128.load_splat<T>(x0 + entry<T>(k))
      const g = gt + <usize>k * row
      for (let o: usize = 0; o < row; o += 16) {
        v128.store(g + o, v128.add<T>(v128.load(g + o), v128.mul<T>(v128.load(d0 + o), x)))
      }
    }
  }
}

/** Whether examples e…e+3 have every one of their nIn inputs nonzero. */
// @ts-ignore: decorator
@inline function denseBlock(counts: usize, e: i32, nIn: i32): bool {
  const at = counts + (<usize>e << 2)
  return load<i32>(at) == nIn && load<i32>(at, 4) == nIn && load<i32>(at, 8) == nIn && load<i32>(at, 12) == nIn
}

/** The union of four examples' masks at byte offset `at`, also added to `touched`. */
// @ts-ignore: decorator
@inline function unionOf(m0: usize, m1: usize, m2: usize, m3: usize, at: usize, touched: usize): u32 {
  const u = load<u32>(m0 + at) | load<u32>(m1 + at) | load<u32>(m2 + at) | load<u32>(m3 + at)
  store<u32>(touched + at, load<u32>(touched + at) | u)
  return u
}

/** (δ₀x₀ + δ₁x₁ + δ₂x₂ + δ₃x₃) for the neurons at byte offset o of four delta rows. */
// @ts-ignore: decorator
@inline function block<T>(e0: usize, e1: usize, e2: usize, e3: usize, o: usize, v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  return v128.add<T>(v128.add<T>(v128.add<T>(
    v128.mul<T>(v128.load(e0 + o), v0), v128.mul<T>(v128.load(e1 + o), v1)),
    v128.mul<T>(v128.load(e2 + o), v2)), v128.mul<T>(v128.load(e3 + o), v3))
}

/**
 * One step for the rows of the inputs marked in `touched` (⌈nIn/16⌉ masks, as `gradient`
 * writes them): w ← shrink·w − η·(g·mean), then g ← 0 — the reference's operations in its
 * order. Rows not marked have a zero gradient, and with shrink = 1 such a step would leave them
 * as they are (1·w − η·0 is w); a decaying step shrinks every weight, so it takes `stepRange`
 * over all of them.
 */
export function step<T>(wt: usize, gt: usize, stride: i32, touched: usize, nIn: i32, shrink: T, eta: T, mean: T): void {
  const row = entry<T>(stride)
  const s = v128.splat<T>(shrink), h = v128.splat<T>(eta), a = v128.splat<T>(mean)
  const zero = v128.splat<T>(0)
  const chunks = (nIn + 15) >> 4
  for (let c = 0; c < chunks; c += 4) {
    // Four columns (64 inputs) per loop over set bits; columns past the end read as empty.
    const at = touched + (<usize>c << 2)
    let u = <u64>load<u32>(at)
    if (c + 1 < chunks) u |= <u64>load<u32>(at, 4) << 16
    if (c + 2 < chunks) u |= <u64>load<u32>(at, 8) << 32
    if (c + 3 < chunks) u |= <u64>load<u32>(at, 12) << 48
    while (u != 0) {
      const r = <usize>((c << 4) + <i32>ctz(u)) * row
      u &= u - 1
      const w = wt + r, g = gt + r
      for (let o: usize = 0; o < row; o += 16) {
        v128.store(w + o, v128.sub<T>(v128.mul<T>(s, v128.load(w + o)), v128.mul<T>(h, v128.mul<T>(v128.load(g + o), a))))
        v128.store(g + o, zero)
      }
    }
  }
}

/**
 * ∂C/∂w_jk = Σ_e δ_ej·a_ek of a dense layer, summed into g (rows=nOut, cols=nIn) from delta
 * (rows=m, cols=nOut) and a (rows=m, cols=nIn): blocks of four examples adding
 * (δ₀a₀ + δ₁a₁ + δ₂a₂ + δ₃a₃), then the rest one at a time. Lanes: L inputs k, k+1, ….
 */
function denseGradient<T>(g: usize, delta: usize, nOut: i32, a: usize, nIn: i32, m: i32): void {
  const line = entry<T>(nIn)
  const vectors = entry<T>(nIn & ~(lanes<T>() - 1))
  const drow = entry<T>(nOut)
  const size = sizeof<T>()
  let e = 0
  for (; e + 4 <= m; e += 4) {
    const a0 = a + <usize>e * line, a1 = a0 + line, a2 = a1 + line, a3 = a2 + line
    let d = delta + <usize>e * drow
    let r = g
    for (let j = 0; j < nOut; j++) {
      const f0 = load<T>(d), f1 = load<T>(d + drow), f2 = load<T>(d + 2 * drow), f3 = load<T>(d + 3 * drow)
      const d0 = v128.splat<T>(f0), d1 = v128.splat<T>(f1), d2 = v128.splat<T>(f2), d3 = v128.splat<T>(f3)
      let o: usize = 0
      for (; o < vectors; o += 16) {
        const p = v128.add<T>(v128.add<T>(v128.add<T>(
          v128.mul<T>(d0, v128.load(a0 + o)), v128.mul<T>(d1, v128.load(a1 + o))),
          v128.mul<T>(d2, v128.load(a2 + o))), v128.mul<T>(d3, v128.load(a3 + o)))
        v128.store(r + o, v128.add<T>(v128.load(r + o), p))
      }
      for (; o < line; o += size) {
        store<T>(r + o, load<T>(r + o) + (f0 * load<T>(a0 + o) + f1 * load<T>(a1 + o) + f2 * load<T>(a2 + o) + f3 * load<T>(a3 + o)))
      }
      d += size
      r += line
    }
  }
  for (; e < m; e++) {
    const a0 = a + <usize>e * line
    let d = delta + <usize>e * drow
    let r = g
    for (let j = 0; j < nOut; j++) {
      const f0 = load<T>(d)
      const d0 = v128.splat<T>(f0)
      let o: usize = 0
      for (; o < vectors; o += 16) v128.store(r + o, v128.add<T>(v128.load(r + o), v128.mul<T>(d0, v128.load(a0 + o))))
      for (; o < line; o += size) store<T>(r + o, load<T>(r + o) + f0 * load<T>(a0 + o))
      d += size
      r += line
    }
  }
}

/**
 * out_e = Σ_i x_ei·M_i for each of m examples: a combination of the rows of M (rows × cols,
 * rows rowStride apart) weighted by x (rows=m, cols=rows), into out (rows=m, cols=cols). Every
 * row in order, from 0. Lanes: L columns.
 *
 * A dense layer's forward sums are this with M its transposed weights and x the activations
 * below (then `addBias`); its Wᵀδ, with M its weights and x the deltas.
 */
function combine<T>(matrix: usize, rows: i32, cols: i32, rowStride: i32, x: usize, m: i32, out: usize): void {
  const L = lanes<T>()
  const step = entry<T>(rowStride)
  for (let e = 0; e < m; e++) {
    const v = x + entry<T>(e * rows)
    const o = out + entry<T>(e * cols)
    let j = 0
    for (; j + 4 * L <= cols; j += 4 * L) {
      const zero = v128.splat<T>(0)
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero
      let r = matrix + entry<T>(j)
      for (let i = 0; i < rows; i++) {
        const a = v128.load_splat<T>(v + entry<T>(i))
        s0 = v128.add<T>(s0, v128.mul<T>(v128.load(r), a))
        s1 = v128.add<T>(s1, v128.mul<T>(v128.load(r, 16), a))
        s2 = v128.add<T>(s2, v128.mul<T>(v128.load(r, 32), a))
        s3 = v128.add<T>(s3, v128.mul<T>(v128.load(r, 48), a))
        r += step
      }
      const at = o + entry<T>(j)
      v128.store(at, s0)
      v128.store(at, s1, 16)
      v128.store(at, s2, 32)
      v128.store(at, s3, 48)
    }
    for (; j + L <= cols; j += L) {
      let s = v128.splat<T>(0)
      let r = matrix + entry<T>(j)
      for (let i = 0; i < rows; i++) {
        s = v128.add<T>(s, v128.mul<T>(v128.load(r), v128.load_splat<T>(v + entry<T>(i))))
        r += step
      }
      v128.store(o + entry<T>(j), s)
    }
    for (; j < cols; j++) {
      let s = <T>0
      let r = matrix + entry<T>(j)
      for (let i = 0; i < rows; i++) {
        s += load<T>(r) * load<T>(v + entry<T>(i))
        r += step
      }
      store<T>(o + entry<T>(j), s)
    }
  }
}

/**
 * ∂C/∂b_j = Σ_e δ_ej: out[j] += δ_ej for each of `cols` columns of m rows `row` entries apart,
 * over the examples in order (out holds zeros, so the sum starts from 0 as the reference's).
 */
export function sumColumns<T>(delta: usize, cols: i32, row: i32, m: i32, out: usize): void {
  const line = entry<T>(row)
  for (let j = 0; j < cols; j++) {
    const at = entry<T>(j)
    let s = load<T>(out + at)
    for (let e = 0; e < m; e++) s += load<T>(delta + <usize>e * line + at)
    store<T>(out + at, s)
  }
}

/** z_ej ← z_ej + b_j for each of m examples (rows=m, cols=n): the bias, added last. */
function addBias<T>(z: usize, bias: usize, n: i32, m: i32): void {
  const row = entry<T>(n)
  for (let e = 0; e < m; e++) {
    const o = z + <usize>e * row
    for (let j: usize = 0; j < row; j += sizeof<T>()) store<T>(o + j, load<T>(o + j) + load<T>(bias + j))
  }
}

/**
 * One step for the entries [from, to) of params and gradient: p ← shrink·p − η·(g·mean), then
 * g ← 0 — the reference's operations in its order. Biases step with shrink 1 (1·p is p).
 */
export function stepRange<T>(params: usize, gradient: usize, from: i32, to: i32, shrink: T, eta: T, mean: T): void {
  const L = lanes<T>()
  const s = v128.splat<T>(shrink), h = v128.splat<T>(eta), a = v128.splat<T>(mean)
  const zero = v128.splat<T>(0)
  let i = from
  for (; i + L <= to; i += L) {
    const o = entry<T>(i)
    v128.store(params + o, v128.sub<T>(v128.mul<T>(s, v128.load(params + o)), v128.mul<T>(h, v128.mul<T>(v128.load(gradient + o), a))))
    v128.store(gradient + o, zero)
  }
  for (; i < to; i++) {
    const o = entry<T>(i)
    store<T>(params + o, shrink * load<T>(params + o) - eta * (load<T>(gradient + o) * mean))
    store<T>(gradient + o, <T>0)
  }
}

/** wt[k·stride + j] = w[j·nIn + k]: a dense layer's weights, transposed for its forward sums. */
function transpose<T>(w: usize, nIn: i32, nOut: i32, wt: usize, stride: i32): void {
  for (let j = 0; j < nOut; j++) {
    const r = w + entry<T>(j * nIn)
    for (let k = 0; k < nIn; k++) {
      store<T>(wt + entry<T>(k * stride + j), load<T>(r + entry<T>(k)))
    }
  }
}

/**
 * Loads a batch of byte images (raw: rows=m, cols=n) as the forward and gradient loops read
 * them: each example's nonzero inputs as a list (index, counts), as masks (see `gradient`), and
 * their values in the dense rows, zero elsewhere. A byte's value is read from `values` (256 of
 * T, the host's one byte-to-input function tabulated), so it is the host's number to the bit.
 * First clears from `dense` what the last batch, of `loaded` examples, wrote there. Sixteen
 * bytes are tested at a time; the nonzero ones are taken in increasing k.
 */
export function loadPixels<T>(
  raw: usize, m: i32, n: i32, values: usize,
  index: usize, counts: usize, masks: usize, dense: usize, loaded: i32
): void {
  const maskRow = <usize>((n + 15) >> 4) << 2
  const line = entry<T>(n)
  for (let e = 0; e < loaded; e++) {
    const count = load<i32>(counts + (<usize>e << 2))
    const idx = index + (<usize>(e * n) << 2)
    const row = dense + <usize>e * line
    for (let c = 0; c < count; c++) store<T>(row + entry<T>(load<i32>(idx + (<usize>c << 2))), <T>0)
  }
  const zero = i8x16.splat(0)
  for (let e = 0; e < m; e++) {
    const bytes = raw + <usize>(e * n)
    const idx = index + (<usize>(e * n) << 2)
    const row = dense + <usize>e * line
    const marks = masks + <usize>e * maskRow
    let count = 0
    let k = 0
    // 64 inputs per pass: one loop over their set bits, so one hard-to-predict loop exit per
    // 64 inputs rather than per 16.
    for (; k + 64 <= n; k += 64) {
      const b0 = i8x16.bitmask(i8x16.ne(v128.load(bytes + <usize>k), zero))
      const b1 = i8x16.bitmask(i8x16.ne(v128.load(bytes + <usize>k, 16), zero))
      const b2 = i8x16.bitmask(i8x16.ne(v128.load(bytes + <usize>k, 32), zero))
      const b3 = i8x16.bitmask(i8x16.ne(v128.load(bytes + <usize>k, 48), zero))
      const at4 = marks + (<usize>(k >> 4) << 2)
      store<i32>(at4, b0)
      store<i32>(at4, b1, 4)
      store<i32>(at4, b2, 8)
      store<i32>(at4, b3, 12)
      const mask = <u64>b0 | (<u64>b1 << 16) | (<u64>b2 << 32) | (<u64>b3 << 48)
      if (mask == <u64>-1) {
        // No zero among the 64 (an image without background): listed in order, no bits to scan.
        for (let i = k; i < k + 64; i++) {
          store<i32>(idx + (<usize>count << 2), i)
          store<T>(row + entry<T>(i), load<T>(values + entry<T>(load<u8>(bytes + <usize>i))))
          count++
        }
        continue
      }
      count = listNonzero<T>(mask, k, bytes, values, idx, row, count)
    }
    for (; k + 16 <= n; k += 16) {
      const mask = i8x16.bitmask(i8x16.ne(v128.load(bytes + <usize>k), zero))
      store<i32>(marks + (<usize>(k >> 4) << 2), mask)
      count = listNonzero<T>(<u64>mask, k, bytes, values, idx, row, count)
    }
    if (k < n) {
      let mask = 0
      for (let i = k; i < n; i++) if (load<u8>(bytes + <usize>i) != 0) mask |= 1 << (i - k)
      store<i32>(marks + (<usize>(k >> 4) << 2), mask)
      count = listNonzero<T>(<u64>mask, k, bytes, values, idx, row, count)
    }
    store<i32>(counts + (<usize>e << 2), count)
  }
}

/**
 * Loads a batch given as input values (dense: rows=m, cols=n, every value, zeros too, written
 * by the host) as `loadPixels` loads byte images: each example's nonzero inputs as a list
 * (index, counts) and as masks. The values stay where they are, so the dense rows need no
 * clearing. An input counts as nonzero exactly when `x != 0` (−0 does not; NaN does), as in
 * the host's loops. A vector of inputs is tested at a time; the nonzero ones are taken in
 * increasing k.
 */
function scanInputs<T>(dense: usize, m: i32, n: i32, index: usize, counts: usize, masks: usize): void {
  const L = lanes<T>()
  const maskRow = <usize>((n + 15) >> 4) << 2
  const line = entry<T>(n)
  const zero = v128.splat<T>(0)
  for (let e = 0; e < m; e++) {
    const row = dense + <usize>e * line
    const idx = index + (<usize>(e * n) << 2)
    const marks = masks + <usize>e * maskRow
    let count = 0
    for (let k = 0; k < n; k += 16) {
      let mask = 0
      const end = min(16, n - k)
      let b = 0
      for (; b + L <= end; b += L) {
        const ne = v128.ne<T>(v128.load(row + entry<T>(k + b)), zero)
        mask |= (sizeof<T>() == 8 ? v128.bitmask<i64>(ne) : v128.bitmask<i32>(ne)) << b
      }
      for (; b < end; b++) if (load<T>(row + entry<T>(k + b)) != 0) mask |= 1 << b
      store<i32>(marks + (<usize>(k >> 4) << 2), mask)
      let bits = mask
      while (bits != 0) {
        store<i32>(idx + (<usize>count << 2), k + <i32>ctz(bits))
        bits &= bits - 1
        count++
      }
    }
    store<i32>(counts + (<usize>e << 2), count)
  }
}

/**
 * Appends the inputs k + b, for each set bit b of `mask` in increasing order, to an example's
 * list (from position `count`) and writes their values into its dense row; returns the new
 * count.
 */
// @ts-ignore: decorator
@inline function listNonzero<T>(
  mask: u64, k: i32, bytes: usize, values: usize, idx: usize, row: usize, count: i32
): i32 {
  while (mask != 0) {
    const at = k + <i32>ctz(mask)
    mask &= mask - 1
    const x = load<T>(values + entry<T>(load<u8>(bytes + <usize>at)))
    store<i32>(idx + (<usize>count << 2), at)
    store<T>(row + entry<T>(at), x)
    count++
  }
  return count
}

// The loops the host calls itself, in each precision. (Layer 1's — forward, gradient, step,
// loadPixels — are reached through jobs.ts.)

export function combine64(matrix: usize, rows: i32, cols: i32, rowStride: i32, x: usize, m: i32, out: usize): void {
  combine<f64>(matrix, rows, cols, rowStride, x, m, out)
}
export function combine32(matrix: usize, rows: i32, cols: i32, rowStride: i32, x: usize, m: i32, out: usize): void {
  combine<f32>(matrix, rows, cols, rowStride, x, m, out)
}
export function addBias64(z: usize, bias: usize, n: i32, m: i32): void {
  addBias<f64>(z, bias, n, m)
}
export function addBias32(z: usize, bias: usize, n: i32, m: i32): void {
  addBias<f32>(z, bias, n, m)
}
export function denseGradient64(g: usize, delta: usize, nOut: i32, a: usize, nIn: i32, m: i32): void {
  denseGradient<f64>(g, delta, nOut, a, nIn, m)
}
export function denseGradient32(g: usize, delta: usize, nOut: i32, a: usize, nIn: i32, m: i32): void {
  denseGradient<f32>(g, delta, nOut, a, nIn, m)
}
export function stepRange64(params: usize, gradient: usize, from: i32, to: i32, shrink: f64, eta: f64, mean: f64): void {
  stepRange<f64>(params, gradient, from, to, shrink, eta, mean)
}
export function stepRange32(params: usize, gradient: usize, from: i32, to: i32, shrink: f64, eta: f64, mean: f64): void {
  stepRange<f32>(params, gradient, from, to, <f32>shrink, <f32>eta, <f32>mean)
}
export function transpose64(w: usize, nIn: i32, nOut: i32, wt: usize, stride: i32): void {
  transpose<f64>(w, nIn, nOut, wt, stride)
}
export function transpose32(w: usize, nIn: i32, nOut: i32, wt: usize, stride: i32): void {
  transpose<f32>(w, nIn, nOut, wt, stride)
}
export function sumColumns64(delta: usize, cols: i32, row: i32, m: i32, out: usize): void {
  sumColumns<f64>(delta, cols, row, m, out)
}
export function sumColumns32(delta: usize, cols: i32, row: i32, m: i32, out: usize): void {
  sumColumns<f32>(delta, cols, row, m, out)
}
export function scanInputs64(dense: usize, m: i32, n: i32, index: usize, counts: usize, masks: usize): void {
  scanInputs<f64>(dense, m, n, index, counts, masks)
}
export function scanInputs32(dense: usize, m: i32, n: i32, index: usize, counts: usize, masks: usize): void {
  scanInputs<f32>(dense, m, n, index, counts, masks)
}
