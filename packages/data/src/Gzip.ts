/**
 * Gzip, recognised by what the bytes say — a gzip stream starts 1f 8b — not by a file name,
 * and decompressed as a stream.
 *
 * @since 0.1.0
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import { Effect, Sink, Stream } from "effect"
import { createGunzip } from "node:zlib"
import { IdxError } from "./IdxError.js"

/**
 * True when `bytes` begins with gzip's magic number, 1f 8b.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

// Chunks up to and including the one that brings the total past two bytes.
const firstTwoBytes = Sink.fold(
  [] as Array<Uint8Array>,
  (chunks) => chunks.reduce((n, c) => n + c.length, 0) < 2,
  (chunks, chunk: Uint8Array) => [...chunks, chunk]
)

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

const gunzip = <E, R>(compressed: Stream.Stream<Uint8Array, E, R>, path: string): Stream.Stream<Uint8Array, E | IdxError, R> =>
  NodeStream.pipeThroughDuplex(
    compressed,
    () => createGunzip(),
    (error) =>
      new IdxError({ reason: "CorruptGzip", path, detail: error instanceof Error ? error.message : String(error) })
  )

/**
 * The bytes, decompressed if they are gzip and passed through unchanged if not. Corrupted or
 * truncated gzip data fails with an `IdxError` whose reason is `CorruptGzip`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const gunzipIfCompressed = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  path: string
): Stream.Stream<Uint8Array, E | IdxError, R> =>
  Stream.unwrapScoped(
    Effect.map(Stream.peel(bytes, firstTwoBytes), ([first, rest]) => {
      const head = concat(first)
      const whole = Stream.concat(Stream.make(head), rest)
      return isGzip(head) ? gunzip(whole, path) : whole
    })
  )
