// Small random problems for the tests, all drawn from explicit seeds.
import { Batches, Dataset, Rng } from "@descent/core"

/** A batch of `m` examples with `inputSize` activations uniform in [0, 1) and labels below `classes`. */
export const randomBatch = (seed: number, inputSize: number, m: number, classes: number): Batches.Batch => {
  const [inputs, next] = Rng.uniforms(Rng.make(seed), m * inputSize)
  const [draws] = Rng.uniforms(next, m)
  const labels = Uint8Array.from(draws, (u) => Math.floor(u * classes))
  return { size: m, inputSize, inputs, labels }
}

/**
 * A dataset a small network can learn: 4×4 images, each mostly dark with one bright 2×2
 * quadrant; the label is the quadrant (0–3). Pixel noise is drawn from the seed.
 */
export const quadrants = (seed: number, count: number): Dataset.Dataset => {
  const [noise] = Rng.uniforms(Rng.make(seed), count * 17)
  const pixels = new Uint8Array(count * 16)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const label = Math.floor(noise[i * 17 + 16]! * 4)
    labels[i] = label
    for (let p = 0; p < 16; p++) {
      const row = Math.floor(p / 4)
      const col = p % 4
      const quadrant = (row < 2 ? 0 : 2) + (col < 2 ? 0 : 1)
      const base = quadrant === label ? 180 : 0
      pixels[i * 16 + p] = base + Math.floor(noise[i * 17 + p]! * 75)
    }
  }
  return Dataset.make({ rows: 4, cols: 4, pixels, labels })
}

/** A copy of a vector's bytes, to check later that nothing wrote to it. */
export const snapshot = (v: ArrayLike<number>): Float64Array => Float64Array.from(v)

/** Images that are mostly background, like MNIST: each pixel is 0 with probability 0.7. */
/**
 * Images of which some (about 60%) have no zero pixel at all, as noisy images, and the rest are
 * sparse: two dense images in a row, a dense one beside a sparse one, and runs of each.
 */
export const mixedImages = (seed: number, count: number, side: number): Dataset.Dataset => {
  const n = side * side
  const [draws] = Rng.uniforms(Rng.make(seed), count * n * 2 + 2 * count)
  const pixels = new Uint8Array(count * n)
  for (let e = 0; e < count; e++) {
    const dense = draws[2 * count * n + count + e]! < 0.6
    for (let k = 0; k < n; k++) {
      const i = e * n + k
      pixels[i] = dense ? 1 + Math.floor(draws[2 * i + 1]! * 255) : draws[2 * i]! < 0.7 ? 0 : Math.floor(draws[2 * i + 1]! * 256)
    }
  }
  const labels = Uint8Array.from({ length: count }, (_, e) => Math.floor(draws[2 * count * n + e]! * 10))
  return Dataset.make({ rows: side, cols: side, pixels, labels })
}

export const sparseImages = (seed: number, count: number, side: number): Dataset.Dataset => {
  const [draws] = Rng.uniforms(Rng.make(seed), count * side * side * 2 + count)
  const pixels = new Uint8Array(count * side * side)
  for (let i = 0; i < pixels.length; i++) pixels[i] = draws[2 * i]! < 0.7 ? 0 : Math.floor(draws[2 * i + 1]! * 256)
  const labels = Uint8Array.from({ length: count }, (_, i) => Math.floor(draws[2 * pixels.length + i]! * 10))
  return Dataset.make({ rows: side, cols: side, pixels, labels })
}
