/**
 * Reading an IDX file from disk: opened scoped (closed however the read ends), streamed in
 * chunks, decompressed when its bytes say gzip, decoded, and fingerprinted — the SHA-256 of the
 * decoded bytes, so a run record can say exactly which data it learned from, whether the file
 * was compressed or not.
 *
 * A file is read in two steps: `open` reads and checks its header (the first chunk, at most)
 * and `Opened.read` its body — so that a caller can check what several headers describe, and
 * whether it fits in memory, before any body is read (`Mnist` pairs four files that way).
 * `read` does both, with the body's memory checked against a limit between them.
 *
 * A path is looked at (through symbolic links) before it is opened, and only a regular file is:
 * a folder fails as `NotAFile`, a named pipe, device or socket as `NotRegular` (a pipe would
 * wait for a writer forever, /dev/zero never ends), a link that loops as `LinkLoop` and one to
 * nothing as `DanglingLink`.
 *
 * @since 0.1.0
 */
import { Memory } from "@descent/core"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type { Scope } from "effect"
import { Effect, Option, Stream } from "effect"
import * as Gzip from "./Gzip.js"
import * as Idx from "./Idx.js"
import { IdxError } from "./IdxError.js"
import * as Platform from "./internal/platform.js"
import { Sha256 } from "./Sha256.js"

/**
 * A decoded file and where it came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdxFile {
  readonly path: string
  readonly tensor: Idx.Tensor
  /** SHA-256 of the decoded (decompressed) bytes, lowercase hex. */
  readonly sha256: string
}

/**
 * A file whose header has been read and checked, and whose body has not (see `open`).
 *
 * @since 0.3.0
 * @category models
 */
export interface Opened<E = never, R = never> {
  readonly path: string
  readonly header: Idx.Header
  /**
   * The body read and decoded, and the whole file fingerprinted. The body is read the first
   * time this runs (later runs give the same result), and only while the scope of `open` is
   * open.
   */
  readonly read: Effect.Effect<IdxFile, IdxError | E, R>
}

const chunkSize = 1024 * 1024

/**
 * Bytes an open file holds besides its body while it is read: a chunk being read and one
 * being decoded (a file is read 1 MiB at a time; gzip's window and a server's chunks are
 * smaller).
 *
 * @since 0.3.0
 * @category constants
 */
export const streamMemory = 2 * chunkSize

const fromPlatformError = (path: string) => (error: PlatformError): IdxError => {
  const code = Platform.codeOf(error)
  if (code === "EISDIR") return new IdxError({ reason: "NotAFile", path })
  if (code === "ELOOP") return new IdxError({ reason: "LinkLoop", path })
  return new IdxError({
    reason: Platform.isNotFound(error) ? "Missing" : "Unreadable",
    path,
    detail: Platform.describe(error)
  })
}

// The file opened for reading, once a look at it has found a regular file there: opening a
// pipe would wait for a writer forever, and a device would be read without end.
const openFile = (path: string): Effect.Effect<FileSystem.File, IdxError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const info = yield* Platform.lookAt(fs, path, fromPlatformError(path))
    if (Option.isNone(info)) return yield* new IdxError({ reason: "Missing", path })
    yield* Platform.requireRegular(fs, path, info.value)
    return yield* fs.open(path, { flag: "r" }).pipe(Effect.mapError(fromPlatformError(path)))
  })

// The file's chunks, read one after another from an open file; each chunk is a fresh buffer
// that its consumer may keep. (Made from the file handle rather than `FileSystem.stream`: under
// gunzip, a decoder failing early left that stream's finaliser waiting forever — the corruption
// sweep found it.)
const freshChunks = (file: FileSystem.File, path: string): Stream.Stream<Uint8Array, IdxError> =>
  Stream.repeatEffectOption(
    file.readAlloc(chunkSize).pipe(
      Effect.mapError((error) => Option.some(fromPlatformError(path)(error))),
      Effect.flatMap(Option.match({ onNone: () => Effect.fail(Option.none()), onSome: Effect.succeed }))
    )
  )

// The file's chunks, read into one reused buffer. Every stage downstream of it in `read` (the
// hash and the IDX reader) copies what it needs from a chunk before the next chunk is pulled, so
// reuse is safe there — and it keeps a 47 MB file from leaving 47 MB of spent read buffers for
// the garbage collector. Not for streams whose consumers may keep chunks (gzip, records).
const reusedChunks = (file: FileSystem.File, path: string): Stream.Stream<Uint8Array, IdxError> => {
  const buffer = new Uint8Array(chunkSize)
  return Stream.repeatEffectOption(
    file.read(buffer).pipe(
      Effect.mapError((error) => Option.some(fromPlatformError(path)(error))),
      Effect.flatMap((size) => (size === 0n ? Effect.fail(Option.none()) : Effect.succeed(buffer.subarray(0, Number(size)))))
    )
  )
}

/**
 * The file's bytes, decompressed when they are gzip.
 *
 * @since 0.1.0
 * @category reading
 */
export const bytes = (path: string): Stream.Stream<Uint8Array, IdxError, FileSystem.FileSystem> =>
  Stream.unwrapScoped(Effect.map(openFile(path), (file) => Gzip.gunzipIfCompressed(freshChunks(file, path), path)))

/**
 * The file's records (see `Idx.records`), in constant memory.
 *
 * @since 0.1.0
 * @category reading
 */
export const records = (path: string): Stream.Stream<Idx.Record, IdxError, FileSystem.FileSystem> =>
  Idx.records(bytes(path), path)

/**
 * A whole IDX byte stream (already decompressed) opened, scoped: its header read and checked
 * (see `Idx.open`), its body left in the stream for `Opened.read`; `path` names where it came
 * from in errors and in the result. The fingerprint covers every byte, header and body.
 *
 * @since 0.3.0
 * @category decoding
 */
export const openStream = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  path: string
): Effect.Effect<Opened<E, R>, IdxError | E, R | Scope.Scope> =>
  Effect.gen(function* () {
    const hash = (yield* Sha256).make()
    const opened = yield* Idx.open(Stream.tap(bytes, (chunk) => Effect.sync(() => hash.update(chunk))), path)
    const read = Effect.map(opened.decode, (tensor): IdxFile => ({ path, tensor, sha256: hash.hex() }))
    return { path, header: opened.header, read: yield* Effect.cached(read) }
  })

/**
 * The file opened, scoped: its header read and checked — from the first chunk, at most — and
 * its body left for `Opened.read`. The file stays open until the scope closes.
 *
 * @since 0.3.0
 * @category reading
 */
export const open = (path: string): Effect.Effect<Opened<IdxError>, IdxError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const file = yield* openFile(path)
    const magic = new Uint8Array(2)
    const got = yield* file.read(magic).pipe(Effect.mapError(fromPlatformError(path)))
    yield* file.seek(0, "start")
    const source = Gzip.isGzip(magic.subarray(0, Number(got)))
      ? Gzip.gunzipIfCompressed(freshChunks(file, path), path)
      : reusedChunks(file, path)
    return yield* openStream(source, path)
  })

/**
 * Whether the body of an opened file fits in `limit`: the most that gathering it takes
 * (`Idx.bodyMemory`) and the open stream (`streamMemory`), reckoned from the header before any
 * of it is allocated. Fails with a `MemoryLimitError` naming the file when it does not.
 *
 * @since 0.3.0
 * @category checks
 */
export const checkMemory = (
  opened: { readonly path: string; readonly header: Idx.Header },
  limit: Memory.Limit
): Effect.Effect<void, Memory.MemoryLimitError> => {
  const { dims, type } = opened.header
  const needed = Idx.bodyMemory(opened.header).peak + streamMemory
  const error = Memory.check(limit, needed, opened.path, `the ${dims.join("×") || "single"} values of ${type} its header describes`)
  return error === undefined ? Effect.void : Effect.fail(error)
}

/**
 * A whole IDX byte stream (already decompressed) decoded, with its fingerprint; `path` names
 * where it came from in errors and in the result. The body must fit in `limit` (checked after
 * the header, before the body is read).
 *
 * @since 0.2.0
 * @category decoding
 */
export const decode = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  path: string,
  limit: Memory.Limit = Memory.standard
): Effect.Effect<IdxFile, IdxError | Memory.MemoryLimitError | E, R> =>
  Effect.scoped(
    Effect.gen(function* () {
      const opened = yield* openStream(bytes, path)
      yield* checkMemory(opened, limit)
      return yield* opened.read
    })
  )

/**
 * The whole file decoded, with its fingerprint. The body must fit in `limit` (checked after
 * the header, before the body is read).
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (
  path: string,
  limit: Memory.Limit = Memory.standard
): Effect.Effect<IdxFile, IdxError | Memory.MemoryLimitError, FileSystem.FileSystem> =>
  Effect.scoped(
    Effect.gen(function* () {
      const opened = yield* open(path)
      yield* checkMemory(opened, limit)
      return yield* opened.read
    })
  )
