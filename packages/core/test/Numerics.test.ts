// Numerics against MPFR (GNU's correctly rounded multiple-precision library, compiled to
// WebAssembly by gmp-wasm): every function within 1 ulp of the true value over 10⁶ arguments
// each, across its whole range; the special cases C99 names; and a fingerprint of the exact
// results, which changes only when the numerics change — and then Numerics.version must too.
import { Numerics } from "@descent/core"
import { init } from "gmp-wasm"
import { beforeAll, describe, expect, it } from "vitest"
import { argumentsOf, count, fingerprint, type Name, names } from "./numericsArguments.js"

const functions = {
  exp: (x: number) => Numerics.exp(x),
  log: (x: number) => Numerics.log(x),
  sin: (x: number) => Numerics.sin(x),
  cos: (x: number) => Numerics.cos(x),
  pow: (x: number, y: number) => Numerics.pow(x, y)
} as const

describe("Numerics", () => {
  let ulpError: (name: Name, x: number, y: number, computed: number) => number

  beforeAll(async () => {
    const { binding: b } = await init()
    const precision = 256
    const RNDN = 0
    const [x, y, t, d] = [b.mpfr_t(), b.mpfr_t(), b.mpfr_t(), b.mpfr_t()]
    for (const v of [x, y, t, d]) b.mpfr_init2(v, precision)
    const reference = {
      exp: () => b.mpfr_exp(t, x, RNDN),
      log: () => b.mpfr_log(t, x, RNDN),
      sin: () => b.mpfr_sin(t, x, RNDN),
      cos: () => b.mpfr_cos(t, x, RNDN),
      pow: () => b.mpfr_pow(t, x, y, RNDN)
    }
    // |computed − true| in units of the true value's last place (ulps of a double: 2^(e−52)
    // for 2^e ≤ |true| < 2^(e+1), never below the subnormals' 2^−1074). A result past the
    // double range must be ±∞ exactly when the true value rounds to it.
    ulpError = (name, xv, yv, computed) => {
      b.mpfr_set_d(x, xv, RNDN)
      b.mpfr_set_d(y, yv, RNDN)
      reference[name]()
      if (b.mpfr_nan_p(t) !== 0) return Number.isNaN(computed) ? 0 : Infinity
      const rounded = b.mpfr_get_d(t, RNDN)
      if (!Number.isFinite(rounded) || !Number.isFinite(computed)) return Object.is(rounded, computed) ? 0 : Infinity
      if (b.mpfr_zero_p(t) !== 0) return computed === 0 ? 0 : Infinity
      // mpfr's exponent e has 2^(e−1) ≤ |t| < 2^e.
      const exponent = Math.max(b.mpfr_get_exp(t) - 1, -1022)
      b.mpfr_sub_d(d, t, computed, RNDN)
      b.mpfr_mul_2si(d, d, 52 - exponent, RNDN)
      return Math.abs(b.mpfr_get_d(d, RNDN))
    }
  })

  describe.each(names)("%s", (name) => {
    it(`is within 1 ulp of the true value (MPFR) for ${count.toLocaleString("en")} arguments`, () => {
      const f = functions[name]
      let worst = 0
      let worstAt: readonly [number, number] = [0, 0]
      for (const [x, y] of argumentsOf(name)) {
        const error = ulpError(name, x, y, f(x, y))
        if (error > worst) {
          worst = error
          worstAt = [x, y]
        }
      }
      console.log(`Numerics.${name}: largest error ${worst.toFixed(3)} ulp, at ${name === "pow" ? `(${worstAt[0]}, ${worstAt[1]})` : worstAt[0]}`)
      expect(worst).toBeLessThan(1)
      // Guard against a measure that passes anything: 4 ulps off must count as more than 1.
      expect(ulpError(name, 0.5, 3, f(0.5, 3) * (1 + 4 * Number.EPSILON))).toBeGreaterThan(1)
    })
  })

  it("follows C99 in the special cases: ±0, ±∞, NaN, subnormals, overflow and underflow", () => {
    const { cos, exp, log, pow, sin } = Numerics
    const same = (actual: number, expected: number) => expect(Object.is(actual, expected), `${actual} should be ${expected}`).toBe(true)
    // exp
    same(exp(0), 1)
    same(exp(-0), 1)
    same(exp(Infinity), Infinity)
    same(exp(-Infinity), 0)
    same(exp(NaN), NaN)
    // The thresholds: the largest x with a finite e^x and the next double; the smallest x whose
    // e^x rounds to a nonzero double (the smallest subnormal) and the next double below.
    same(exp(709.782712893384), 1.7976931348622732e308)
    same(exp(709.7827128933841), Infinity)
    same(exp(1000), Infinity)
    same(exp(-745.1332191019411), 5e-324)
    same(exp(-745.1332191019412), 0)
    same(exp(-800), 0)
    const subnormal = exp(-720)
    expect(subnormal > 0 && subnormal < 2.2250738585072014e-308).toBe(true)
    same(exp(5e-324), 1)
    // log
    same(log(1), 0)
    same(log(0), -Infinity)
    same(log(-0), -Infinity)
    same(log(-1), NaN)
    same(log(-Infinity), NaN)
    same(log(Infinity), Infinity)
    same(log(NaN), NaN)
    expect(log(5e-324)).toBeCloseTo(-744.4400719213812, 12)
    expect(log(1.7976931348623157e308)).toBeCloseTo(709.782712893384, 12)
    // sin, cos
    same(sin(0), 0)
    same(sin(-0), -0)
    same(sin(5e-324), 5e-324)
    same(sin(-5e-324), -5e-324)
    same(sin(Infinity), NaN)
    same(sin(-Infinity), NaN)
    same(sin(NaN), NaN)
    same(cos(0), 1)
    same(cos(-0), 1)
    same(cos(5e-324), 1)
    same(cos(Infinity), NaN)
    same(cos(NaN), NaN)
    // pow
    same(pow(NaN, 0), 1)
    same(pow(NaN, -0), 1)
    same(pow(1, NaN), 1)
    same(pow(1, Infinity), 1)
    same(pow(NaN, 1), NaN)
    same(pow(2, NaN), NaN)
    same(pow(0, -1), Infinity)
    same(pow(-0, -1), -Infinity)
    same(pow(-0, -2), Infinity)
    same(pow(0, 3), 0)
    same(pow(-0, 3), -0)
    same(pow(-2, 0.5), NaN)
    same(pow(-2, 3), -8)
    same(pow(-1, Infinity), 1)
    same(pow(0.5, Infinity), 0)
    same(pow(2, Infinity), Infinity)
    same(pow(2, -Infinity), 0)
    same(pow(Infinity, -1), 0)
    same(pow(-Infinity, 3), -Infinity)
    same(pow(-Infinity, 2), Infinity)
    same(pow(2, 1023), 8.98846567431158e307)
    same(pow(2, 1024), Infinity)
    same(pow(2, -1074), 5e-324)
    same(pow(2, -1076), 0)
    same(pow(0.95, 0), 1)
  })

  it("computes exactly the numbers it computed when Numerics.version was named (else bump the version)", async () => {
    // A change here means run records made before it no longer replay: give Numerics.version a
    // new name. (test/engines.test.ts checks that Bun, Deno and Chromium compute this too.)
    expect({ version: Numerics.version, results: await fingerprint(functions) }).toEqual({
      version: "wasm-libm-1",
      results: "978ed560db82eb7c27f1b030b3954c26abbc9ef2a1b79fef3a988cce00695761"
    })
  })
})
