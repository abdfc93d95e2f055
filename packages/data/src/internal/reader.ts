// The incremental IDX parser behind `Idx.open`, `Idx.records` and `Idx.decode`: it is pushed
// byte chunks cut anywhere (a test pushes one byte at a time). First the header phase assembles
// the header and checks it, allocating nothing for the body; then the body phase either re-cuts
// the body into records or gathers it into one buffer. One Reader reads one stream.
import { Effect, Either } from "effect"
import * as Idx from "../IdxFormat.js"
import { IdxError } from "../IdxError.js"

// Beyond this, one buffer cannot hold the data (and a header that asks for it is almost
// certainly corrupted).
const maxBuffer = 0x7fffffff
// Gathering starts with at most this much and doubles as data really arrives, so a corrupted
// header that claims terabytes fails as "cut short", not as an allocation failure.
const firstAllocation = 64 * 1024 * 1024

// What gathering a body of `length` bytes takes. `held`: the values, once decoded (the body
// itself for bytes; for wider types, a typed array of the same size made from it). `peak`: the
// most at any moment — while the buffer doubles, the old one is copied into the new, so the
// last doubling holds the largest capacity below `length` beside `length`; and a wider type's
// values are made while the body still exists.
export const bodyMemory = (header: Idx.Header): { readonly held: number; readonly peak: number } => {
  const length = Idx.valueCount(header) * Idx.types[header.type].bytes
  let previous = 0
  for (let capacity = firstAllocation; capacity < length; capacity *= 2) previous = capacity
  const gathering = length + previous
  const converting = Idx.types[header.type].bytes === 1 ? 0 : 2 * length
  return { held: length, peak: Math.max(gathering, converting) }
}

// `buffer` with room for `needed` bytes, its first `filled` kept: the first allocation is at most
// `firstAllocation`, then the capacity doubles, never past `limit` (the bytes the header promises).
const grow = (buffer: Uint8Array, filled: number, needed: number, limit: number): Uint8Array => {
  if (needed <= buffer.length) return buffer
  let capacity = Math.max(buffer.length, Math.min(limit, firstAllocation), 1)
  while (capacity < needed) capacity *= 2
  const grown = new Uint8Array(Math.min(capacity, limit))
  grown.set(buffer.subarray(0, filled))
  return grown
}

export class Reader {
  private readonly head = new Uint8Array(4 + 4 * 255)
  private headFilled = 0
  private header: Idx.Header | undefined = undefined
  private headerLength = 0
  private bodyExpected = 0
  private bodyReceived = 0
  // "records"
  private recordLength = 0
  private recordCount = 0
  private recordIndex = 0
  // A record cut by a chunk edge; allocated when the first one is, grown like the body.
  private partial: Uint8Array = new Uint8Array(0)
  private partialFilled = 0
  // "whole": allocated when the first body bytes arrive, then grown by doubling.
  private body: Uint8Array = new Uint8Array(0)

  constructor(
    private readonly path: string,
    private readonly mode: "records" | "whole"
  ) {}

  // Header phase: takes the bytes of `chunk` that belong to the header. Once the header is
  // complete and checked, gives back the rest of `chunk` (the start of the body, maybe empty);
  // until then, `undefined`.
  readHeader(chunk: Uint8Array): Either.Either<Uint8Array | undefined, IdxError> {
    let pos = 0
    while (this.header === undefined && pos < chunk.length) {
      const need = this.headFilled < 4 ? 4 : 4 + 4 * this.head[3]!
      const n = Math.min(need - this.headFilled, chunk.length - pos)
      this.head.set(chunk.subarray(pos, pos + n), this.headFilled)
      this.headFilled += n
      pos += n
      const decoded = Idx.decodeHeader(this.head.subarray(0, this.headFilled), this.path)
      if (Either.isLeft(decoded)) return Either.left(decoded.left)
      if (decoded.right !== undefined) {
        const checked = this.check(decoded.right)
        if (checked !== undefined) return Either.left(checked)
      }
    }
    return Either.right(this.header === undefined ? undefined : chunk.subarray(pos))
  }

  // The header, once `readHeader` has completed it.
  get decodedHeader(): Idx.Header | undefined {
    return this.header
  }

  // Body phase: bytes after the header.
  readBody(chunk: Uint8Array): Effect.Effect<ReadonlyArray<Idx.Record>, IdxError> {
    return Effect.suspend(() => (chunk.length === 0 ? Effect.succeed([]) : this.take(chunk)))
  }

  // Both phases at once, for a stream read straight through (`Idx.records`).
  push(chunk: Uint8Array): Effect.Effect<ReadonlyArray<Idx.Record>, IdxError> {
    return Effect.suspend(() => {
      if (this.header !== undefined) return this.readBody(chunk)
      const rest = this.readHeader(chunk)
      if (Either.isLeft(rest)) return Effect.fail(rest.left)
      return rest.right === undefined ? Effect.succeed([]) : this.readBody(rest.right)
    })
  }

  // The stream ended before the header did.
  headerTruncated(): IdxError {
    const need = this.headFilled < 4 ? 4 : 4 + 4 * this.head[3]!
    const detail = this.headFilled === 0 ? "the file is empty" : `got ${this.headFilled} of ${need} header bytes`
    return new IdxError({ reason: "HeaderTruncated", path: this.path, offset: this.headFilled, detail })
  }

  end(): Effect.Effect<ReadonlyArray<Idx.Record>, IdxError> {
    return Effect.suspend(() => {
      const header = this.header
      if (header === undefined) return Effect.fail(this.headerTruncated())
      if (this.bodyReceived < this.bodyExpected) {
        return Effect.fail(
          new IdxError({
            reason: "BodyTruncated",
            path: this.path,
            offset: this.headerLength + this.bodyReceived,
            detail: `the header describes ${this.bodyExpected} bytes of data, got ${this.bodyReceived}`
          })
        )
      }
      if (this.mode === "records" && this.recordLength === 0) {
        return Effect.succeed(
          Array.from({ length: this.recordCount }, (_, index) => ({ header, index, bytes: new Uint8Array(0) }))
        )
      }
      return Effect.succeed([])
    })
  }

  tensor(): Effect.Effect<Idx.Tensor, never> {
    return Effect.sync(() => {
      const header = this.header!
      return {
        type: header.type,
        dims: header.dims,
        values: Idx.readValues(header.type, this.body.subarray(0, this.bodyExpected))
      }
    })
  }

  // The header is complete: what it describes must fit in one buffer. Nothing is allocated yet.
  private check(header: Idx.Header): IdxError | undefined {
    this.header = header
    this.headerLength = Idx.headerLength(header)
    this.bodyExpected = Idx.valueCount(header) * Idx.types[header.type].bytes
    this.recordCount = header.dims.length === 0 ? 1 : header.dims[0]!
    this.recordLength = header.dims.length === 0 ? this.bodyExpected : Idx.recordLength(header)
    const size = this.mode === "whole" ? this.bodyExpected : this.recordLength
    if (!Number.isSafeInteger(this.bodyExpected) || size > maxBuffer) {
      return new IdxError({
        reason: "TooLarge",
        path: this.path,
        offset: 4,
        detail: `dimensions ${header.dims.join("×")} of ${header.type}`
      })
    }
    return undefined
  }

  private take(bytes: Uint8Array): Effect.Effect<ReadonlyArray<Idx.Record>, IdxError> {
    const remaining = this.bodyExpected - this.bodyReceived
    if (bytes.length > remaining) {
      return Effect.fail(
        new IdxError({
          reason: "TrailingBytes",
          path: this.path,
          offset: this.headerLength + this.bodyExpected,
          detail: `the header describes ${this.bodyExpected} bytes of data`
        })
      )
    }
    if (this.mode === "whole") {
      this.gather(bytes)
      return Effect.succeed([])
    }
    return Effect.succeed(this.cut(bytes))
  }

  private gather(bytes: Uint8Array): void {
    const needed = this.bodyReceived + bytes.length
    this.body = grow(this.body, this.bodyReceived, needed, this.bodyExpected)
    this.body.set(bytes, this.bodyReceived)
    this.bodyReceived = needed
  }

  private cut(bytes: Uint8Array): ReadonlyArray<Idx.Record> {
    const header = this.header!
    const out: Array<Idx.Record> = []
    const length = this.recordLength
    let pos = 0
    this.bodyReceived += bytes.length
    if (length === 0) return out
    // Finish a record begun in an earlier chunk.
    if (this.partialFilled > 0) {
      const n = Math.min(length - this.partialFilled, bytes.length)
      const partial = (this.partial = grow(this.partial, this.partialFilled, this.partialFilled + n, length))
      partial.set(bytes.subarray(0, n), this.partialFilled)
      this.partialFilled += n
      pos = n
      if (this.partialFilled < length) return out
      out.push({ header, index: this.recordIndex++, bytes: partial.slice() })
      this.partialFilled = 0
    }
    // Whole records inside this chunk: copied out, so no record pins the chunk's memory.
    while (pos + length <= bytes.length) {
      out.push({ header, index: this.recordIndex++, bytes: bytes.slice(pos, pos + length) })
      pos += length
    }
    // The start of a record that ends in a later chunk.
    if (pos < bytes.length) {
      this.partialFilled = bytes.length - pos
      this.partial = grow(this.partial, 0, this.partialFilled, length)
      this.partial.set(bytes.subarray(pos), 0)
    }
    return out
  }
}
