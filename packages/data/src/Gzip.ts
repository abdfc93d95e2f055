/**
 * Gzip, recognised by what the bytes say — a gzip stream starts 1f 8b — not by a file name,
 * and decompressed as a stream with the web-standard `DecompressionStream`, which Node, Bun,
 * Deno and browsers all provide (and which checks gzip's CRC-32 and length at the end).
 *
 * @since 0.1.0
 */
import { Effect, Option, Stream } from "effect"
import { IdxError } from "./IdxError.js"

/**
 * True when `bytes` begins with gzip's magic number, 1f 8b.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

// The reason the decompressor is aborted with when the compressed stream itself fails: the
// decompressed stream then fails with the original error, not as corrupt gzip.
class UpstreamFailure<E> {
  constructor(readonly error: E) {}
}

// A few parts of the Streams API, typed here: every engine descent runs on has them, and no
// DOM typings need to be shared with other libraries.
interface Decompressor {
  readonly writable: {
    getWriter(): {
      write(chunk: Uint8Array): Promise<void>
      close(): Promise<void>
      abort(reason: unknown): Promise<void>
    }
  }
  readonly readable: {
    getReader(): {
      read(): Promise<{ readonly done: boolean; readonly value?: Uint8Array }>
      cancel(reason?: unknown): Promise<void>
    }
  }
}
const DecompressionStream = (globalThis as unknown as { DecompressionStream: new (format: "gzip") => Decompressor })
  .DecompressionStream

const gunzip = <E, R>(compressed: Stream.Stream<Uint8Array, E, R>, path: string): Stream.Stream<Uint8Array, E | IdxError, R> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const corrupt = (error: unknown) =>
        new IdxError({ reason: "CorruptGzip", path, detail: error instanceof Error ? error.message : String(error) })
      const decompressor = new DecompressionStream("gzip")
      const writer = decompressor.writable.getWriter()
      const reader = decompressor.readable.getReader()
      // Feed the compressed chunks in, in the background, while the caller pulls decompressed
      // ones out; a failure of the source aborts the decompressor with that failure.
      const feed = Stream.runForEach(compressed, (chunk) =>
        Effect.tryPromise({ try: () => writer.write(chunk.slice()), catch: corrupt })
      ).pipe(
        Effect.zipRight(Effect.tryPromise({ try: () => writer.close(), catch: corrupt })),
        Effect.catchAll((error) => Effect.promise(() => writer.abort(new UpstreamFailure(error)).catch(() => undefined)))
      )
      yield* Effect.forkScoped(feed)
      yield* Effect.addFinalizer(() => Effect.promise(() => reader.cancel().catch(() => undefined)))
      return Stream.repeatEffectOption(
        Effect.tryPromise({
          try: () => reader.read(),
          catch: (error) => (error instanceof UpstreamFailure ? (error.error as E | IdxError) : corrupt(error))
        }).pipe(
          Effect.mapError(Option.some),
          Effect.flatMap(({ done, value }) => (done || value === undefined ? Effect.fail(Option.none()) : Effect.succeed(value)))
        )
      )
    })
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
    Effect.gen(function* () {
      // Pull chunks until two bytes have come (or the stream ends), then go on with the rest
      // of the same pull. (Stream.peel would do, but a failure of the stream after the peel
      // reaches its consumer as a defect rather than as the stream's own error.)
      const pull = yield* Stream.toPull(bytes)
      const first: Array<Uint8Array> = []
      let received = 0
      let ended = false
      while (received < 2 && !ended) {
        const chunk = yield* pull.pipe(
          Effect.map(Option.some),
          Effect.catchAll(Option.match({ onNone: () => Effect.succeed(Option.none()), onSome: Effect.fail }))
        )
        if (Option.isNone(chunk)) {
          ended = true
        } else {
          for (const piece of chunk.value) {
            first.push(piece)
            received += piece.length
          }
        }
      }
      const head = concat(first)
      const rest = ended ? Stream.empty : Stream.fromPull(Effect.succeed(pull))
      const whole = Stream.concat(Stream.make(head), rest)
      return isGzip(head) ? gunzip(whole, path) : whole
    })
  )
