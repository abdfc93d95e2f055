import { Memory } from "@descent/core"
import { describe, expect, it, vi } from "@effect/vitest"
import { Cause, Effect, Either, Exit } from "effect"
import * as zlib from "node:zlib"
import { PNG } from "pngjs"
import * as Picture from "../src/Picture.js"
import * as Png from "../src/Png.js"
import type { PngError, PngErrorReason } from "../src/PngError.js"

// PNGs made by hand, byte by byte, so that each can be whole or damaged in one chosen way.

const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => new Uint8Array(Buffer.concat(parts))

const uint32 = (n: number) => {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, n >>> 0)
  return bytes
}

/** A chunk: length, type, data, and the CRC of type and data (or `crc` as given). */
const chunk = (type: string, data: Uint8Array = new Uint8Array(0), crc?: number) => {
  const typeAndData = concat(Buffer.from(type, "latin1"), data)
  return concat(uint32(data.length), typeAndData, uint32(crc ?? Png.crc32(typeAndData)))
}

interface Spec {
  readonly width: number
  readonly height: number
  readonly bitDepth?: number
  readonly colourType?: number
  readonly compression?: number
  readonly filter?: number
  readonly interlace?: number
}

const ihdr = ({ bitDepth = 8, colourType = 0, compression = 0, filter = 0, height, interlace = 0, width }: Spec) =>
  chunk("IHDR", concat(uint32(width), uint32(height), Uint8Array.of(bitDepth, colourType, compression, filter, interlace)))

const headerOf = (spec: Spec): Png.Header => ({
  width: spec.width,
  height: spec.height,
  bitDepth: (spec.bitDepth ?? 8) as Png.Header["bitDepth"],
  colourType: (spec.colourType ?? 0) as Png.Header["colourType"],
  interlaced: spec.interlace === 1
})

/** The filtered rows of every pass: filter type 0 (none), then a seeded pattern of samples. */
const rowsOf = (spec: Spec): Uint8Array => {
  const header = headerOf(spec)
  const rows = new Uint8Array(Png.imageDataBytes(header))
  let at = 0
  for (const pass of Png.passes(header)) {
    const bytes = Png.rowBytes(header, pass.width)
    for (let y = 0; y < pass.height; y++) {
      rows[at] = 0
      for (let x = 1; x < bytes; x++) rows[at + x] = (x * 37 + y * 11 + pass.index * 5) & 0xff
      at += bytes
    }
  }
  return rows
}

const signature = Png.signature

/** A PNG of `spec` whose image data is `idat` (compressed), in chunks of `piece` bytes. */
const pngOf = (spec: Spec, idat: Uint8Array = zlib.deflateSync(rowsOf(spec)), piece = idat.length || 1, before: ReadonlyArray<Uint8Array> = []) => {
  const idats: Array<Uint8Array> = []
  for (let i = 0; i < Math.max(1, idat.length); i += piece) idats.push(chunk("IDAT", idat.subarray(i, i + piece)))
  return concat(signature, ihdr(spec), ...before, ...idats, chunk("IEND"))
}

const small: Spec = { width: 9, height: 7, colourType: 6 }
// A small PNG with more than the least: a text chunk, and its image data across three IDATs.
const smallPng = pngOf(small, zlib.deflateSync(rowsOf(small)), 60, [chunk("tEXt", Buffer.from("Comment\0a test", "latin1"))])

const checked = (bytes: Uint8Array, limit: Memory.Limit = Memory.standard, path = "digit.png") =>
  Effect.either(Png.check(bytes, path, limit))

const failure = (bytes: Uint8Array, limit: Memory.Limit = Memory.standard, path = "digit.png") =>
  Effect.flip(Png.check(bytes, path, limit))

const expectPngError = (error: PngError | Memory.MemoryLimitError, reason: PngErrorReason, message: RegExp) => {
  expect(error._tag).toBe("PngError")
  expect((error as PngError).reason).toBe(reason)
  expect(error.message).toMatch(message)
  expect(error.message).not.toMatch(/\n/)
}

// Decoding in full (checks, then pngjs, then ink) ends in a typed failure, never in a defect
// (a throw) and never in a picture.
const expectRefused = (bytes: Uint8Array) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(Picture.inkOfPng(bytes, "digit.png", Memory.standard))
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) {
      const error = Cause.failureOption(exit.cause)
      expect(error._tag, Cause.pretty(exit.cause)).toBe("Some")
      return Either.getOrThrow(Either.fromOption(error, () => "no failure"))
    }
    throw new Error("decoded")
  })

describe("Png.crc32", () => {
  it("is PNG's CRC: IEND's is AE 42 60 82, and it agrees with node:zlib where Node has one", () => {
    expect(Png.crc32(Buffer.from("IEND", "latin1"))).toBe(0xae426082)
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 131) & 0xff)
    const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32
    if (native !== undefined) expect(Png.crc32(bytes)).toBe(native(bytes))
  })
})

describe("Png.header", () => {
  it("reads the header of PNGs pngjs wrote, of every colour type and depth it writes", () => {
    for (const colorType of [0, 2, 4, 6] as const) {
      for (const bitDepth of [8, 16] as const) {
        const image = new PNG({ width: 5, height: 3, colorType, bitDepth })
        const bytes = new Uint8Array(PNG.sync.write(image, { colorType, bitDepth }))
        expect(Either.getOrThrow(Png.header(bytes, "a.png"))).toEqual({ width: 5, height: 3, bitDepth, colourType: colorType, interlaced: false })
      }
    }
  })

  it("refuses values PNG does not allow, naming them", () => {
    const cases: Array<[Spec, RegExp]> = [
      [{ width: 0, height: 7 }, /the image is 0×7: PNG needs at least one pixel each way/],
      [{ width: 9, height: 0 }, /the image is 9×0/],
      [{ width: 2 ** 31, height: 7 }, /the image is 2147483648×7: PNG allows at most 2³¹ − 1 pixels each way/],
      [{ width: 9, height: 2 ** 32 - 1 }, /the image is 9×4294967295/],
      [{ width: 9, height: 7, colourType: 5 }, /colour type 5; PNG has 0, 2, 3, 4 and 6/],
      [{ width: 9, height: 7, bitDepth: 3 }, /bit depth 3 with colour type 0 \(grey\); PNG allows 1, 2, 4, 8, 16 there/],
      [{ width: 9, height: 7, bitDepth: 16, colourType: 3 }, /bit depth 16 with colour type 3 \(palette\)/],
      [{ width: 9, height: 7, bitDepth: 4, colourType: 6 }, /bit depth 4 with colour type 6 \(RGBA\)/],
      [{ width: 9, height: 7, compression: 1 }, /compression method 1/],
      [{ width: 9, height: 7, filter: 1 }, /filter method 1/],
      [{ width: 9, height: 7, interlace: 2 }, /interlace method 2/]
    ]
    for (const [spec, detail] of cases) {
      const error = Either.getOrThrow(Either.flip(Png.header(pngOf(spec, new Uint8Array(0)), "odd.png")))
      expectPngError(error, "BadHeader", /^odd\.png at byte 16: the PNG's header is invalid \(/)
      expect(error.message).toMatch(detail)
      expect(error.message).toMatch(/\); the file is damaged or not really a PNG: save or export it again$/)
    }
  })

  it("refuses a first chunk that is not IHDR, and an IHDR that fails its CRC", () => {
    const first = concat(signature, chunk("tEXt", new Uint8Array(13)), ihdr(small), chunk("IEND"))
    expectPngError(Either.getOrThrow(Either.flip(Png.header(first, "a.png"))), "BadHeader", /the first chunk is not a 13-byte IHDR/)
    const bad = concat(signature, chunk("IHDR", ihdr(small).subarray(8, 21), 1234), chunk("IEND"))
    expectPngError(Either.getOrThrow(Either.flip(Png.header(bad, "a.png"))), "DamagedChunk", /^a\.png at byte 8: the PNG is damaged \(the IHDR chunk fails its CRC check\)/)
  })

  it("says what a file that is not a PNG looks like", () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70), /\(it looks like a JPEG\)/],
      [Buffer.from("GIF89a........"), /\(it looks like a GIF\)/],
      [Buffer.from("<!DOCTYPE html><html>"), /\(it looks like HTML, XML or SVG text\)/],
      // The signature's CR LF turned into LF, as a text-mode transfer does.
      [concat(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0a, 0x1a, 0x0a), smallPng.subarray(8)), /line-ending bytes were changed/],
      [Buffer.from("hello"), /signature; give a \.png file/]
    ]
    for (const [bytes, detail] of cases) {
      const error = Either.getOrThrow(Either.flip(Png.header(bytes, "photo.png")))
      expectPngError(error, "NotPng", /^photo\.png: not a PNG: it does not start with the PNG signature/)
      expect(error.message).toMatch(detail)
    }
    expectPngError(Either.getOrThrow(Either.flip(Png.header(new Uint8Array(0), "e.png"))), "Empty", /^e\.png: the file is empty; save or download the PNG again$/)
  })
})

describe("Png.imageDataBytes", () => {
  it("is height × (1 + ⌈width × bits per pixel / 8⌉) without interlacing", () => {
    expect(Png.imageDataBytes(headerOf({ width: 28, height: 28, colourType: 6 }))).toBe(28 * 113)
    expect(Png.imageDataBytes(headerOf({ width: 9, height: 7, bitDepth: 1 }))).toBe(7 * 3)
    expect(Png.imageDataBytes(headerOf({ width: 3, height: 2, bitDepth: 16, colourType: 2 }))).toBe(2 * 19)
    expect(Png.imageDataBytes(headerOf({ width: 20000, height: 20000, colourType: 6 }))).toBe(20000 * 80001)
  })

  it("is the sum over Adam7's passes, each pixel in exactly one, and pngjs decodes PNGs of that size", () => {
    const starts = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]]
    for (let width = 1; width <= 19; width++) {
      for (let height = 1; height <= 19; height++) {
        for (const bitDepth of [1, 8]) {
          const header = headerOf({ width, height, bitDepth, interlace: 1 })
          // Counted pixel by pixel: the rows of pass p are the y ≡ y0 (mod dy) that hold a pixel.
          let expected = 0
          for (const [x0, y0, dx, dy] of starts) {
            const passWidth = Array.from({ length: width }, (_, x) => x).filter((x) => x % dx! === x0).length
            const passRows = Array.from({ length: height }, (_, y) => y).filter((y) => y % dy! === y0).length
            if (passWidth > 0) expected += passRows * (1 + Math.ceil((passWidth * bitDepth) / 8))
          }
          expect(Png.imageDataBytes(header)).toBe(expected)
        }
      }
    }
    // pngjs's interlaced path refuses image data one byte too long or too short.
    for (const [width, height] of [[1, 1], [5, 3], [9, 7], [17, 2]] as const) {
      const spec = { width, height, interlace: 1, colourType: 6 }
      expect(PNG.sync.read(Buffer.from(pngOf(spec))).data.length).toBe(width * height * 4)
    }
  })
})

describe("Png.check: memory", () => {
  it.effect("refuses a 20000×20000 PNG of a few bytes before decoding it, allocating nothing big", () =>
    Effect.gen(function* () {
      const huge = pngOf({ width: 20000, height: 20000, colourType: 6 }, zlib.deflateSync(new Uint8Array(100)))
      const read = vi.spyOn(PNG.sync, "read")
      const before = process.memoryUsage()
      const started = performance.now()
      const error = yield* Effect.flip(Picture.inkOfPng(huge, "huge.png", Memory.standard))
      const after = process.memoryUsage()
      expect(error._tag).toBe("MemoryLimitError")
      expect(error.message).toMatch(
        /^huge\.png: decoding this 20000×20000 PNG would need about [\d.]+ GiB of memory, more than the limit of 2\.0 GiB; allow more memory$/
      )
      expect((error as Memory.MemoryLimitError).needed).toBeGreaterThan(4 * 20000 * 20000)
      expect(read).not.toHaveBeenCalled()
      read.mockRestore()
      expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 * 1024)
      expect(after.rss - before.rss).toBeLessThan(64 * 1024 * 1024)
      expect(performance.now() - started).toBeLessThan(1000)
    }))

  it.effect("with memory to spare, the same file is refused for its missing rows, inflated without keeping them", () =>
    Effect.gen(function* () {
      const huge = pngOf({ width: 20000, height: 20000, colourType: 6 }, zlib.deflateSync(new Uint8Array(100)))
      const before = process.memoryUsage()
      const error = yield* failure(huge, Memory.limit(2 ** 50), "huge.png")
      expect(process.memoryUsage().arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 * 1024)
      expectPngError(
        error,
        "DamagedImageData",
        /^huge\.png: the PNG's image data is damaged \(it inflates to 100 bytes of rows, and a 20000×20000 header needs 1600020000: rows are missing\); save or download it again$/
      )
    }))

  it.effect("an image whose rows no buffer can hold is too large, whatever the limit", () =>
    Effect.gen(function* () {
      const widest = pngOf({ width: 2 ** 31 - 1, height: 2 ** 31 - 1, bitDepth: 1 }, zlib.deflateSync(new Uint8Array(10)))
      const error = yield* failure(widest, Memory.limit(2 ** 80))
      expectPngError(error, "TooLarge", /^digit\.png: the image is too large to decode \(decoding a 2147483647×2147483647 image takes a buffer of/)
    }))

  it("estimates more for more pixels, for 16-bit samples and for interlacing, from the header alone", () => {
    const at = (spec: Spec) => Png.decodingBytes(headerOf(spec), 0)
    expect(at({ width: 2000, height: 2000, colourType: 6 })).toBeGreaterThan(at({ width: 1000, height: 1000, colourType: 6 }))
    expect(at({ width: 1000, height: 1000, colourType: 6, bitDepth: 16 })).toBeGreaterThan(at({ width: 1000, height: 1000, colourType: 6 }))
    expect(at({ width: 1000, height: 1000, colourType: 6, interlace: 1 })).toBeGreaterThan(at({ width: 1000, height: 1000, colourType: 6 }))
    // At least what pngjs's RGBA output and the inflated rows take between them.
    expect(at({ width: 5000, height: 5000, colourType: 6 })).toBeGreaterThan(5000 * 5000 * 4 + 5000 * 20001)
  })
})

describe("Png.check: cut short", () => {
  it.effect("every cut of a small PNG is refused as cut short, by Png.check and by Picture.inkOfPng", () =>
    Effect.gen(function* () {
      const written = new Uint8Array(PNG.sync.write(new PNG({ width: 6, height: 4 })))
      for (const whole of [smallPng, written]) {
        expect(Either.isRight(yield* checked(whole))).toBe(true)
        for (let length = 0; length < whole.length; length++) {
          const cut = whole.subarray(0, length)
          const error = yield* failure(cut)
          if (length === 0) expectPngError(error, "Empty", /the file is empty/)
          else expectPngError(error, "Truncated", /^digit\.png: the PNG is cut short \(.*\): the file is incomplete; save or download it again$/)
          expect((yield* expectRefused(cut))._tag).toBe("PngError")
        }
      }
    }))

  it.effect("says where it was cut", () =>
    Effect.gen(function* () {
      expect((yield* failure(smallPng.subarray(0, 20))).message).toMatch(/it ends after 20 bytes, inside the header/)
      const idat = 33 + 12 + 14
      expect((yield* failure(smallPng.subarray(0, idat + 30))).message).toMatch(
        new RegExp(`the IDAT chunk at byte ${idat} needs 72 bytes, 30 are left`)
      )
      expect((yield* failure(smallPng.subarray(0, smallPng.length - 12))).message).toMatch(/before its IEND chunk/)
    }))
})

describe("Png.check: damage", () => {
  it.effect("every byte of a small PNG changed is refused with a typed error", () =>
    Effect.gen(function* () {
      for (let i = 0; i < smallPng.length; i++) {
        const changed = Uint8Array.from(smallPng)
        changed[i] = changed[i]! ^ 0x55
        const error = yield* expectRefused(changed)
        expect(["NotPng", "BadHeader", "DamagedChunk", "Truncated"]).toContain((error as PngError).reason)
      }
    }))

  it.effect("image data whose zlib stream is cut short is refused, though pngjs would take it as whole", () =>
    Effect.gen(function* () {
      const full = zlib.deflateSync(rowsOf(small))
      // Without its last 4 bytes (zlib's Adler-32) the stream still inflates to every row.
      const noChecksum = pngOf(small, full.subarray(0, full.length - 4))
      expect(PNG.sync.read(Buffer.from(noChecksum)).data.length).toBe(9 * 7 * 4)
      expectPngError(
        yield* failure(noChecksum),
        "DamagedImageData",
        /^digit\.png: the PNG's image data is damaged \(its zlib stream stops before its end: every row is there, but not the checksum that vouches for them\); save or download it again$/
      )
      for (const keep of [0, 2, 10, full.length >> 1, full.length - 1]) {
        const short = pngOf(small, full.subarray(0, keep))
        expectPngError(yield* failure(short), "DamagedImageData", /its zlib stream stops before its end|zlib: /)
        yield* expectRefused(short)
      }
      expect((yield* failure(pngOf(small, full.subarray(0, full.length >> 1)))).message).toMatch(
        /its zlib stream stops before its end, after \d+ of the 259 bytes of rows: part of the image is missing/
      )
    }))

  it.effect("a whole zlib stream of too few rows, or too many, is refused", () =>
    Effect.gen(function* () {
      for (const spec of [small, { ...small, interlace: 1 }, { width: 30, height: 5, bitDepth: 1 }]) {
        const rows = rowsOf(spec)
        const expected = rows.length
        const fewer = pngOf(spec, zlib.deflateSync(rows.subarray(0, expected - 3)))
        expectPngError(
          yield* failure(fewer),
          "DamagedImageData",
          new RegExp(`it inflates to ${expected - 3} bytes of rows, and a ${spec.width}×${spec.height} header needs ${expected}: rows are missing`)
        )
        yield* expectRefused(fewer)
        const more = pngOf(spec, zlib.deflateSync(concat(rows, new Uint8Array(40))))
        expectPngError(yield* failure(more), "DamagedImageData", new RegExp(`it inflates to more than the ${expected} bytes of rows`))
      }
    }))

  it.effect("a row with a filter type PNG does not have is refused, naming the row", () =>
    Effect.gen(function* () {
      const rows = rowsOf(small)
      rows[3 * Png.rowBytes(headerOf(small), 9)] = 117
      expectPngError(yield* failure(pngOf(small, zlib.deflateSync(rows))), "DamagedImageData", /\(row 3 has filter type 117, and PNG's are 0 to 4\)/)
      const interlaced = { ...small, interlace: 1 }
      const passes = rowsOf(interlaced)
      passes[Png.rowBytes(headerOf(interlaced), 2)] = 9 // the first row of pass 2
      expectPngError(yield* failure(pngOf(interlaced, zlib.deflateSync(passes))), "DamagedImageData", /row 0 of interlace pass 2 has filter type 9/)
    }))

  it.effect("image data that is not zlib is refused with zlib's words", () =>
    Effect.gen(function* () {
      const garbage = pngOf(small, Uint8Array.from({ length: 50 }, (_, i) => (i * 97) & 0xff))
      expectPngError(yield* failure(garbage), "DamagedImageData", /\(zlib: [a-z ]+\)/)
    }))

  it.effect("chunks PNG requires, forbids or frames wrongly are refused", () =>
    Effect.gen(function* () {
      const image = zlib.deflateSync(rowsOf(small))
      const noIdat = concat(signature, ihdr(small), chunk("IEND"))
      expectPngError(yield* failure(noIdat), "DamagedChunk", /it has no IDAT chunk: no image data/)
      const palette = { width: 4, height: 2, colourType: 3 }
      expectPngError(yield* failure(pngOf(palette)), "DamagedChunk", /a palette image with no PLTE chunk/)
      const twice = concat(signature, ihdr(small), ihdr(small), chunk("IDAT", image), chunk("IEND"))
      expectPngError(yield* failure(twice), "DamagedChunk", /^digit\.png at byte 33: the PNG is damaged \(a second IHDR chunk\)/)
      const critical = pngOf(small, image, image.length, [chunk("ABCD", new Uint8Array(3))])
      expectPngError(yield* failure(critical), "Undecodable", /it has a critical chunk ABCD, which is not part of PNG/)
      const long = concat(signature, ihdr(small), uint32(2 ** 31), Buffer.from("IDAT"), new Uint8Array(8))
      expectPngError(yield* failure(long), "DamagedChunk", /the IDAT chunk claims 2147483648 bytes, more than PNG allows/)
      const unnamed = concat(signature, ihdr(small), uint32(0), Uint8Array.of(0, 1, 2, 3), new Uint8Array(4))
      expectPngError(yield* failure(unnamed), "DamagedChunk", /a chunk's type is not four letters/)
    }))

  it.effect("what only pngjs finds (a palette index past the palette) is refused in words, not thrown", () =>
    Effect.gen(function* () {
      const palette = { width: 4, height: 2, colourType: 3 }
      const rows = Uint8Array.of(0, 0, 1, 0, 5, 0, 1, 1, 1, 1) // index 5 in a palette of 2
      const bytes = pngOf(palette, zlib.deflateSync(rows), 100, [chunk("PLTE", Uint8Array.of(0, 0, 0, 255, 255, 255))])
      const error = yield* expectRefused(bytes)
      expectPngError(error, "Undecodable", /^digit\.png: the PNG cannot be decoded \(pngjs: index 5 not in palette\); open it in an image editor and save it again as PNG$/)
    }))
})

describe("Png.check: whole PNGs", () => {
  it.effect("passes PNGs of every colour type and depth, interlaced or not, with image data in any number of IDATs", () =>
    Effect.gen(function* () {
      const specs: Array<Spec> = [
        { width: 9, height: 7, bitDepth: 1 },
        { width: 9, height: 7, bitDepth: 2 },
        { width: 9, height: 7, bitDepth: 4 },
        { width: 9, height: 7, bitDepth: 16 },
        { width: 9, height: 7, colourType: 2, bitDepth: 16 },
        { width: 9, height: 7, colourType: 4 },
        { width: 9, height: 7, colourType: 6, interlace: 1 },
        { width: 1, height: 1, colourType: 6, interlace: 1 }
      ]
      for (const spec of specs) {
        for (const piece of [1, 7, 10_000]) {
          const bytes = pngOf(spec, zlib.deflateSync(rowsOf(spec)), piece)
          const result = yield* checked(bytes)
          expect(Either.getOrThrow(result).header).toEqual(headerOf(spec))
          const ink = yield* Picture.inkOfPng(bytes, "digit.png", Memory.standard)
          expect([ink.rows, ink.cols]).toEqual([spec.height, spec.width])
        }
      }
    }))

  it.effect("ignores bytes after IEND, which some programs append", () =>
    Effect.gen(function* () {
      const trailing = concat(smallPng, Buffer.from("trailing junk"))
      expect(Either.getOrThrow(yield* checked(trailing)).end).toBe(smallPng.length)
      const ink = yield* Picture.inkOfPng(trailing, "digit.png", Memory.standard)
      expect(ink).toEqual(yield* Picture.inkOfPng(smallPng, "digit.png", Memory.standard))
    }))
})
