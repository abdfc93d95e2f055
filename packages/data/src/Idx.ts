/**
 * IDX, the format MNIST and its siblings are published in (its byte layout: see `IdxFormat`,
 * whose definitions this module re-exports).
 *
 * The header is decoded with a Schema and checked before any of the body is read. The body
 * arrives as a `Stream` of byte chunks cut anywhere; `records` re-cuts it into records (one
 * image, one label) in constant memory, and `decode` gathers it into one typed array. `open`
 * stops after the header — so that a caller can look at what several streams' headers describe
 * (do images and labels agree? will it fit in memory?) before reading any of their bodies — and
 * `bodyMemory` says what gathering a body will take.
 *
 * Not for: files and gzip (see `IdxFile`), or what the values mean (see `Mnist`).
 *
 * @since 0.1.0
 */
import type { Scope } from "effect"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import type { IdxError } from "./IdxError.js"
import type { Header, Record, Tensor } from "./IdxFormat.js"
import * as Reader from "./internal/reader.js"

export * from "./IdxFormat.js"

/**
 * The records of an IDX byte stream, one per index of the first dimension, read in constant
 * memory whatever the size of the file. Fails with an `IdxError` for a bad header, a body cut
 * short, or bytes after the end.
 *
 * @since 0.1.0
 * @category decoding
 */
export const records = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>, path: string): Stream.Stream<Record, IdxError | E, R> =>
  Stream.suspend(() => {
    const reader = new Reader.Reader(path, "records")
    return bytes.pipe(
      Stream.mapEffect((chunk) => reader.push(chunk)),
      Stream.concat(Stream.fromEffect(reader.end())),
      Stream.flattenIterables
    )
  })

/**
 * An IDX stream whose header has been read and checked, and whose body has not.
 *
 * @since 0.3.0
 * @category models
 */
export interface Opened<E = never, R = never> {
  readonly header: Header
  /**
   * The rest of the stream, gathered into one typed array. The body is read the first time
   * this runs (later runs give the same result), and only while the scope of `open` is open.
   */
  readonly decode: Effect.Effect<Tensor, IdxError | E, R>
}

// One pull of the stream: its next chunk, or `None` at its end.
const next = <E, R>(pull: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<E>, R>) =>
  pull.pipe(
    Effect.map(Option.some),
    Effect.catchAll(Option.match({ onNone: () => Effect.succeed(Option.none()), onSome: Effect.fail }))
  )

/**
 * The header of an IDX byte stream, read and checked: chunks are pulled only until the header
 * is complete (for a file read in 1 MiB chunks, the first chunk), and nothing is allocated for
 * the body. The body is read by `decode`, from the same pull, within the same scope — which
 * also closes the stream, read to its end or not.
 *
 * @since 0.3.0
 * @category decoding
 */
export const open = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  path: string
): Effect.Effect<Opened<E, R>, IdxError | E, R | Scope.Scope> =>
  Effect.gen(function* () {
    const reader = new Reader.Reader(path, "whole")
    const pull = yield* Stream.toPull(bytes)
    // The pieces pulled with the header's last bytes but after them: the start of the body.
    const start: Array<Uint8Array> = []
    while (reader.decodedHeader === undefined) {
      const chunk = yield* next(pull)
      if (Option.isNone(chunk)) return yield* reader.headerTruncated()
      for (const piece of chunk.value) {
        if (reader.decodedHeader !== undefined) {
          start.push(piece)
          continue
        }
        const rest = reader.readHeader(piece)
        if (Either.isLeft(rest)) return yield* rest.left
        if (rest.right !== undefined) start.push(rest.right)
      }
    }
    const header = reader.decodedHeader
    // The pieces in `start` are read before the next pull, so a source that reuses one buffer
    // for every chunk (`IdxFile.read`'s) has not overwritten them yet.
    const body = Effect.gen(function* () {
      for (const piece of start.splice(0)) yield* reader.readBody(piece)
      while (true) {
        const chunk = yield* next(pull)
        if (Option.isNone(chunk)) break
        for (const piece of chunk.value) yield* reader.readBody(piece)
      }
      yield* reader.end()
      return yield* reader.tensor()
    })
    return { header, decode: yield* Effect.cached(body) }
  })

/**
 * What gathering the body of a stream with this header into one typed array takes, in bytes:
 * `held`, what the values keep once decoded, and `peak`, the most at any moment while they are
 * gathered (a buffer that doubles as data arrives is copied into its successor; values wider
 * than a byte are made from the bytes while those still exist). Reckoned from the header alone.
 *
 * @since 0.3.0
 * @category getters
 */
export const bodyMemory = (header: Header): { readonly held: number; readonly peak: number } => Reader.bodyMemory(header)

/**
 * A whole IDX byte stream decoded into one typed array.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>, path: string): Effect.Effect<Tensor, IdxError | E, R> =>
  Effect.scoped(Effect.flatMap(open(bytes, path), (opened) => opened.decode))

