import { Augment, Dataset, Numerics, Rng } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { snapshot, sparseImages } from "./fixtures.js"

// Digit-like images: a ring of ink (an "0") of `rows` × `cols`, centred at (cx, cy), and a bar
// (a "1") — thick strokes with soft edges, as MNIST's are.
const ring = (rows: number, cols: number, cx: number, cy: number, radius: number): Uint8Array =>
  Uint8Array.from({ length: rows * cols }, (_, p) => {
    const d = Math.abs(Math.hypot((p % cols) - cx, Math.floor(p / cols) - cy) - radius)
    return d < 1 ? 255 : d < 2 ? Math.round(255 * (2 - d)) : 0
  })
const bar = (rows: number, cols: number, x: number): Uint8Array =>
  Uint8Array.from({ length: rows * cols }, (_, p) => {
    const row = Math.floor(p / cols)
    return row >= 3 && row < rows - 3 && Math.abs((p % cols) - x) <= 1 ? 200 : 0
  })

// Six 16×14 images: rings and bars, one of them touching the edge, one blank.
const digits = (() => {
  const rows = 16
  const cols = 14
  const images = [ring(rows, cols, 6.5, 7.5, 4), bar(rows, cols, 7), ring(rows, cols, 5, 8, 5.5), bar(rows, cols, 1), new Uint8Array(rows * cols), ring(rows, cols, 0, 0, 6)]
  const pixels = new Uint8Array(images.length * rows * cols)
  images.forEach((image, i) => pixels.set(image, i * rows * cols))
  return Dataset.make({ rows, cols, pixels, labels: Uint8Array.from(images, (_, i) => i % 10) })
})()

const imageOf = (data: Dataset.Dataset, i: number): Uint8Array => {
  const size = data.rows * data.cols
  return Uint8Array.from({ length: size }, (_, k) => data.pixels[i * size + k]!)
}

const hex = async (bytes: ArrayLike<number>): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", Uint8Array.from(bytes)))
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")
}

// An independent reference: the same inverse map written out directly — the engine's own
// Math.cos and Math.sin, Math.floor, bounds checked at every read, Math.round.
const reference = (pixels: ArrayLike<number>, rows: number, cols: number, affine: Augment.Affine, field?: Augment.Field): Uint8Array => {
  const theta = (affine.rotation * Math.PI) / 180
  const cx = (cols - 1) / 2
  const cy = (rows - 1) / 2
  const at = (x: number, y: number) => (x >= 0 && x < cols && y >= 0 && y < rows ? pixels[y * cols + x]! : 0)
  const out = new Uint8Array(rows * cols)
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const u = x - cx - affine.shiftX
      const v = y - cy - affine.shiftY
      const dx = field?.displacements[2 * (y * cols + x)] ?? 0
      const dy = field?.displacements[2 * (y * cols + x) + 1] ?? 0
      const px = cx + (Math.cos(theta) * u + Math.sin(theta) * v) / affine.scale + dx
      const py = cy + (-Math.sin(theta) * u + Math.cos(theta) * v) / affine.scale + dy
      const x0 = Math.floor(px)
      const y0 = Math.floor(py)
      const fx = px - x0
      const fy = py - y0
      const value = (1 - fx) * (1 - fy) * at(x0, y0) + fx * (1 - fy) * at(x0 + 1, y0) + (1 - fx) * fy * at(x0, y0 + 1) + fx * fy * at(x0 + 1, y0 + 1)
      out[y * cols + x] = Math.round(value)
    }
  }
  return out
}

// A 5×4 image whose every pixel differs, to see where each one goes.
const numbered = Uint8Array.from({ length: 20 }, (_, p) => 10 + p)

describe("Augment.warp", () => {
  it("moves nothing under the identity", () => {
    for (let i = 0; i < digits.count; i++) {
      const image = imageOf(digits, i)
      expect([...Augment.warp(image, digits.rows, digits.cols, Augment.identity)]).toEqual([...image])
    }
    expect([...Augment.warp(numbered, 5, 4, Augment.identity)]).toEqual([...numbered])
  })

  it("a shift by one whole pixel moves the image by exactly one pixel", () => {
    const right = Augment.warp(numbered, 5, 4, { ...Augment.identity, shiftX: 1 })
    const down = Augment.warp(numbered, 5, 4, { ...Augment.identity, shiftY: 1 })
    const up = Augment.warp(numbered, 5, 4, { ...Augment.identity, shiftY: -1 })
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 4; x++) {
        expect(right[y * 4 + x]).toBe(x === 0 ? 0 : numbered[y * 4 + x - 1])
        expect(down[y * 4 + x]).toBe(y === 0 ? 0 : numbered[(y - 1) * 4 + x])
        expect(up[y * 4 + x]).toBe(y === 4 ? 0 : numbered[(y + 1) * 4 + x])
      }
    }
    // A field that moves every source point one pixel left is the same shift.
    const left = { rows: 5, cols: 4, displacements: Float64Array.from({ length: 40 }, (_, k) => (k % 2 === 0 ? -1 : 0)) }
    expect([...Augment.warp(numbered, 5, 4, Augment.identity, left)]).toEqual([...right])
  })

  it("turns 180° into the image upside down and back to front, and 90° clockwise", () => {
    const half = Augment.warp(numbered, 5, 4, { ...Augment.identity, rotation: 180 })
    expect([...half]).toEqual([...numbered].reverse())
    const square = Uint8Array.from({ length: 25 }, (_, p) => 1 + p)
    const quarter = Augment.warp(square, 5, 5, { ...Augment.identity, rotation: 90 })
    // Clockwise: the left column becomes the top row, read from the bottom up.
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) expect(quarter[y * 5 + x]).toBe(square[(4 - x) * 5 + y])
  })

  it("scales about the centre: doubled, the centre pixel stays and its neighbour comes from half as far", () => {
    const image = Uint8Array.from({ length: 49 }, (_, p) => 3 * p)
    const big = Augment.warp(image, 7, 7, { ...Augment.identity, scale: 2 })
    expect(big[3 * 7 + 3]).toBe(image[3 * 7 + 3])
    // Output (5, 3) shows the source point (4, 3): two pixels from the centre become one.
    expect(big[3 * 7 + 5]).toBe(image[3 * 7 + 4])
    expect(big[3 * 7 + 4]).toBe(Math.round((image[3 * 7 + 3]! + image[3 * 7 + 4]!) / 2))
  })

  it("interpolates bilinearly between pixels and reads outside the image as background", () => {
    const image = Uint8Array.from([0, 100, 200, 50])
    // Half a pixel right: each pixel is the mean of itself and its left neighbour (0 outside).
    expect([...Augment.warp(image, 2, 2, { ...Augment.identity, shiftX: 0.5 })]).toEqual([0, 50, 100, 125])
  })

  it("keeps a fully inked image fully inked where every pixel read is inside: no byte wraps past 255", () => {
    const full = new Uint8Array(144).fill(255)
    const [field] = Augment.field(Rng.make(4), 12, 12, { ...Augment.defaults, alpha: 3 })
    const out = Augment.warp(full, 12, 12, { shiftX: 0.3, shiftY: -0.2, rotation: 7, scale: 0.8 }, field)
    const ref = reference(full, 12, 12, { shiftX: 0.3, shiftY: -0.2, rotation: 7, scale: 0.8 }, field)
    expect(out.filter((v) => v === 255).length).toBeGreaterThan(30)
    for (let p = 0; p < 144; p++) expect(Math.abs(out[p]! - ref[p]!)).toBeLessThanOrEqual(1)
  })

  it.prop(
    "agrees with a direct implementation within one grey level, for any image, map and field",
    {
      seed: fc.integer({ min: 0, max: 1_000_000 }),
      rows: fc.integer({ min: 1, max: 12 }),
      cols: fc.integer({ min: 1, max: 12 }),
      shiftX: fc.double({ min: -4, max: 4, noNaN: true }),
      shiftY: fc.double({ min: -4, max: 4, noNaN: true }),
      rotation: fc.double({ min: -180, max: 180, noNaN: true }),
      scale: fc.double({ min: 0.5, max: 1.5, noNaN: true }),
      alpha: fc.constantFrom(0, 2, 30)
    },
    ({ alpha, cols, rotation, rows, scale, seed, shiftX, shiftY }) => {
      const image = imageOf(sparseImages(seed, 1, Math.max(rows, cols)), 0).subarray(0, rows * cols)
      const [field] = Augment.field(Rng.make(seed), rows, cols, { ...Augment.defaults, alpha, sigma: 2 })
      const affine = { shiftX, shiftY, rotation, scale }
      const out = Augment.warp(image, rows, cols, affine, field)
      const ref = reference(image, rows, cols, affine, field)
      for (let p = 0; p < rows * cols; p++) expect(Math.abs(out[p]! - ref[p]!)).toBeLessThanOrEqual(1)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("refuses images, fields and maps that do not fit", () => {
    expect(() => Augment.warp(numbered, 4, 4, Augment.identity)).toThrow(/an image of 4×4 has 16 pixels, got 20/)
    const field = { rows: 4, cols: 5, displacements: new Float64Array(40) }
    expect(() => Augment.warp(numbered, 5, 4, Augment.identity, field)).toThrow(/a field of 4×5 cannot move an image of 5×4/)
    expect(() => Augment.warp(numbered, 5, 4, { ...Augment.identity, scale: 0 })).toThrow(/scale above 0/)
    // A field wrong in one dimension only is refused as well.
    expect(() => Augment.warp(numbered, 5, 4, Augment.identity, { rows: 4, cols: 4, displacements: new Float64Array(32) })).toThrow("a field of 4×4 cannot move an image of 5×4")
    expect(() => Augment.warp(numbered, 5, 4, Augment.identity, { rows: 5, cols: 5, displacements: new Float64Array(50) })).toThrow("a field of 5×5 cannot move an image of 5×4")
    // Any one of the shifts and the rotation not finite is refused, the others finite.
    expect(() => Augment.warp(numbered, 5, 4, { ...Augment.identity, shiftY: Number.NaN })).toThrow(
      'an affine map needs finite shifts and rotation and a scale above 0, got {"shiftX":0,"shiftY":null,"rotation":0,"scale":1}'
    )
  })

  it("a dot anywhere, moved half a pixel diagonally, spreads a quarter of its ink onto each of four pixels — at the edges too", () => {
    // At half-pixel shifts every bilinear weight is ¼, so the direct implementation is exact
    // here. Dots on each edge and in each corner are where the ink's bounding box decides
    // whether the image is read through a border of background.
    for (let p = 0; p < 20; p++) {
      const dot = new Uint8Array(20)
      dot[p] = 200
      for (const [shiftX, shiftY] of [[0.5, 0.5], [-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5]] as const) {
        const affine = { ...Augment.identity, shiftX, shiftY }
        const out = Augment.warp(dot, 5, 4, affine)
        expect([...out]).toEqual([...reference(dot, 5, 4, affine)])
        expect(out.filter((v) => v === 50).length).toBeGreaterThanOrEqual(1)
      }
    }
  })
})

describe("Augment.field", () => {
  it("is Simard's: uniform noise smoothed by G_σ and scaled by α — its spread and its correlation over distance", () => {
    const sigma = 4
    const alpha = 30
    const side = 512
    const [field, next] = Augment.field(Rng.make(11), side, side, { ...Augment.defaults, alpha, sigma })
    expect(Rng.equals(next, Rng.make(11))).toBe(false)
    // U is uniform in [−1, 1), variance 1/3; the 2-D kernel w_i·w_j has Σ (w_i w_j)² = (Σ w_i²)².
    const r = Math.ceil(3 * sigma)
    const w = Array.from({ length: 2 * r + 1 }, (_, j) => Math.exp(-((j - r) ** 2) / (2 * sigma * sigma)))
    const total = w.reduce((s, x) => s + x, 0)
    const expectedSd = (alpha * w.reduce((s, x) => s + (x / total) ** 2, 0)) / Math.sqrt(3)
    const component = (k: number) => Float64Array.from({ length: side * side }, (_, p) => field.displacements[2 * p + k]!)
    const mean = (xs: Float64Array) => xs.reduce((s, x) => s + x, 0) / xs.length
    const dx = component(0)
    const dy = component(1)
    for (const c of [dx, dy]) {
      const m = mean(c)
      const sd = Math.sqrt(mean(c.map((x) => (x - m) ** 2)))
      expect(Math.abs(m)).toBeLessThan(0.1 * expectedSd)
      expect(sd / expectedSd).toBeGreaterThan(0.9)
      expect(sd / expectedSd).toBeLessThan(1.1)
    }
    // Smoothed white noise is correlated as G_σ ∗ G_σ = G_σ√2: at a distance h, e^(−h²/4σ²).
    const correlation = (a: Float64Array, b: Float64Array, shift: number) => {
      let sab = 0
      let saa = 0
      let sbb = 0
      for (let y = 0; y < side; y++) {
        for (let x = 0; x + shift < side; x++) {
          const u = a[y * side + x]!
          const v = b[y * side + x + shift]!
          sab += u * v
          saa += u * u
          sbb += v * v
        }
      }
      return sab / Math.sqrt(saa * sbb)
    }
    expect(correlation(dx, dx, 8)).toBeCloseTo(Math.exp(-1), 1)
    expect(correlation(dy, dy, 4)).toBeCloseTo(Math.exp(-0.25), 1)
    expect(Math.abs(correlation(dx, dy, 0))).toBeLessThan(0.05)
  })

  it("is exactly its noise smoothed along rows, then down columns, by G_σ's weights (α carried by the second)", () => {
    const rows = 3
    const cols = 4
    const sigma = 1
    const alpha = 5
    const r = 3 // ⌈3σ⌉
    const noiseCols = cols + 2 * r
    const [noise] = Rng.uniforms(Rng.make(12), 2 * (rows + 2 * r) * noiseCols)
    const u = (y: number, x: number, k: number) => 2 * noise[2 * (y * noiseCols + x) + k]! - 1
    const weights = (total: number) => {
      const w = Array.from({ length: 2 * r + 1 }, (_, j) => Numerics.exp(-((j - r) * (j - r)) / (2 * sigma * sigma)))
      const sum = w.reduce((s, x) => s + x, 0)
      return w.map((x) => (x / sum) * total)
    }
    const along = weights(1)
    const across = weights(alpha)
    const smoothed = (y: number, x: number, k: number) => along.reduce((s, w, j) => s + w * u(y, x + j, k), 0)
    const [field] = Augment.field(Rng.make(12), rows, cols, { ...Augment.defaults, alpha, sigma })
    const expected = Array.from({ length: 2 * rows * cols }, (_, i) => {
      const k = i % 2
      const x = ((i - k) / 2) % cols
      const y = Math.floor(i / (2 * cols))
      return across.reduce((s, w, j) => s + w * smoothed(y + j, x, k), 0)
    })
    expect([...field.displacements]).toEqual(expected)
  })

  it("refuses options it cannot use", () => {
    expect(() => Augment.field(Rng.make(1), 4, 4, { ...Augment.defaults, sigma: -2 })).toThrow("an elastic σ of -2: give a number of pixels above 0 and at most 100")
  })

  it("is zero with α = 0, and draws nothing", () => {
    const [field, next] = Augment.field(Rng.make(2), 6, 5, { ...Augment.defaults, alpha: 0 })
    expect([...field.displacements]).toEqual(new Array(60).fill(0))
    expect(Rng.equals(next, Rng.make(2))).toBe(true)
  })
})

describe("Augment.dataset", () => {
  it("is a function of the dataset, the generator and the options: same seed, same bytes; another seed, other bytes", () => {
    const [a, nextA] = Augment.dataset(digits, Rng.make(1))
    const [b, nextB] = Augment.dataset(digits, Rng.make(1))
    const [c] = Augment.dataset(digits, Rng.make(2))
    expect([...a.pixels]).toEqual([...b.pixels])
    expect(Rng.equals(nextA, nextB)).toBe(true)
    expect([...c.pixels]).not.toEqual([...a.pixels])
  })

  it("changes the images, not the labels, count or size, and never writes to the dataset it is given", () => {
    const own = Dataset.make({ rows: digits.rows, cols: digits.cols, pixels: Uint8Array.from(digits.pixels), labels: Uint8Array.from(digits.labels) })
    const before = snapshot(own.pixels)
    const [out] = Augment.dataset(own, Rng.make(3))
    expect([out.count, out.rows, out.cols]).toEqual([digits.count, digits.rows, digits.cols])
    expect([...out.labels]).toEqual([...digits.labels])
    expect([...own.pixels]).toEqual([...before])
    // Every image with ink is moved; the blank one stays blank.
    for (let i = 0; i < digits.count; i++) {
      const moved = imageOf(out, i).some((v, k) => v !== digits.pixels[i * digits.rows * digits.cols + k])
      expect(moved).toBe(i !== 4)
    }
    expect(imageOf(out, 4).every((v) => v === 0)).toBe(true)
  })

  it("advances the generator: the next epoch, drawn with it, is augmented otherwise", () => {
    const rng = Rng.make(5)
    const [first, next] = Augment.dataset(digits, rng)
    expect(Rng.equals(next, rng)).toBe(false)
    const [second] = Augment.dataset(digits, next)
    expect([...second.pixels]).not.toEqual([...first.pixels])
    // Even with nothing to change, each image's draws are spent.
    expect(Rng.equals(Augment.dataset(digits, rng, Augment.none)[1], rng)).toBe(false)
  })

  it("gives two copies of one image different distortions", () => {
    const image = imageOf(digits, 0)
    const twice = Dataset.make({ rows: digits.rows, cols: digits.cols, pixels: Uint8Array.from([...image, ...image]), labels: Uint8Array.from([0, 0]) })
    const [out] = Augment.dataset(twice, Rng.make(6))
    expect([...imageOf(out, 0)]).not.toEqual([...imageOf(out, 1)])
  })

  it("with every magnitude zero, gives back every image byte for byte", () => {
    const [out] = Augment.dataset(digits, Rng.make(7), Augment.none)
    expect([...out.pixels]).toEqual([...digits.pixels])
    const noisy = sparseImages(8, 20, 9)
    expect([...Augment.dataset(noisy, Rng.make(8), Augment.none)[0].pixels]).toEqual([...noisy.pixels])
  })

  it("scaled: every magnitude times the strength, σ kept; strength 1 is the options, and a gentler strength moves pixels less", () => {
    expect(Augment.scaled(0.5)).toEqual({ maxShift: 1, maxRotation: 5, maxScale: 0.05, alpha: 12, sigma: 4 })
    expect(Augment.scaled(1)).toEqual(Augment.defaults)
    expect(Augment.scaled(0)).toEqual(Augment.none)
    const changed = (strength: number) => {
      const [out] = Augment.dataset(digits, Rng.make(9), Augment.scaled(strength))
      return Array.from(out.pixels).reduce((sum, p, i) => sum + Math.abs(p - digits.pixels[i]!), 0)
    }
    expect(changed(0.25)).toBeLessThan(changed(1))
  })

  it("draws six uniforms per image, then the canvas its fields are windows of (16 images wide and high)", () => {
    const rng = Rng.make(9)
    const options = { ...Augment.defaults, maxShift: 3 }
    const [out] = Augment.dataset(digits, rng, options)
    const [draws, after] = Rng.uniforms(rng, 6 * digits.count)
    const side = 16 * Math.max(digits.rows, digits.cols)
    const [canvas] = Augment.field(after, side, side, options)
    for (let i = 0; i < digits.count; i++) {
      const u = (k: number) => draws[6 * i + k]!
      const affine = { shiftX: (2 * u(0) - 1) * 3, shiftY: (2 * u(1) - 1) * 3, rotation: (2 * u(2) - 1) * 10, scale: 1 + (2 * u(3) - 1) * 0.1 }
      const left = Math.floor(u(4) * (side - digits.cols + 1))
      const top = Math.floor(u(5) * (side - digits.rows + 1))
      const window = new Float64Array(2 * digits.rows * digits.cols)
      for (let y = 0; y < digits.rows; y++) {
        window.set((canvas.displacements as Float64Array).subarray(2 * ((top + y) * side + left), 2 * ((top + y) * side + left + digits.cols)), 2 * y * digits.cols)
      }
      const expected = Augment.warp(imageOf(digits, i), digits.rows, digits.cols, affine, { rows: digits.rows, cols: digits.cols, displacements: window })
      expect([...imageOf(out, i)]).toEqual([...expected])
    }
  })

  it("writes into the buffer it is given, and refuses one of the wrong size or one that is the dataset's own", () => {
    const into = new Uint8Array(digits.pixels.length).fill(77)
    const [out, next] = Augment.dataset(digits, Rng.make(10), Augment.defaults, into)
    expect(out.pixels).toBe(into)
    const [fresh, freshNext] = Augment.dataset(digits, Rng.make(10))
    expect([...into]).toEqual([...fresh.pixels])
    expect(Rng.equals(next, freshNext)).toBe(true)
    expect(() => Augment.dataset(digits, Rng.make(10), Augment.defaults, new Uint8Array(5))).toThrow(/into holds 5 bytes; 6 images of 16×14 need 1344/)
    expect(() => Augment.dataset(digits, Rng.make(10), Augment.defaults, digits.pixels as Uint8Array)).toThrow(/shares memory/)
  })

  it("takes a buffer next to the dataset's pixels in the same memory, before or after them, but not one that overlaps them", () => {
    const size = digits.pixels.length
    const memory = new Uint8Array(2 * size + 1)
    const [expected] = Augment.dataset(digits, Rng.make(10))
    for (const [pixelsAt, intoAt] of [[0, size], [size, 0]] as const) {
      const pixels = memory.subarray(pixelsAt, pixelsAt + size)
      pixels.set(digits.pixels)
      const into = memory.subarray(intoAt, intoAt + size)
      const [out] = Augment.dataset({ ...digits, pixels }, Rng.make(10), Augment.defaults, into)
      expect([...out.pixels]).toEqual([...expected.pixels])
    }
    const shared = memory.subarray(1, size + 1)
    expect(() => Augment.dataset({ ...digits, pixels: memory.subarray(0, size) }, Rng.make(10), Augment.defaults, shared)).toThrow(
      "into shares memory with the dataset's own pixels: give a separate buffer"
    )
  })

  it("refuses options it cannot use, saying which", () => {
    expect(Augment.check(Augment.defaults)).toBeUndefined()
    expect(Augment.check(Augment.none)).toBeUndefined()
    expect(Augment.check({ ...Augment.defaults, maxScale: 1 })).toMatch(/maximum scaling of 1/)
    expect(Augment.check({ ...Augment.defaults, maxShift: -1 })).toMatch(/maximum shift of -1 pixels/)
    expect(Augment.check({ ...Augment.defaults, maxRotation: 270 })).toMatch(/from 0 to 180/)
    expect(Augment.check({ ...Augment.defaults, alpha: Number.NaN })).toMatch(/elastic α/)
    expect(Augment.check({ ...Augment.defaults, sigma: 0 })).toMatch(/elastic σ of 0/)
    expect(() => Augment.dataset(digits, Rng.make(1), { ...Augment.defaults, sigma: -2 })).toThrow("an elastic σ of -2: give a number of pixels above 0 and at most 100")
    // The ends of the ranges: a half turn either way and σ = 100 are allowed, just beyond them not.
    expect(Augment.check({ ...Augment.defaults, maxRotation: 180 })).toBeUndefined()
    expect(Augment.check({ ...Augment.defaults, sigma: 100 })).toBeUndefined()
    expect(Augment.check({ ...Augment.defaults, sigma: 100.5 })).toBe("an elastic σ of 100.5: give a number of pixels above 0 and at most 100")
  })

  it("says how much memory it works in", () => {
    // MNIST: 60,000 images' draws and a 448 × 448 canvas with its noise and smoothing.
    expect(Augment.memory(60_000, 28, 28) / 2 ** 20).toBeGreaterThan(10)
    expect(Augment.memory(60_000, 28, 28) / 2 ** 20).toBeLessThan(20)
    expect(Augment.memory(60_000, 28, 28, Augment.none)).toBeLessThan(Augment.memory(60_000, 28, 28))
    // Exactly: 6 draws of 8 bytes per image; with α = 0 a canvas of zeros (dx, dy) as large as
    // the larger side squared; otherwise a canvas 16 images wide (side 16·max(rows, cols)), its
    // noise reaching 3σ beyond it on each side and its noise smoothed along rows.
    const draws = 8 * 6 * 10
    expect(Augment.memory(10, 5, 3, Augment.none)).toBe(draws + 16 * 5 * 5)
    const side = 16 * 5
    const reach = side + 2 * 12 // ⌈3σ⌉ = 12 for σ = 4
    expect(Augment.memory(10, 5, 3)).toBe(draws + 16 * (reach * reach + reach * side + side * side))
  })

  // The exact bits: any change to what is drawn, the kernel, the interpolation or the rounding
  // changes these, and then every augmented run recorded before it no longer replays.
  it("fingerprint: the same bytes as ever for a fixed dataset and seed", async () => {
    const [first, next] = Augment.dataset(digits, Rng.make(2026))
    const [second] = Augment.dataset(digits, next)
    const [noisy] = Augment.dataset(sparseImages(3, 40, 10), Rng.make(3), { maxShift: 1.5, maxRotation: 30, maxScale: 0.2, alpha: 8, sigma: 2 })
    expect({ first: await hex(first.pixels), second: await hex(second.pixels), noisy: await hex(noisy.pixels) }).toEqual({
      first: "291e3ae2e1d96f1e0ce91876520c9203fa608b46f7f76f39d306a3c6f36d121f",
      second: "2ff2e7c2cd1ebe8d9858879db15f96514dcdf5506571fbd0bfb843aa8df751d4",
      noisy: "567b6972bf242a60a5d42cca7e0855947bcc175bc82e3831d96dfdd62a4adeaf"
    })
  })
})
