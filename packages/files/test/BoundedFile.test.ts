// Reading a whole file of known size: the kind, size and memory are checked before a byte is
// read, and every refusal names the file and the true cause.
import { Memory } from "@descent/core"
import { BoundedFile } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { join } from "node:path"
import { fileOf, folder } from "./records.js"

describe("BoundedFile.size", () => {
  it("shows bytes in decimal units, GB from 1e9 on", () => {
    expect(BoundedFile.size(999_999_999)).toBe("1000 MB")
    expect(BoundedFile.size(1e9)).toBe("1.0 GB")
    expect(BoundedFile.size(2.54e9)).toBe("2.5 GB")
    expect(BoundedFile.size(600e6)).toBe("600 MB")
    expect(BoundedFile.size(1001)).toBe("2 kB")
  })
})

describe("BoundedFile.read", () => {
  const ten = () => fileOf("model.json", "0123456789")

  it.effect("reads a file of exactly maxBytes, and one within the memory limit", () =>
    Effect.gen(function* () {
      const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
      expect(text(yield* BoundedFile.read(ten(), "model file", { maxBytes: 10 }))).toBe("0123456789")
      // Without a memory estimate, reading takes the bytes alone: 10 bytes fit a limit of 10.
      expect(text(yield* BoundedFile.read(ten(), "model file", { maxBytes: 10, limit: Memory.limit(10) }))).toBe("0123456789")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("refuses a file longer than maxBytes, or one whose bytes go over the memory limit", () =>
    Effect.gen(function* () {
      const path = ten()
      const long = yield* Effect.flip(BoundedFile.read(path, "model file", { maxBytes: 9 }))
      expect(long.message).toBe(`${path}: is 1 kB, more than the 1 kB a model file can be; is it a model file written by descent?`)
      const over = yield* Effect.flip(BoundedFile.read(path, "model file", { maxBytes: 10, limit: Memory.limit(9, "raise it") }))
      expect(over.message).toBe(`${path}: reading this 1 kB model file would need about 10 B of memory, more than the limit of 9 B; raise it`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("says why the file system refused, naming the kind of file", () =>
    Effect.gen(function* () {
      const path = join(folder(), "missing.json")
      const error = yield* Effect.flip(BoundedFile.read(path, "model file", { maxBytes: 10 }))
      expect(error._tag).toBe("FileError")
      expect(error.message).toBe(`${path}: no such file; give the path of a model file`)
    }).pipe(Effect.provide(NodeContext.layer)))
})
