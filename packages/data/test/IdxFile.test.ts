import { Gzip, IdxError, IdxFile } from "@descent/data"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { chunked, folder, images } from "./fixtures.js"

const raw = images(6)
const dir = folder({
  "a-idx3-ubyte": raw,
  "a-idx3-ubyte.gz": gzipSync(raw),
  "gzip-without-the-name": gzipSync(raw),
  "broken.gz": gzipSync(raw).subarray(0, 30)
})

describe("Gzip", () => {
  it("is recognised by its magic bytes", () => {
    expect(Gzip.isGzip(gzipSync(raw))).toBe(true)
    expect(Gzip.isGzip(raw)).toBe(false)
    expect(Gzip.isGzip(Uint8Array.from([0x1f]))).toBe(false)
  })

  it.effect("decompresses a gzip stream fed 1 byte at a time, and passes raw bytes through", () =>
    Effect.gen(function* () {
      for (const input of [gzipSync(raw), raw]) {
        for (const chunk of [1, 3, 1000]) {
          const out = yield* Stream.runCollect(Gzip.gunzipIfCompressed(chunked(input, chunk), "x"))
          expect(Buffer.concat(Chunk.toReadonlyArray(out))).toEqual(Buffer.from(raw))
        }
      }
    }))

  it.effect("fails with CorruptGzip on damaged data", () =>
    Effect.gen(function* () {
      const damaged = gzipSync(raw)
      damaged[damaged.length - 6]! ^= 0xff // inside the CRC-32 trailer
      const error = yield* Effect.flip(Stream.runDrain(Gzip.gunzipIfCompressed(chunked(damaged, 8), "d.gz")))
      expect(error).toBeInstanceOf(IdxError)
      expect((error as IdxError).reason).toBe("CorruptGzip")
    }))
})

layer(NodeFileSystem.layer)("IdxFile", (it) => {
  it.effect("reads raw and gzipped files, whatever they are called, to the same tensor and fingerprint", () =>
    Effect.gen(function* () {
      const plain = yield* IdxFile.read(join(dir, "a-idx3-ubyte"))
      const gz = yield* IdxFile.read(join(dir, "a-idx3-ubyte.gz"))
      const unnamed = yield* IdxFile.read(join(dir, "gzip-without-the-name"))
      expect(plain.tensor.dims).toEqual([6, 4, 3])
      for (const other of [gz, unnamed]) {
        expect([...other.tensor.values]).toEqual([...plain.tensor.values])
        expect(other.sha256).toBe(plain.sha256)
      }
      expect(plain.sha256).toBe(createHash("sha256").update(raw).digest("hex"))
    }))

  it.effect("streams records from a gzipped file", () =>
    Effect.gen(function* () {
      const records = yield* Stream.runCollect(IdxFile.records(join(dir, "a-idx3-ubyte.gz")))
      expect(Chunk.size(records)).toBe(6)
    }))

  it.effect("a missing file, a folder, and a cut gzip each fail with their reason and the path", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.flip(IdxFile.read(join(dir, "nope")))
      expect(missing.reason).toBe("Missing")
      expect(missing.message).toContain(join(dir, "nope"))
      const folderError = yield* Effect.flip(IdxFile.read(dir))
      expect(folderError.reason).toBe("Unreadable")
      const cut = yield* Effect.flip(IdxFile.read(join(dir, "broken.gz")))
      expect(cut.reason).toBe("CorruptGzip")
      expect(cut.message).toMatch(/broken\.gz: the gzip data is corrupted/)
    }))
})
