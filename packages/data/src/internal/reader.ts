// The incremental IDX parser behind `Idx.records` and `Idx.decode`: it is pushed byte chunks
// cut anywhere (a test pushes one byte at a time), assembles the header, checks it, then either
// re-cuts the body into records or gathers it into one buffer. One Reader reads one stream.
import { Effect, Either } from "effect"
import * as Idx from "../IdxFormat.js"
import { IdxError } from "../IdxError.js"

// Beyond this, one buffer cannot hold the data (and a header that asks for it is almost
// certainly corrupted).
const maxBuffer = 0x7fffffff
// Gathering starts with at most this much and doubles as data really arrives, so a corrupted
// header that claims terabytes fails as "cut short", not as an allocation failure.
const firstAllocation = 64 * 1024 * 1024

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
  private partial: Uint8Array = new Uint8Array(0)
  private partialFilled = 0
  // "whole"
  private body: Uint8Array = new Uint8Array(0)

  constructor(
    private readonly path: string,
    private readonly mode: "records" | "whole"
  ) {}

  push(chunk: Uint8Array): Effect.Effect<ReadonlyArray<Idx.Record>, IdxError> {
    return Effect.suspend(() => {
      let pos = 0
      while (this.header === undefined && pos < chunk.length) {
        const need = this.headFilled < 4 ? 4 : 4 + 4 * this.head[3]!
        const n = Math.min(need - this.headFilled, chunk.length - pos)
        this.head.set(chunk.subarray(pos, pos + n), this.headFilled)
        this.headFilled += n
        pos += n
        const decoded = Idx.decodeHeader(this.head.subarray(0, this.headFilled), this.path)
        if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
        if (decoded.right !== undefined) {
          const started = this.start(decoded.right)
          if (started !== undefined) return Effect.fail(started)
        }
      }
      if (this.header === undefined || pos === chunk.length) return Effect.succeed([])
      return this.take(chunk.subarray(pos))
    })
  }

  end(): Effect.Effect<ReadonlyArray<Idx.Record>, IdxError> {
    return Effect.suspend(() => {
      const header = this.header
      if (header === undefined) {
        const need = this.headFilled < 4 ? 4 : 4 + 4 * this.head[3]!
        const detail = this.headFilled === 0 ? "the file is empty" : `got ${this.headFilled} of ${need} header bytes`
        return Effect.fail(
          new IdxError({ reason: "HeaderTruncated", path: this.path, offset: this.headFilled, detail })
        )
      }
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

  private start(header: Idx.Header): IdxError | undefined {
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
    if (this.mode === "whole") this.body = new Uint8Array(Math.min(this.bodyExpected, firstAllocation))
    else this.partial = new Uint8Array(this.recordLength)
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
    if (needed > this.body.length) {
      let capacity = Math.max(this.body.length, 1)
      while (capacity < needed) capacity *= 2
      const grown = new Uint8Array(Math.min(capacity, this.bodyExpected))
      grown.set(this.body.subarray(0, this.bodyReceived))
      this.body = grown
    }
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
      this.partial.set(bytes.subarray(0, n), this.partialFilled)
      this.partialFilled += n
      pos = n
      if (this.partialFilled < length) return out
      out.push({ header, index: this.recordIndex++, bytes: this.partial.slice() })
      this.partialFilled = 0
    }
    // Whole records inside this chunk: copied out, so no record pins the chunk's memory.
    while (pos + length <= bytes.length) {
      out.push({ header, index: this.recordIndex++, bytes: bytes.slice(pos, pos + length) })
      pos += length
    }
    // The start of a record that ends in a later chunk.
    if (pos < bytes.length) {
      this.partial.set(bytes.subarray(pos), 0)
      this.partialFilled = bytes.length - pos
    }
    return out
  }
}
