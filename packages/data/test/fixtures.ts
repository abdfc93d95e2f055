// Hand-made IDX files for the tests: tiny, built byte by byte or with `Idx.encode`.
import { Idx } from "@descent/data"
import { Stream } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** `bytes` cut into chunks of `size` (the last one shorter). */
export const chunked = (bytes: Uint8Array, size: number): Stream.Stream<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size))
  return Stream.fromIterable(chunks)
}

/** An images file of `count` images of rows×cols, pixel p of image i = (7i + p) mod 256. */
export const images = (count: number, rows = 4, cols = 3): Uint8Array =>
  Idx.encode({
    type: "u8",
    dims: [count, rows, cols],
    values: Uint8Array.from({ length: count * rows * cols }, (_, i) => (7 * Math.floor(i / (rows * cols)) + (i % (rows * cols))) % 256)
  })

/** A labels file with these labels. */
export const labels = (values: ReadonlyArray<number>): Uint8Array =>
  Idx.encode({ type: "u8", dims: [values.length], values: Uint8Array.from(values) })

/** A fresh temporary folder holding these files. */
export const folder = (files: Record<string, Uint8Array>): string => {
  const dir = mkdtempSync(join(tmpdir(), "descent-data-"))
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes)
  return dir
}
