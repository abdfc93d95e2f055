// Hand-made IDX files for the tests: tiny, built byte by byte or with `Idx.encode`; and ways
// to watch how much of a stream or a file is read.
import { Idx } from "@descent/data"
import { pure, Sha256 } from "@descent/data/Sha256"
import { SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect, Layer, Option, Stream } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"

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

/** A labels file whose header claims 2³¹−1 labels, followed by `zeros` bytes of zeros, gzipped. */
export const labelBomb = (zeros: number): Uint8Array =>
  gzipSync(Buffer.concat([Uint8Array.from([0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff]), new Uint8Array(zeros)]))

/** `stream`, with a count of the bytes pulled from it so far. */
export const counted = <E, R>(stream: Stream.Stream<Uint8Array, E, R>) => {
  const pulled = { bytes: 0 }
  return { pulled, stream: Stream.tap(stream, (chunk) => Effect.sync(() => void (pulled.bytes += chunk.length))) }
}

/**
 * SHA-256 that counts the bytes each hasher is given: hashers are made one per file, in the
 * order the files are opened, and every decoded byte that is pulled is hashed — so `bytes[i]`
 * is how much of the i-th file's decoded data was read.
 */
export const countingSha256 = () => {
  const bytes: Array<number> = []
  const layer = Layer.succeed(Sha256, {
    make: () => {
      const index = bytes.push(0) - 1
      const hash = pure()
      return { update: (chunk) => void ((bytes[index]! += chunk.length), hash.update(chunk)), hex: hash.hex }
    }
  })
  return { bytes, layer }
}

/**
 * Node's file system, watched and made to refuse: bytes read through each opened file are
 * counted by path, and `stat` or `open` of a path `refuse` picks fails as a system refuses
 * someone without permission (the tests run as root, whom permissions do not stop).
 */
export const watchedFileSystem = (refuse: (method: "stat" | "open", path: string) => boolean = () => false) => {
  const read = new Map<string, number>()
  const denied = (method: "stat" | "open", path: string) =>
    new SystemError({ reason: "PermissionDenied", module: "FileSystem", method, pathOrDescriptor: path, description: "permission denied" })
  const counting = (file: FileSystem.File, path: string): FileSystem.File => {
    const add = (n: number) => Effect.sync(() => void read.set(path, (read.get(path) ?? 0) + n))
    return new Proxy(file, {
      get: (target, key) => {
        if (key === "read") return (buffer: Uint8Array) => Effect.tap(target.read(buffer), (size) => add(Number(size)))
        if (key === "readAlloc") {
          return (size: FileSystem.SizeInput) =>
            Effect.tap(target.readAlloc(size), (chunk) => add(Option.match(chunk, { onNone: () => 0, onSome: (c) => c.length })))
        }
        const value: unknown = Reflect.get(target, key, target)
        return typeof value === "function" ? value.bind(target) : value
      }
    })
  }
  const layer = Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fs): FileSystem.FileSystem => ({
      ...fs,
      stat: (path) => (refuse("stat", path) ? Effect.fail(denied("stat", path)) : fs.stat(path)),
      open: (path, options) =>
        refuse("open", path) ? Effect.fail(denied("open", path)) : Effect.map(fs.open(path, options), (file) => counting(file, path))
    }))
  ).pipe(Layer.provide(NodeFileSystem.layer))
  return { read, layer }
}
