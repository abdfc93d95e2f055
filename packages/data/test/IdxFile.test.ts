import { Memory } from "@descent/core"
import { Gzip, IdxError, IdxFile } from "@descent/data"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it, layer } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { symlinkSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { chunked, counted, countingSha256, folder, images, labelBomb, watchedFileSystem } from "./fixtures.js"

const raw = images(6)
// 3 MiB of pixels: three of the 1 MiB chunks files are read in.
const large = images(3 * 1024, 32, 32)
const dir = folder({
  "a-idx3-ubyte": raw,
  "a-idx3-ubyte.gz": gzipSync(raw),
  "gzip-without-the-name": gzipSync(raw),
  "broken.gz": gzipSync(raw).subarray(0, 30),
  "large-idx3-ubyte": large,
  "large-idx3-ubyte.gz": gzipSync(large),
  "bomb-idx1-ubyte.gz": labelBomb(8 * 1024 * 1024)
})
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

describe("Gzip", () => {
  it("is recognised by its magic bytes", () => {
    expect(Gzip.isGzip(gzipSync(raw))).toBe(true)
    expect(Gzip.isGzip(raw)).toBe(false)
    expect(Gzip.isGzip(Uint8Array.from([0x1f]))).toBe(false)
    // Both magic bytes, each on its own: 1f without 8b, or 8b without 1f, is not gzip.
    expect(Gzip.isGzip(Uint8Array.from([0x1f, 0x8b]))).toBe(true)
    expect(Gzip.isGzip(Uint8Array.from([0x1f, 0x00, 0x08, 0x00]))).toBe(false)
    expect(Gzip.isGzip(Uint8Array.from([0x1f, 0x8c]))).toBe(false)
    expect(Gzip.isGzip(Uint8Array.from([0x00, 0x8b]))).toBe(false)
    expect(Gzip.isGzip(Uint8Array.from([0x1e, 0x8b]))).toBe(false)
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

  // A source that fails (a file read error, a dropped connection) while the gzip data is being
  // fed in: the decompressor is aborted with that failure, and the stream fails with it as it
  // was, typed, rather than hanging on a decompressor that waits for more or calling it corrupt.
  it.effect("fails with the source's own error when the source fails part-way, before and after the first chunk out", () =>
    Effect.gen(function* () {
      class SourceFailed {
        readonly _tag = "SourceFailed"
      }
      const compressed = gzipSync(large)
      for (const cut of [10, 100_000]) {
        const source = Stream.concat(chunked(compressed.subarray(0, cut), 4096), Stream.fail(new SourceFailed()))
        // (A decompressor never aborted waits for more: the read cannot be interrupted, so the
        // test's own timeout is what fails it.)
        const error = yield* Effect.flip(Stream.runDrain(Gzip.gunzipIfCompressed(source, "s.gz")))
        expect(error, `cut at ${cut}`).toBeInstanceOf(SourceFailed)
      }
    }))

  // The decompressor may hold on to a chunk after its write is accepted; a source that reuses
  // one buffer for every chunk (as a reader with a fixed buffer does) must still decode.
  it.effect("decodes a source that writes every chunk into the same buffer", () =>
    Effect.gen(function* () {
      const compressed = gzipSync(large)
      const buffer = new Uint8Array(1000)
      let at = 0
      const reused = Stream.repeatEffectOption(Effect.suspend(() => {
        if (at >= compressed.length) return Effect.fail(Option.none())
        const piece = compressed.subarray(at, Math.min(compressed.length, at + buffer.length))
        at += piece.length
        buffer.set(piece)
        return Effect.succeed(buffer.subarray(0, piece.length))
      }))
      const out = yield* Stream.runCollect(Gzip.gunzipIfCompressed(reused, "r.gz"))
      expect(sha256(Buffer.concat(Chunk.toReadonlyArray(out)))).toBe(sha256(large))
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
      expect(missing).toMatchObject({ _tag: "IdxError", reason: "Missing" })
      expect(missing.message).toContain(join(dir, "nope"))
      const folderError = yield* Effect.flip(IdxFile.read(dir))
      expect(folderError).toMatchObject({ _tag: "IdxError", reason: "NotAFile" })
      expect(folderError.message).toMatch(/is a folder, not a file/)
      const cut = yield* Effect.flip(IdxFile.read(join(dir, "broken.gz")))
      expect(cut).toMatchObject({ _tag: "IdxError", reason: "CorruptGzip" })
      expect(cut.message).toMatch(/broken\.gz: the gzip data is corrupted/)
    }))
})

describe("IdxFile.open", () => {
  const watched = watchedFileSystem()
  const opened = (name: string) =>
    Effect.gen(function* () {
      const file = yield* IdxFile.open(join(dir, name))
      return { file, readSoFar: watched.read.get(join(dir, name)) ?? 0 }
    })

  it.effect("reads the header from the first chunk only, then the body, and fingerprints it all", () =>
    Effect.gen(function* () {
      for (const name of ["large-idx3-ubyte", "large-idx3-ubyte.gz"]) {
        const { file, readSoFar } = yield* opened(name)
        expect(file.header).toEqual({ type: "u8", dims: [3 * 1024, 32, 32] })
        // The two magic bytes that tell gzip, then one chunk of 1 MiB.
        expect(readSoFar).toBeLessThanOrEqual(2 + 1024 * 1024)
        const read = yield* file.read
        expect(read.tensor.values.length).toBe(3 * 1024 * 1024)
        expect(read.sha256).toBe(sha256(large))
        expect(yield* file.read).toBe(read)
      }
    }).pipe(Effect.scoped, Effect.provide(watched.layer)))

  it.effect("a header claiming 2³¹−1 labels over 8 MiB of zeros is opened without inflating them", () =>
    Effect.gen(function* () {
      const hashed = countingSha256()
      const { file } = yield* opened("bomb-idx1-ubyte.gz").pipe(Effect.provide(hashed.layer))
      expect(file.header.dims).toEqual([2 ** 31 - 1])
      // Every decoded byte pulled is hashed: only the first decompressed chunk was.
      expect(hashed.bytes[0]).toBeGreaterThanOrEqual(8)
      expect(hashed.bytes[0]).toBeLessThan(1024 * 1024)
    }).pipe(Effect.scoped, Effect.provide(watched.layer)))
})

describe("IdxFile memory limit", () => {
  const small = Memory.limit(1024 * 1024, "raise it with --max-memory")

  it.effect("a body over the limit is refused after the header, before it is read", () =>
    Effect.gen(function* () {
      const watched = watchedFileSystem()
      const path = join(dir, "large-idx3-ubyte")
      const error = yield* Effect.flip(IdxFile.read(path, small).pipe(Effect.provide(watched.layer)))
      expect(error).toBeInstanceOf(Memory.MemoryLimitError)
      expect(error.message).toBe(
        `${path}: the 3072×32×32 values of u8 its header describes would need about 5.0 MiB of memory, more than the limit of 1.0 MiB; raise it with --max-memory`
      )
      expect(watched.read.get(path)).toBeLessThanOrEqual(2 + 1024 * 1024)
      // Within the limit, the same file reads.
      expect((yield* IdxFile.read(path, Memory.limit(8 * 1024 * 1024)).pipe(Effect.provide(watched.layer))).sha256).toBe(sha256(large))
    }))

  it.effect("decode checks a stream's body the same way, having pulled only the header's chunk", () =>
    Effect.gen(function* () {
      const { pulled, stream } = counted(Stream.rechunk(chunked(large, 64 * 1024), 1))
      const error = yield* Effect.flip(IdxFile.decode(stream, "large.idx", small))
      expect(error).toMatchObject({ _tag: "MemoryLimitError", source: "large.idx", needed: 3 * 1024 * 1024 + IdxFile.streamMemory })
      expect(pulled.bytes).toBe(64 * 1024)
    }))
})

// What is at a path and not a regular file is refused before it is opened: a named pipe would
// block the open until something writes to it (forever), and /dev/zero would be read without
// end. Each test's timeout is short, so a hang fails it rather than the suite.
describe.skipIf(process.platform === "win32")("IdxFile refuses what is not a regular file", () => {
  const odd = folder({ "a-idx3-ubyte": raw })
  execFileSync("mkfifo", [join(odd, "fifo-idx1-ubyte")])
  symlinkSync("/dev/zero", join(odd, "zero-idx1-ubyte"))
  symlinkSync("loop-b", join(odd, "loop-a"))
  symlinkSync("loop-a", join(odd, "loop-b"))
  symlinkSync("gone-idx1-ubyte", join(odd, "dangling-idx1-ubyte"))
  symlinkSync("a-idx3-ubyte", join(odd, "link-idx3-ubyte"))
  // Each way of reading a path: whole, opened, as bytes, as records.
  const ways = (path: string) => [
    Effect.asVoid(IdxFile.read(path)),
    Effect.asVoid(Effect.scoped(IdxFile.open(path))),
    Stream.runDrain(IdxFile.bytes(path)),
    Stream.runDrain(IdxFile.records(path))
  ]
  const failures = (name: string) =>
    Effect.forEach(ways(join(odd, name)), (way) => Effect.flip(way)).pipe(Effect.provide(NodeFileSystem.layer))

  it.effect("a named pipe fails at once as NotRegular", () =>
    Effect.gen(function* () {
      const path = join(odd, "fifo-idx1-ubyte")
      for (const error of yield* failures("fifo-idx1-ubyte")) {
        expect(error).toMatchObject({ _tag: "IdxError", reason: "NotRegular", path })
        expect(error.message).toBe(`${path}: is not a regular file (a named pipe); put the IDX file itself at this path`)
      }
    }), 5_000)

  it.effect("a symbolic link to /dev/zero fails as NotRegular, naming where it leads", () =>
    Effect.gen(function* () {
      const path = join(odd, "zero-idx1-ubyte")
      for (const error of yield* failures("zero-idx1-ubyte")) {
        expect(error).toMatchObject({ _tag: "IdxError", reason: "NotRegular", path })
        expect(error.message).toBe(
          `${path}: is not a regular file (a character device: the symbolic link leads to /dev/zero); put the IDX file itself at this path`
        )
      }
    }), 5_000)

  it.effect("a symbolic link that loops fails as LinkLoop", () =>
    Effect.gen(function* () {
      const path = join(odd, "loop-a")
      for (const error of yield* failures("loop-a")) {
        expect(error).toMatchObject({ _tag: "IdxError", reason: "LinkLoop", path })
        expect(error.message).toBe(`${path}: is a symbolic link that loops; fix or remove the link`)
      }
    }), 5_000)

  it.effect("a symbolic link to nothing fails as DanglingLink, and a missing file still as Missing", () =>
    Effect.gen(function* () {
      const path = join(odd, "dangling-idx1-ubyte")
      for (const error of yield* failures("dangling-idx1-ubyte")) {
        expect(error).toMatchObject({ _tag: "IdxError", reason: "DanglingLink", path })
        expect(error.message).toBe(
          `${path}: is a symbolic link to a file that does not exist (it points to gone-idx1-ubyte); fix or remove the link, or put the IDX file itself at this path`
        )
      }
      for (const error of yield* failures("gone-idx1-ubyte")) {
        expect(error).toMatchObject({ _tag: "IdxError", reason: "Missing" })
        expect(error.message).toBe(`${join(odd, "gone-idx1-ubyte")}: file not found; check the path, or the folder's file names`)
      }
    }), 5_000)

  it.effect("a symbolic link to a regular file reads as the file", () =>
    Effect.gen(function* () {
      const linked = yield* IdxFile.read(join(odd, "link-idx3-ubyte"))
      expect(linked.sha256).toBe(sha256(raw))
      expect(linked.path).toBe(join(odd, "link-idx3-ubyte"))
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
