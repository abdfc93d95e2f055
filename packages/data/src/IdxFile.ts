/**
 * Reading an IDX file from disk: opened scoped (closed however the read ends), streamed in
 * chunks, decompressed when its bytes say gzip, decoded, and fingerprinted — the SHA-256 of the
 * decoded bytes, so a run record can say exactly which data it learned from, whether the file
 * was compressed or not.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type { Scope } from "effect"
import { Effect, Option, Stream } from "effect"
import * as Gzip from "./Gzip.js"
import * as Idx from "./Idx.js"
import { IdxError } from "./IdxError.js"
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

const chunkSize = 1024 * 1024

const fromPlatformError = (path: string) => (error: PlatformError): IdxError =>
  new IdxError({
    reason: error._tag === "SystemError" && error.reason === "NotFound" ? "Missing" : "Unreadable",
    path,
    detail: error._tag === "SystemError" ? error.reason : error.message
  })

const open = (path: string): Effect.Effect<FileSystem.File, IdxError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.open(path, { flag: "r" })).pipe(
    Effect.mapError(fromPlatformError(path))
  )

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
  Stream.unwrapScoped(Effect.map(open(path), (file) => Gzip.gunzipIfCompressed(freshChunks(file, path), path)))

/**
 * The file's records (see `Idx.records`), in constant memory.
 *
 * @since 0.1.0
 * @category reading
 */
export const records = (path: string): Stream.Stream<Idx.Record, IdxError, FileSystem.FileSystem> =>
  Idx.records(bytes(path), path)

/**
 * A whole IDX byte stream (already decompressed) decoded, with its fingerprint; `path` names
 * where it came from in errors and in the result.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decode = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>, path: string): Effect.Effect<IdxFile, IdxError | E, R> =>
  Effect.gen(function* () {
    const hash = (yield* Sha256).make()
    const tensor = yield* Idx.decode(Stream.tap(bytes, (chunk) => Effect.sync(() => hash.update(chunk))), path)
    return { path, tensor, sha256: hash.hex() }
  })

/**
 * The whole file decoded, with its fingerprint.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (path: string): Effect.Effect<IdxFile, IdxError, FileSystem.FileSystem> =>
  Effect.scoped(
    Effect.gen(function* () {
      const file = yield* open(path)
      const magic = new Uint8Array(2)
      const got = yield* file.read(magic).pipe(Effect.mapError(fromPlatformError(path)))
      yield* file.seek(0, "start")
      const source = Gzip.isGzip(magic.subarray(0, Number(got)))
        ? Gzip.gunzipIfCompressed(freshChunks(file, path), path)
        : reusedChunks(file, path)
      return yield* decode(source, path)
    })
  )
