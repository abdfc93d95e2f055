// The arguments Numerics is measured on, and a fingerprint of its results over them. Shared by
// Numerics.test.ts (accuracy against MPFR) and numericsFingerprint.ts (the same results on
// every engine, run by test/engines.test.ts). Plain JavaScript and Web Crypto only, so it runs
// on Node, Bun, Deno and in a browser.
export const count = 1_000_000

// 64 random bits as two 32-bit words, from a seeded SplitMix32 (the test's own generator: the
// arguments must not change when core's Rng does).
const generator = (seed: number) => {
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}
const words = new Uint32Array(2)
const bitsView = new Float64Array(words.buffer)
/** The double whose bits are (hi, lo), little-endian words. */
const fromBits = (hi: number, lo: number): number => {
  words[0] = lo
  words[1] = hi
  return bitsView[0]!
}
const bitsOf = (x: number): [number, number] => {
  bitsView[0] = x
  return [words[1]!, words[0]!]
}
/** A uniform number in [a, b). */
const uniform = (next: () => number, a: number, b: number) => a + ((next() + next() / 0x100000000) / 0x100000000) * (b - a)
/** A double with random bits: every exponent equally likely, sign as given. */
const anyDouble = (next: () => number, maxExponent: number, negative: boolean) => {
  const exponent = next() % (maxExponent + 1) // biased exponent 0 (subnormal) … maxExponent
  return fromBits(((negative ? 0x80000000 : 0) | (exponent << 20) | (next() & 0xfffff)) >>> 0, next())
}

// The arguments of each function: where it is used, where it is hard, and everywhere.
export type Args = ReadonlyArray<readonly [number, number]>
export const argumentsOf = (name: string): Args => {
  const next = generator(name.length * 7919 + name.charCodeAt(0))
  const out: Array<readonly [number, number]> = []
  for (let i = 0; i < count; i++) {
    const kind = i % 4
    switch (name) {
      case "exp":
        // The whole finite range and beyond it; tiny arguments of every exponent; the sigmoid's.
        out.push([kind === 0 ? uniform(next, -760, 720) : kind === 1 ? anyDouble(next, 0x407, next() % 2 === 0) : uniform(next, -40, 40), 0])
        break
      case "log":
        // Every positive double (subnormals too); near 1, where ln x is near 0; the costs' (0, 1).
        out.push([kind <= 1 ? anyDouble(next, 0x7fe, false) : kind === 2 ? uniform(next, 0.5, 2) : uniform(next, 0, 1), 0])
        break
      case "sin":
      case "cos":
        // Box–Muller's [0, 2π) and the one-subtraction reductions up to ±9π/4; moderate
        // arguments; every finite double (Payne–Hanek reduction).
        out.push([kind === 0 ? uniform(next, -7.1, 7.1) : kind === 1 ? uniform(next, -1e6, 1e6) : anyDouble(next, 0x7fe, next() % 2 === 0), 0])
        break
      case "pow": {
        if (kind === 0) {
          // A decaying learning rate: decay in (0, 1], integer exponents.
          out.push([uniform(next, 0, 1), next() % 1001])
        } else if (kind === 1) {
          // Any positive base, with an exponent that keeps the result near the double range.
          const x = anyDouble(next, 0x7fe, false)
          const [hi] = bitsOf(x)
          const log2 = Math.max(1, Math.abs(((hi >>> 20) & 0x7ff) - 1023))
          out.push([x, uniform(next, -1100 / log2, 1100 / log2)])
        } else if (kind === 2) {
          // Negative bases with integer exponents.
          out.push([-uniform(next, 0, 4), (next() % 201) - 100])
        } else {
          out.push([uniform(next, 0, 10), uniform(next, -50, 50)])
        }
        break
      }
    }
  }
  return out
}

/**
 * The five functions' names, and a function of one or two arguments for each.
 */
export const names = ["exp", "log", "sin", "cos", "pow"] as const
export type Name = (typeof names)[number]
export type Functions = { readonly [K in Name]: (x: number, y: number) => number }

/**
 * SHA-256 of every result of `functions` on the arguments above, as float64 bytes, function by
 * function: equal fingerprints mean equal bits for all 5·10⁶ arguments.
 */
export const fingerprint = async (functions: Functions): Promise<string> => {
  const results = new Float64Array(names.length * count)
  let i = 0
  for (const name of names) {
    const f = functions[name]
    for (const [x, y] of argumentsOf(name)) results[i++] = f(x, y)
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", results))
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")
}
