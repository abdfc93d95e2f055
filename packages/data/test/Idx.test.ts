import { Idx, IdxError } from "@descent/data"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, FastCheck as fc, Stream } from "effect"
import { chunked, counted, images } from "./fixtures.js"

const decode = (bytes: Uint8Array, chunk = bytes.length || 1) => Idx.decode(chunked(bytes, chunk), "test.idx")
const failure = (bytes: Uint8Array, chunk?: number) =>
  Effect.runSync(Effect.flip(decode(bytes, chunk))) as IdxError

describe("Idx header", () => {
  it("decodes a hand-made header: type code, dimensions big-endian", () => {
    const bytes = Uint8Array.from([0, 0, 0x08, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28])
    expect(Idx.decodeHeader(bytes, "x")).toEqual(Either.right({ type: "u8", dims: [60000, 28, 28] }))
    expect(Idx.decodeHeader(bytes.subarray(0, 9), "x")).toEqual(Either.right(undefined))
  })

  it("knows every type code", () => {
    for (const [name, { code }] of Object.entries(Idx.types)) {
      const header = Idx.decodeHeader(Uint8Array.from([0, 0, code, 1, 0, 0, 0, 2]), "x")
      expect(header).toEqual(Either.right({ type: name, dims: [2] }))
    }
  })
})

describe("Idx.decode", () => {
  it.effect("decodes a hand-made u8 file", () =>
    Effect.gen(function* () {
      const bytes = Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255])
      const tensor = yield* decode(bytes)
      expect(tensor.type).toBe("u8")
      expect(tensor.dims).toEqual([2, 3])
      expect([...tensor.values]).toEqual([1, 2, 3, 4, 5, 255])
    }))

  it.effect("decodes big-endian multi-byte values", () =>
    Effect.gen(function* () {
      // i16 [-2, 258], header then bytes ff fe 01 02
      const bytes = Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x02])
      const tensor = yield* decode(bytes)
      expect(tensor.values).toBeInstanceOf(Int16Array)
      expect([...tensor.values]).toEqual([-2, 258])
    }))

  it.effect("gives the same tensor whatever the chunking, down to 1-byte chunks", () =>
    Effect.gen(function* () {
      const bytes = images(5)
      const whole = yield* decode(bytes)
      for (const size of [1, 2, 3, 5, 7, 16, 17, 64]) {
        const cut = yield* decode(bytes, size)
        expect([...cut.values]).toEqual([...whole.values])
        expect(cut.dims).toEqual([5, 4, 3])
      }
    }))

  const arbitraryTensor = fc.constantFrom(...(Object.keys(Idx.types) as Array<Idx.TypeName>)).chain((type) =>
    fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 }).chain((dims) => {
      const count = dims.reduce((n, d) => n * d, 1)
      const value: fc.Arbitrary<number> =
        type === "u8" ? fc.integer({ min: 0, max: 255 })
        : type === "i8" ? fc.integer({ min: -128, max: 127 })
        : type === "i16" ? fc.integer({ min: -32768, max: 32767 })
        : type === "i32" ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
        : type === "f32" ? fc.float({ noNaN: true })
        : fc.double({ noNaN: true })
      return fc.record({
        type: fc.constant(type),
        dims: fc.constant(dims),
        values: fc.array(value, { minLength: count, maxLength: count }),
        chunk: fc.integer({ min: 1, max: 9 })
      })
    })
  )

  it.prop("encode then decode gives the tensor back, for every type code", { t: arbitraryTensor }, ({ t }) => {
    const Array_ = { u8: Uint8Array, i8: Int8Array, i16: Int16Array, i32: Int32Array, f32: Float32Array, f64: Float64Array }[t.type]
    const values = Array_.from(t.values)
    const bytes = Idx.encode({ type: t.type, dims: t.dims, values })
    const decoded = Effect.runSync(decode(bytes, t.chunk))
    expect(decoded.type).toBe(t.type)
    expect(decoded.dims).toEqual(t.dims)
    expect([...decoded.values]).toEqual([...values])
  })
})

describe("Idx errors", () => {
  it("BadMagic: the first two bytes are not zero", () => {
    const error = failure(new TextEncoder().encode("<html>not idx</html>"))
    expect(error).toBeInstanceOf(IdxError)
    expect(error.reason).toBe("BadMagic")
    expect(error.offset).toBe(0)
    expect(error.message).toMatch(/^test\.idx at byte 0: not an IDX file/)
  })

  it("BadMagic: each of the two zero bytes is checked on its own", () => {
    // A valid header of one u8 value, then one of its first two bytes made nonzero.
    const good = Uint8Array.from([0, 0, 0x08, 1, 0, 0, 0, 1, 42])
    expect(Idx.decodeHeader(good, "x")).toEqual(Either.right({ type: "u8", dims: [1] }))
    for (const at of [0, 1]) {
      for (const value of [0x01, 0x80, 0xff]) {
        const bytes = good.slice()
        bytes[at] = value
        const header = Idx.decodeHeader(bytes, "x")
        expect(Either.isLeft(header) && header.left.reason, `byte ${at} = ${value}`).toBe("BadMagic")
        expect(failure(bytes).reason).toBe("BadMagic")
      }
    }
  })

  it("BadMagic names the bytes found; a header too short to judge waits for more", () => {
    expect(failure(new TextEncoder().encode("<html>")).message).toMatch(/it starts 3c 68 74 6d/)
    expect(Idx.decodeHeader(new Uint8Array(0), "x")).toEqual(Either.right(undefined))
    expect(Idx.decodeHeader(Uint8Array.from([0]), "x")).toEqual(Either.right(undefined))
  })

  it("UnsupportedType names the code in upper-case hex", () => {
    expect(failure(Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 1, 0])).message).toContain("type code 0x0A")
  })

  it("a record's length counts every dimension after the first, in the type's bytes", () => {
    expect(Idx.recordLength({ type: "i32", dims: [2, 3, 5] })).toBe(60)
    expect(Idx.recordLength({ type: "f64", dims: [7, 2] })).toBe(16)
    expect(Idx.recordLength({ type: "u8", dims: [9] })).toBe(1)
  })

  it("encode refuses values that do not fill the dimensions", () => {
    expect(() => Idx.encode({ type: "u8", dims: [2, 3], values: new Uint8Array(5) })).toThrow(/dimensions 2×3 hold 6 values, got 5/)
  })

  it("UnsupportedType: a type code IDX does not have", () => {
    const error = failure(Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 1, 0]))
    expect(error.reason).toBe("UnsupportedType")
    expect(error.offset).toBe(2)
    expect(error.message).toContain("type code 0x07")
  })

  it("HeaderTruncated: an empty file, or one cut inside its dimensions", () => {
    expect(failure(new Uint8Array(0)).reason).toBe("HeaderTruncated")
    expect(failure(new Uint8Array(0)).message).toContain("the file is empty")
    const error = failure(images(2).subarray(0, 10), 1)
    expect(error.reason).toBe("HeaderTruncated")
    expect(error.detail).toBe("got 10 of 16 header bytes")
  })

  it("BodyTruncated: says how many bytes were expected and how many came", () => {
    const bytes = images(2) // 16 header bytes + 24 pixels
    const error = failure(bytes.subarray(0, 30), 4)
    expect(error.reason).toBe("BodyTruncated")
    expect(error.offset).toBe(30)
    expect(error.detail).toBe("the header describes 24 bytes of data, got 14")
  })

  it("TrailingBytes: bytes after the data the header describes", () => {
    const bytes = new Uint8Array([...images(2), 9, 9])
    for (const chunk of [1, 5, 100]) {
      const error = failure(bytes, chunk)
      expect(error.reason).toBe("TrailingBytes")
      expect(error.offset).toBe(40)
    }
  })

  it("TooLarge: a header asking for more than memory can hold fails at once", () => {
    const bytes = Uint8Array.from([0, 0, 0x0e, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    expect(failure(bytes).reason).toBe("TooLarge")
  })
})

describe("Idx.records", () => {
  const collect = (bytes: Uint8Array, chunk: number) =>
    Effect.runSync(Stream.runCollect(Idx.records(chunked(bytes, chunk), "r.idx"))).pipe(Chunk.toReadonlyArray)

  it("cuts the body into one record per index, across any chunk edges", () => {
    const bytes = images(5)
    const expected = collect(bytes, bytes.length).map((r) => [...r.bytes])
    expect(expected.length).toBe(5)
    expect(expected[1]).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18])
    for (const chunk of [1, 5, 11, 12, 13, 40]) {
      const records = collect(bytes, chunk)
      expect(records.map((r) => r.index)).toEqual([0, 1, 2, 3, 4])
      expect(records.map((r) => [...r.bytes])).toEqual(expected)
    }
  })

  it("fails with a typed error when the stream ends inside a record", () => {
    const exit = Effect.runSyncExit(Stream.runDrain(Idx.records(chunked(images(3).subarray(0, 30), 7), "r.idx")))
    expect(exit._tag).toBe("Failure")
    expect(JSON.stringify(exit)).toContain("BodyTruncated")
  })
})

describe("Idx.open", () => {
  // One chunk per pull, so that the count of bytes pulled says how far the stream was read.
  const stream = (bytes: Uint8Array, chunk: number) => counted(Stream.rechunk(chunked(bytes, chunk), 1))

  it.effect("pulls chunks only until the header is complete, then decodes the body from the same pull", () =>
    Effect.gen(function* () {
      const bytes = images(5) // 16 header bytes + 60 pixels
      const { pulled, stream: source } = stream(bytes, 4)
      const opened = yield* Idx.open(source, "o.idx")
      expect(opened.header).toEqual({ type: "u8", dims: [5, 4, 3] })
      expect(pulled.bytes).toBe(16)
      const tensor = yield* opened.decode
      expect(pulled.bytes).toBe(bytes.length)
      expect([...tensor.values]).toEqual([...(yield* decode(bytes)).values])
      // The body is read once: running decode again gives the same tensor.
      expect(yield* opened.decode).toBe(tensor)
    }).pipe(Effect.scoped))

  it.effect("keeps the start of the body pulled with the header's last bytes, across any chunking", () =>
    Effect.gen(function* () {
      const bytes = images(5)
      for (const size of [1, 3, 7, 17, 100]) {
        const { pulled, stream: source } = stream(bytes, size)
        const opened = yield* Idx.open(source, "o.idx")
        expect(pulled.bytes).toBe(Math.min(bytes.length, Math.ceil(16 / size) * size))
        expect([...(yield* opened.decode).values]).toEqual([...(yield* decode(bytes)).values])
      }
    }).pipe(Effect.scoped))

  it.effect("fails on a bad header without pulling further, and on a bad body only when it is read", () =>
    Effect.gen(function* () {
      const html = counted(Stream.rechunk(chunked(new TextEncoder().encode("<html>not idx at all</html>"), 4), 1))
      const bad = yield* Effect.flip(Idx.open(html.stream, "h.idx"))
      expect(bad.reason).toBe("BadMagic")
      expect(html.pulled.bytes).toBe(4)
      const empty = yield* Effect.flip(Idx.open(Stream.empty, "e.idx"))
      expect(empty.reason).toBe("HeaderTruncated")
      const cut = yield* Idx.open(chunked(images(5).subarray(0, 40), 8), "c.idx")
      expect((yield* Effect.flip(cut.decode)).reason).toBe("BodyTruncated")
    }).pipe(Effect.scoped))

  it.effect("an IDX file of zero records decodes to an empty tensor", () =>
    Effect.gen(function* () {
      const tensor = yield* decode(images(0, 28, 28))
      expect(tensor.dims).toEqual([0, 28, 28])
      expect(tensor.values.length).toBe(0)
    }))
})

describe("Idx.bodyMemory", () => {
  const u8 = (count: number) => Idx.bodyMemory({ type: "u8", dims: [count] })
  const MiB = 1024 * 1024

  it("is the body itself when it fits the first allocation, as MNIST's training images do", () => {
    expect(Idx.bodyMemory({ type: "u8", dims: [60_000, 28, 28] })).toEqual({ held: 47_040_000, peak: 47_040_000 })
    expect(u8(0)).toEqual({ held: 0, peak: 0 })
  })

  it("adds the buffer being copied from when a larger body makes the buffer double", () => {
    expect(u8(100 * MiB)).toEqual({ held: 100 * MiB, peak: 164 * MiB })
    expect(u8(128 * MiB)).toEqual({ held: 128 * MiB, peak: 192 * MiB })
    expect(u8(128 * MiB + 1)).toEqual({ held: 128 * MiB + 1, peak: 256 * MiB + 1 })
  })

  it("counts values wider than a byte beside the bytes they are made from", () => {
    expect(Idx.bodyMemory({ type: "f32", dims: [1000] })).toEqual({ held: 4000, peak: 8000 })
    expect(Idx.bodyMemory({ type: "i8", dims: [1000] })).toEqual({ held: 1000, peak: 1000 })
  })
})
