import { Rng } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"

describe("Rng", () => {
  it("draws the same numbers from the same seed, and other numbers from another", () => {
    const [a] = Rng.uniforms(Rng.make(1), 5)
    const [b] = Rng.uniforms(Rng.make(1), 5)
    const [c] = Rng.uniforms(Rng.make(2), 5)
    expect([...a]).toEqual([...b])
    expect([...a]).not.toEqual([...c])
  })

  it("is a value: drawing does not change the generator it was given", () => {
    const rng = Rng.make(5)
    const [first] = Rng.gaussians(rng, 3)
    const [again] = Rng.gaussians(rng, 3)
    expect([...again]).toEqual([...first])
  })

  it("saves and restores its state through JSON, continuing the same sequence", () => {
    const [, middle] = Rng.uniforms(Rng.make(9), 1000)
    const restored = Rng.fromState(JSON.parse(JSON.stringify(middle.state)))
    expect(Rng.equals(restored, middle)).toBe(true)
    expect([...Rng.uniforms(restored, 10)[0]]).toEqual([...Rng.uniforms(middle, 10)[0]])
  })

  it("mixes small seeds: the first draws of seeds 0–99 look uniform", () => {
    // Unmixed xoroshiro128+ gives ≈ 1.0 as the first float for every small seed.
    const firsts = Array.from({ length: 100 }, (_, seed) => Rng.uniforms(Rng.make(seed), 1)[0][0]!)
    const mean = firsts.reduce((s, u) => s + u, 0) / firsts.length
    expect(mean).toBeGreaterThan(0.4)
    expect(mean).toBeLessThan(0.6)
    expect(firsts.filter((u) => u > 0.9).length).toBeLessThan(25)
  })

  it("gaussians have mean ≈ 0 and variance ≈ 1", () => {
    const [xs] = Rng.gaussians(Rng.make(3), 200_001)
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length
    expect(Math.abs(mean)).toBeLessThan(0.01)
    expect(Math.abs(variance - 1)).toBeLessThan(0.01)
    expect(xs.every(Number.isFinite)).toBe(true)
  })

  it("permutation holds every index exactly once, in a seeded order", () => {
    const [order] = Rng.permutation(Rng.make(4), 1000)
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(1000).keys()])
    expect([...order]).not.toEqual([...Array(1000).keys()])
    expect([...Rng.permutation(Rng.make(4), 1000)[0]]).toEqual([...order])
  })

  it("permutation draws n − 1 numbers: one item needs no draw, and the generator is handed back as it was", () => {
    const rng = Rng.make(4)
    const [order, next] = Rng.permutation(rng, 1)
    expect([...order]).toEqual([0])
    expect(Rng.equals(next, rng)).toBe(true)
  })

  it.prop(
    "gaussians drawn in two goes, the first of an even count, are the ones drawn at once",
    { seed: fc.integer(), pairs: fc.nat(4), rest: fc.nat(7) },
    ({ pairs, rest, seed }) => {
      // Each pair of gaussians takes two uniforms; an even count leaves no half-used pair.
      const rng = Rng.make(seed)
      const [first, middle] = Rng.gaussians(rng, 2 * pairs)
      const [second, after] = Rng.gaussians(middle, rest)
      const [all, end] = Rng.gaussians(rng, 2 * pairs + rest)
      expect([...first, ...second]).toEqual([...all])
      expect(Rng.equals(after, end)).toBe(true)
    }
  )

  it("equals compares every word of the state", () => {
    const [a, b, c, d] = Rng.make(6).state
    expect(Rng.equals(Rng.fromState([a, b, c, d]), Rng.make(6))).toBe(true)
    // Three words alike and one different: another generator.
    expect(Rng.equals(Rng.fromState([a, b, c, d ^ 1]), Rng.make(6))).toBe(false)
  })

  it("is tagged Rng, as its type says", () => {
    expect(Rng.make(1)._tag).toBe("Rng")
    expect(Rng.fromState(Rng.make(1).state)._tag).toBe("Rng")
  })
})
