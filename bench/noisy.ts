/**
 * MNIST with noise on every pixel, for the benchmarks' `noisy` configurations: images with almost
 * no zero pixels, where skipping zeros saves nothing (the sparse path's worst case).
 */
import { Dataset } from "@descent/core"

/** Each pixel plus 1 to 64, from a fixed hash of its position (the same every run), capped at 255. */
export const noisy = (set: Dataset.Dataset): Dataset.Dataset => {
  const pixels = new Uint8Array(set.pixels.length)
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(255, set.pixels[i]! + 1 + ((Math.imul(i + 1, 2654435761) >>> 24) & 63))
  return Dataset.make({ rows: set.rows, cols: set.cols, labels: set.labels, pixels })
}
