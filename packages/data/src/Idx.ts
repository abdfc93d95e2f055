/**
 * IDX, the format MNIST and its siblings are published in (its byte layout: see `IdxFormat`,
 * whose definitions this module re-exports).
 *
 * The header is decoded with a Schema and checked before any of the body is read. The body
 * arrives as a `Stream` of byte chunks cut anywhere; `records` re-cuts it into records (one
 * image, one label) in constant memory, and `decode` gathers it into one typed array.
 *
 * Not for: files and gzip (see `IdxFile`), or what the values mean (see `Mnist`).
 *
 * @since 0.1.0
 */
import { Effect, Stream } from "effect"
import type { IdxError } from "./IdxError.js"
import type { Record, Tensor } from "./IdxFormat.js"
import { Reader } from "./internal/reader.js"

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
    const reader = new Reader(path, "records")
    return bytes.pipe(
      Stream.mapEffect((chunk) => reader.push(chunk)),
      Stream.concat(Stream.fromEffect(reader.end())),
      Stream.flattenIterables
    )
  })

/**
 * A whole IDX byte stream decoded into one typed array.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>, path: string): Effect.Effect<Tensor, IdxError | E, R> =>
  Effect.suspend(() => {
    const reader = new Reader(path, "whole")
    return bytes.pipe(
      Stream.runForEach((chunk) => reader.push(chunk)),
      Effect.zipRight(reader.end()),
      Effect.flatMap(() => reader.tensor())
    )
  })

