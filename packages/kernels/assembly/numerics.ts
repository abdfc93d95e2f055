// The elementary functions on descent's learning path — exp, log, sin, cos, pow — with the same
// bits on every JavaScript engine.
//
// Why not the engine's Math: ECMAScript leaves Math.exp and its kin "implementation-
// approximated", and engines differ in the last bit (measured over packages/core/test's 10⁶
// arguments per function: Bun 1.4 differs from Node 20 for 7% of Math.exp's, 4% of Math.log's,
// 2.5% of Math.sin's and Math.cos's and 36% of Math.pow's; Deno 2.9 much the same). Gradient
// descent amplifies one bit into a different run, so a run recorded on one engine could not be
// replayed on another.
//
// What runs instead, built only from IEEE 754 basic operations (+ − × ÷), table lookups and
// exact bit manipulation, all of which WebAssembly specifies to the bit (round to nearest, no
// fused multiply-add) — so every engine computes the same double for the same argument (only a
// NaN's sign and payload may differ, which no finite result depends on):
// - exp, log, pow: AssemblyScript's NativeMath at -O3, which is ARM's optimized-routines (the
//   versions musl ships): a 128-entry table and a short polynomial, about 0.52 ulp at worst.
// - sin, cos: musl's (FreeBSD's fdlibm) ported below — the kernels __sin and __cos on [−π/4, π/4],
//   Cody–Waite reduction by π/2 for |x| < 2²⁰·π/2 and Payne–Hanek (__rem_pio2_large, with 2/π to
//   1584 bits) beyond, under 1 ulp everywhere. AssemblyScript's own sin and cos reduce huge
//   arguments with only 128 bits of 2/π and were measured 2.4 ulp off near 10²⁰⁰.
//
// The host reaches these through @descent/core's Numerics module, and nothing else on the
// learning path computes a transcendental function. This module owns its memory (its tables and
// scratch arrays). The kernels module (activations.ts) compiles `sigmoid` from this source too,
// so a layer's sigmoids computed there are, bit for bit, those the host gets here.

/** e^x */
export function exp(x: f64): f64 {
  return NativeMath.exp(x)
}

/**
 * σ(z) = 1 / (1 + e^−z), the logistic sigmoid (core's Activation.sigmoidOf), computed so that it
 * never overflows: for z < 0 the equal form e^z / (1 + e^z), whose exponential is at most 1.
 * σ(±1000) is exactly 1 and 0, not NaN.
 */
export function sigmoid(z: f64): f64 {
  // Without a branch on z's sign (as hard to predict as a coin): e = e^−|z| is e^−z for z ≥ 0
  // and e^z below, exactly, so this is 1 / (1 + e^−z) or e^z / (1 + e^z), operation for operation.
  const e = NativeMath.exp(-abs(z))
  return select<f64>(1, e, z >= 0) / (1 + e)
}

/** The natural logarithm, ln x. */
export function log(x: f64): f64 {
  return NativeMath.log(x)
}

/**
 * x^y, with C99's special cases: pow(x, ±0) = 1 and pow(1, y) = 1, even for a NaN;
 * pow(−1, ±∞) = 1.
 */
export function pow(x: f64, y: f64): f64 {
  // NativeMath.pow gives NaN for these two; C99 (and musl) say 1.
  if (x == 1.0) return 1.0
  if (x == -1.0 && abs(y) == Infinity) return 1.0
  return NativeMath.pow(x, y)
}

/** sin x, x in radians (musl's src/math/sin.c). */
export function sin(x: f64): f64 {
  const ix = <u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff
  // |x| ~< π/4
  if (ix <= 0x3fe921fb) {
    if (ix < 0x3e500000) return x // |x| < 2^−26: sin x rounds to x (and −0 stays −0)
    return kernelSin(x, 0.0, 0)
  }
  // sin(±∞) and sin(NaN) are NaN
  if (ix >= 0x7ff00000) return x - x
  const n = remPio2(x)
  switch (n & 3) {
    case 0: return kernelSin(y0, y1, 1)
    case 1: return kernelCos(y0, y1)
    case 2: return -kernelSin(y0, y1, 1)
    default: return -kernelCos(y0, y1)
  }
}

/** cos x, x in radians (musl's src/math/cos.c). */
export function cos(x: f64): f64 {
  const ix = <u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff
  // |x| ~< π/4
  if (ix <= 0x3fe921fb) {
    if (ix < 0x3e46a09e) return 1.0 // |x| < 2^−27·√2: cos x rounds to 1
    return kernelCos(x, 0.0)
  }
  // cos(±∞) and cos(NaN) are NaN
  if (ix >= 0x7ff00000) return x - x
  const n = remPio2(x)
  switch (n & 3) {
    case 0: return kernelCos(y0, y1)
    case 1: return -kernelSin(y0, y1, 1)
    case 2: return -kernelCos(y0, y1)
    default: return kernelSin(y0, y1, 1)
  }
}

/**
 * sin(x + y) on [−π/4, π/4], y the tail of x (0 unless iy): a degree-13 odd polynomial, error
 * below 2^−58 (musl's src/math/__sin.c).
 */
function kernelSin(x: f64, y: f64, iy: i32): f64 {
  const
    S1 = reinterpret<f64>(0xBFC5555555555549), // -1.66666666666666324348e-01
    S2 = reinterpret<f64>(0x3F8111111110F8A6), //  8.33333333332248946124e-03
    S3 = reinterpret<f64>(0xBF2A01A019C161D5), // -1.98412698298579493134e-04
    S4 = reinterpret<f64>(0x3EC71DE357B1FE7D), //  2.75573137070700676789e-06
    S5 = reinterpret<f64>(0xBE5AE5E68A2B9CEB), // -2.50507602534068634195e-08
    S6 = reinterpret<f64>(0x3DE5D93A5ACFD57C)  //  1.58969099521155010221e-10
  const z = x * x
  const w = z * z
  const r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6)
  const v = z * x
  if (iy == 0) return x + v * (S1 + z * r)
  return x - ((z * (0.5 * y - v * r) - y) - v * S1)
}

/**
 * cos(x + y) on [−π/4, π/4], y the tail of x: 1 − x²/2 plus a degree-14 even polynomial, the
 * 1 − x²/2 split so that it is exact (musl's src/math/__cos.c).
 */
function kernelCos(x: f64, y: f64): f64 {
  const
    C1 = reinterpret<f64>(0x3FA555555555554C), //  4.16666666666666019037e-02
    C2 = reinterpret<f64>(0xBF56C16C16C15177), // -1.38888888888741095749e-03
    C3 = reinterpret<f64>(0x3EFA01A019CB1590), //  2.48015872894767294178e-05
    C4 = reinterpret<f64>(0xBE927E4F809C52AD), // -2.75573143513906633035e-07
    C5 = reinterpret<f64>(0x3E21EE9EBDB4B1C4), //  2.08757232129817482790e-09
    C6 = reinterpret<f64>(0xBDA8FAE9BE8838D4)  // -1.13596475577881948265e-11
  const z = x * x
  let w = z * z
  const r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6))
  const hz = 0.5 * z
  w = 1.0 - hz
  return w + (((1.0 - w) - hz) + (z * r - x * y))
}

// The reduced argument of the last remPio2: x − n·π/2 = y0 + y1, |y0 + y1| ≤ π/4 (about).
let y0: f64 = 0
let y1: f64 = 0

// π/2 in pieces (musl's __rem_pio2.c): pio2_1 is its first 33 bits, so n·pio2_1 is exact for
// the n used; pio2_1t = π/2 − pio2_1; pio2_2, pio2_3 the next 33 bits each, with their tails.
const invpio2: f64 = reinterpret<f64>(0x3FE45F306DC9C883) // 6.36619772367581382433e-01 = 2/π
const pio2_1: f64 = reinterpret<f64>(0x3FF921FB54400000) // 1.57079632673412561417e+00
const pio2_1t: f64 = reinterpret<f64>(0x3DD0B4611A626331) // 6.07710050650619224932e-11
const pio2_2: f64 = reinterpret<f64>(0x3DD0B4611A600000) // 6.07710050630396597660e-11
const pio2_2t: f64 = reinterpret<f64>(0x3BA3198A2E037073) // 2.02226624879595063154e-21
const pio2_3: f64 = reinterpret<f64>(0x3BA3198A2E000000) // 2.02226624871116645580e-21
const pio2_3t: f64 = reinterpret<f64>(0x397B839A252049C1) // 8.47842766036889956997e-32
const toInt: f64 = reinterpret<f64>(0x4338000000000000) // 0x1.8p52: adding it rounds to an integer

/**
 * x − n·π/2 into y0 + y1 for a small n (|n| ≤ 4): n·pio2_1 is exact, and subtracting it and
 * then n·pio2_1t is good to 85 bits. (musl writes the eight cases out; (−n)·c is −(n·c) to the
 * bit, so one function gives the same numbers.)
 */
// @ts-ignore: decorator
@inline function reduceSmall(x: f64, n: i32): i32 {
  const k = <f64>n
  const z = x - k * pio2_1
  y0 = z - k * pio2_1t
  y1 = (z - y0) - k * pio2_1t
  return n
}

/**
 * n, with x − n·π/2 left in y0 + y1 (musl's src/math/__rem_pio2.c). The caller handles
 * |x| ≤ π/4 and non-finite x. Up to 9π/4, one subtraction of a 33+53-bit π/2; up to 2²⁰·π/2,
 * Cody–Waite with up to three 33-bit pieces of π/2 (good to 151 bits, enough for every double);
 * beyond, Payne–Hanek in `remPio2Large`.
 */
function remPio2(x: f64): i32 {
  const u = reinterpret<u64>(x)
  const hx = <i32>(u >> 32)
  const ix = hx & 0x7fffffff
  const sign = hx > 0 ? 1 : -1
  // Near the first few multiples of π/2, one subtraction — unless x is so close to one that
  // the subtraction cancels (|x| ≈ π/2, 2π/2, 3π/2, 4π/2): the medium case handles those.
  let medium = false
  if (ix <= 0x400f6a7a) { // |x| ~<= 5π/4
    if ((ix & 0xfffff) == 0x921fb) medium = true // |x| ~= π/2 or 2π/2
    else return reduceSmall(x, ix <= 0x4002d97c ? sign : 2 * sign) // |x| ~<= 3π/4, or not
  } else if (ix <= 0x401c463b) { // |x| ~<= 9π/4
    if (ix <= 0x4015fdbc) { // |x| ~<= 7π/4
      if (ix == 0x4012d97c) medium = true // |x| ~= 3π/2
      else return reduceSmall(x, 3 * sign)
    } else {
      if (ix == 0x401921fb) medium = true // |x| ~= 4π/2
      else return reduceSmall(x, 4 * sign)
    }
  }
  if (medium || ix < 0x413921fb) { // |x| ~< 2²⁰·π/2
    const fn = (x * invpio2 + toInt) - toInt // round to nearest
    const n = <i32>fn
    let r = x - fn * pio2_1
    let w = fn * pio2_1t // first round, good to 85 bits
    const j = ix >> 20
    y0 = r - w
    let high = <u32>(reinterpret<u64>(y0) >> 32)
    let i = j - <i32>((high >> 20) & 0x7ff)
    if (i > 16) { // second round, good to 118 bits
      let t = r
      w = fn * pio2_2
      r = t - w
      w = fn * pio2_2t - ((t - r) - w)
      y0 = r - w
      high = <u32>(reinterpret<u64>(y0) >> 32)
      i = j - <i32>((high >> 20) & 0x7ff)
      if (i > 49) { // third round, good to 151 bits: covers all cases
        t = r
        w = fn * pio2_3
        r = t - w
        w = fn * pio2_3t - ((t - r) - w)
        y0 = r - w
      }
    }
    y1 = (r - y0) - w
    return n
  }
  // Large arguments: z = |x|·2^−e0 (e0 = ilogb(x) − 23) cut into three 24-bit pieces.
  const e0 = (ix >> 20) - 1046
  let z = reinterpret<f64>((<u64>(ix - (e0 << 20)) << 32) | (u & 0xffffffff))
  for (let i = 0; i < 2; i++) {
    const piece = <f64><i32>z
    store<f64>(TX + (<usize>i << 3), piece)
    z = (z - piece) * TWO24
  }
  store<f64>(TX + 16, z)
  let nx = 3
  while (load<f64>(TX + (<usize>(nx - 1) << 3)) == 0.0) nx-- // skip zero terms
  const n = remPio2Large(e0, nx)
  if (hx < 0) {
    y0 = -y0
    y1 = -y1
    return -n
  }
  return n
}

const TWO24: f64 = 16777216.0 // 2^24
const TWON24: f64 = 5.96046447753906250000e-08 // 2^−24

// 2/π in 24-bit pieces: IPIO2[i] holds bits 24i … 24i+23 after the binary point (1584 bits,
// enough for every double's exponent).
// @ts-ignore: decorator
@lazy const IPIO2 = memory.data<i32>([
  0xA2F983, 0x6E4E44, 0x1529FC, 0x2757D1, 0xF534DD, 0xC0DB62,
  0x95993C, 0x439041, 0xFE5163, 0xABDEBB, 0xC561B7, 0x246E3A,
  0x424DD2, 0xE00649, 0x2EEA09, 0xD1921C, 0xFE1DEB, 0x1CB129,
  0xA73EE8, 0x8235F5, 0x2EBB44, 0x84E99C, 0x7026B4, 0x5F7E41,
  0x3991D6, 0x398353, 0x39F49C, 0x845F8B, 0xBDF928, 0x3B1FF8,
  0x97FFDE, 0x05980F, 0xEF2F11, 0x8B5A0A, 0x6D1F6D, 0x367ECF,
  0x27CB09, 0xB74F46, 0x3F669E, 0x5FEA2D, 0x7527BA, 0xC7EBE5,
  0xF17B3D, 0x0739F7, 0x8A5292, 0xEA6BFB, 0x5FB11F, 0x8D5D08,
  0x560330, 0x46FC7B, 0x6BABF0, 0xCFBC20, 0x9AF436, 0x1DA9E3,
  0x91615E, 0xE61B08, 0x659985, 0x5F14A0, 0x68408D, 0xFFD880,
  0x4D7327, 0x310606, 0x1556CA, 0x73A8C9, 0x60E27B, 0xC08C6B
])

// π/2 cut into 24-bit pieces (musl's PIo2).
// @ts-ignore: decorator
@lazy const PIO2 = memory.data<f64>([
  1.57079625129699707031e+00, // 0x3FF921FB40000000
  7.54978941586159635335e-08, // 0x3E74442D00000000
  5.39030252995776476554e-15, // 0x3CF8469880000000
  3.28200341580791294123e-22, // 0x3B78CC5160000000
  1.27065575308067607349e-29, // 0x39F01B8380000000
  1.22933308981111328932e-36, // 0x387A252040000000
  2.73370053816464559624e-44, // 0x36E3822280000000
  2.16741683877804819444e-51  // 0x3569F31D00000000
])

// Scratch arrays of remPio2Large, 20 entries each (musl's locals): the input's pieces, 2/π as
// doubles, the product's 24-bit chunks as doubles and as integers, and the product times π/2.
// @ts-ignore: decorator
@lazy const TX = memory.data(3 << 3)
// @ts-ignore: decorator
@lazy const F = memory.data(20 << 3)
// @ts-ignore: decorator
@lazy const Q = memory.data(20 << 3)
// @ts-ignore: decorator
@lazy const IQ = memory.data(20 << 2)
// @ts-ignore: decorator
@lazy const FQ = memory.data(20 << 3)

// @ts-ignore: decorator
@inline function getF(array: usize, i: i32): f64 { return load<f64>(array + (<usize>i << 3)) }
// @ts-ignore: decorator
@inline function setF(array: usize, i: i32, value: f64): void { store<f64>(array + (<usize>i << 3), value) }
// @ts-ignore: decorator
@inline function getI(array: usize, i: i32): i32 { return load<i32>(array + (<usize>i << 2)) }
// @ts-ignore: decorator
@inline function setI(array: usize, i: i32, value: i32): void { store<i32>(array + (<usize>i << 2), value) }

/**
 * Payne–Hanek: the last three bits of n and x − n·π/2 (into y0 + y1) for the positive x whose
 * 24-bit pieces are TX[0 … nx−1], x = Σ TX[i]·2^(e0 − 24i). Only the bits of 2/π that matter
 * mod 8 are multiplied, so the work does not grow with the exponent (musl's
 * src/math/__rem_pio2_large.c at double precision: jk = 4).
 */
function remPio2Large(e0: i32, nx: i32): i32 {
  const jk = 4 // terms of 2/π to start with: the recommended 4 for 53 bits
  const jp = jk
  const jx = nx - 1
  let jv = (e0 - 3) / 24
  if (jv < 0) jv = 0
  let q0 = e0 - 24 * (jv + 1)

  // F[0 … jx+jk] = IPIO2[jv−jx … jv+jk]
  let j = jv - jx
  const m = jx + jk
  for (let i = 0; i <= m; i++, j++) setF(F, i, j < 0 ? 0.0 : <f64>getI(IPIO2, j))

  // Q[0 … jk]
  for (let i = 0; i <= jk; i++) {
    let fw = 0.0
    for (j = 0; j <= jx; j++) fw += getF(TX, j) * getF(F, jx + i - j)
    setF(Q, i, fw)
  }

  let jz = jk
  let z = 0.0
  let n = 0
  let ih = 0
  while (true) {
    // Distill Q into 24-bit integers IQ, last first.
    z = getF(Q, jz)
    for (let i = 0, k = jz; k > 0; i++, k--) {
      const fw = <f64><i32>(TWON24 * z)
      setI(IQ, i, <i32>(z - TWO24 * fw))
      z = getF(Q, k - 1) + fw
    }
    // n: the integer part mod 8
    z = NativeMath.scalbn(z, q0)
    z -= 8.0 * floor(z * 0.125)
    n = <i32>z
    z -= <f64>n
    ih = 0
    if (q0 > 0) { // IQ[jz−1] holds bits of n too
      const i = getI(IQ, jz - 1) >> (24 - q0)
      n += i
      setI(IQ, jz - 1, getI(IQ, jz - 1) - (i << (24 - q0)))
      ih = getI(IQ, jz - 1) >> (23 - q0)
    } else if (q0 == 0) {
      ih = getI(IQ, jz - 1) >> 23
    } else if (z >= 0.5) {
      ih = 2
    }
    if (ih > 0) { // the fraction is ≥ 0.5: take 1 − fraction, n + 1
      n += 1
      let carry = 0
      for (let i = 0; i < jz; i++) {
        const k = getI(IQ, i)
        if (carry == 0) {
          if (k != 0) {
            carry = 1
            setI(IQ, i, 0x1000000 - k)
          }
        } else {
          setI(IQ, i, 0xffffff - k)
        }
      }
      if (q0 == 1) setI(IQ, jz - 1, getI(IQ, jz - 1) & 0x7fffff)
      else if (q0 == 2) setI(IQ, jz - 1, getI(IQ, jz - 1) & 0x3fffff)
      if (ih == 2) {
        z = 1.0 - z
        if (carry != 0) z -= NativeMath.scalbn(1.0, q0)
      }
    }
    // Cancellation: all computed bits of the fraction are 0, so take more terms of 2/π.
    if (z == 0.0) {
      let any = 0
      for (let i = jz - 1; i >= jk; i--) any |= getI(IQ, i)
      if (any == 0) {
        let k = 1
        while (getI(IQ, jk - k) == 0) k++
        for (let i = jz + 1; i <= jz + k; i++) {
          setF(F, jx + i, <f64>getI(IPIO2, jv + i))
          let fw = 0.0
          for (j = 0; j <= jx; j++) fw += getF(TX, j) * getF(F, jx + i - j)
          setF(Q, i, fw)
        }
        jz += k
        continue
      }
    }
    break
  }

  // Chop off zero terms, or break z into 24-bit pieces.
  if (z == 0.0) {
    jz -= 1
    q0 -= 24
    while (getI(IQ, jz) == 0) {
      jz--
      q0 -= 24
    }
  } else {
    z = NativeMath.scalbn(z, -q0)
    if (z >= TWO24) {
      const fw = <f64><i32>(TWON24 * z)
      setI(IQ, jz, <i32>(z - TWO24 * fw))
      jz += 1
      q0 += 24
      setI(IQ, jz, <i32>fw)
    } else {
      setI(IQ, jz, <i32>z)
    }
  }

  // The 24-bit chunks as doubles, then times π/2.
  let fw = NativeMath.scalbn(1.0, q0)
  for (let i = jz; i >= 0; i--) {
    setF(Q, i, fw * <f64>getI(IQ, i))
    fw *= TWON24
  }
  for (let i = jz; i >= 0; i--) {
    fw = 0.0
    for (let k = 0; k <= jp && k <= jz - i; k++) fw += getF(PIO2, k) * getF(Q, i + k)
    setF(FQ, jz - i, fw)
  }

  // Compress FQ into y0 + y1.
  fw = 0.0
  for (let i = jz; i >= 0; i--) fw += getF(FQ, i)
  y0 = ih == 0 ? fw : -fw
  fw = getF(FQ, 0) - fw
  for (let i = 1; i <= jz; i++) fw += getF(FQ, i)
  y1 = ih == 0 ? fw : -fw
  return n & 7
}
