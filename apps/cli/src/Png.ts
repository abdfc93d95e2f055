/**
 * PNG files, checked before they are decoded, so that the decoder (pngjs) only ever sees a
 * whole PNG of a size the memory allowed can hold.
 *
 * A PNG is an 8-byte signature and a list of chunks, each framed by its length and type and
 * closed by a CRC-32 of its type and data, from IHDR (the header) to IEND:
 * ```
 *   89 50 4E 47 0D 0A 1A 0A          the signature
 *   00 00 00 0D  I H D R  (13 bytes)  CRC   width, height (4 bytes each), bit depth, colour type,
 *                                           compression, filter, interlace (1 byte each)
 *   (PLTE, tRNS, text, …)
 *   length  I D A T  (data)  CRC      the image data: one zlib stream, cut across the IDATs
 *   00 00 00 00  I E N D  CRC
 * ```
 * The image data inflates to the filtered rows: `height × (1 + ⌈width × bitsPerPixel / 8⌉)`
 * bytes, a filter-type byte (0 to 4) in front of every row — for an interlaced (Adam7) image,
 * the same sum over its seven reduced images.
 *
 * `check` goes through a file in the order that costs least: the signature, the header (read
 * at its fixed offsets), the memory that decoding would need (`decodingBytes`, compared with
 * the limit), the chunks (framing and CRCs, up to IEND), then the image data, inflated here as
 * a stream that is counted and dropped as it comes, against what the header says — pngjs checks
 * neither that the zlib stream ends nor, for an image without interlacing, that it holds every
 * row.
 *
 * Not for: turning pixels into ink (see `Picture.inkOfPng`) or writing PNGs (see `Raster`).
 *
 * @since 0.3.0
 */
import { Memory } from "@descent/core"
import { Effect, Either } from "effect"
import { constants as bufferConstants } from "node:buffer"
import { createInflate } from "node:zlib"
import { PngError } from "./PngError.js"

/**
 * The header (IHDR): what the image is, before any of it is read.
 *
 * @since 0.3.0
 * @category models
 */
export interface Header {
  readonly width: number
  readonly height: number
  /** Bits per sample (per palette index for colour type 3). */
  readonly bitDepth: 1 | 2 | 4 | 8 | 16
  /** 0 grey, 2 RGB, 3 palette, 4 grey and alpha, 6 RGBA. */
  readonly colourType: 0 | 2 | 3 | 4 | 6
  /** Adam7 interlacing: seven reduced images instead of one. */
  readonly interlaced: boolean
}

/**
 * A PNG that passed `check`: its header, and where its IEND chunk ends (bytes after it, which
 * some programs append, are not part of the image).
 *
 * @since 0.3.0
 * @category models
 */
export interface Checked {
  readonly header: Header
  readonly end: number
}

/**
 * The 8 bytes every PNG starts with.
 *
 * @since 0.3.0
 * @category constants
 */
export const signature: Uint8Array = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)

/**
 * The largest width, height and chunk length PNG allows: 2³¹ − 1.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxUint31 = 0x7fffffff

// Samples per pixel, and the bit depths PNG allows, for each colour type.
const colourTypes: Record<number, { readonly name: string; readonly samples: number; readonly depths: ReadonlyArray<number> }> = {
  0: { name: "grey", samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { name: "RGB", samples: 3, depths: [8, 16] },
  3: { name: "palette", samples: 1, depths: [1, 2, 4, 8] },
  4: { name: "grey and alpha", samples: 2, depths: [8, 16] },
  6: { name: "RGBA", samples: 4, depths: [8, 16] }
}

const uint32 = (bytes: Uint8Array, at: number): number =>
  ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0

const typeName = (bytes: Uint8Array, at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4))

let crcTable: Uint32Array | undefined

/**
 * The CRC-32 of `bytes[start, end)`, as PNG (and zlib, and gzip) define it: what closes every
 * chunk, computed over its type and data. (node:zlib has one only from Node 20.15.)
 *
 * @since 0.3.0
 * @category checksums
 */
export const crc32 = (bytes: Uint8Array, start = 0, end = bytes.length): number => {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let c = 0xffffffff
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

// What a file that is not a PNG most likely is, from its first bytes: for the message only.
const lookalike = (bytes: Uint8Array): string | undefined => {
  const starts = (...prefix: ReadonlyArray<number>) => prefix.every((b, i) => bytes[i] === b)
  const text = typeName(bytes, 0)
  if (starts(0x89, 0x50, 0x4e, 0x47)) {
    return "it starts like one, but its line-ending bytes were changed, as a text-mode transfer does"
  }
  if (starts(0xff, 0xd8, 0xff)) return "it looks like a JPEG"
  if (text === "GIF8") return "it looks like a GIF"
  if (text === "RIFF" && typeName(bytes, 8) === "WEBP") return "it looks like a WebP image"
  if (text.startsWith("BM")) return "it looks like a BMP image"
  if (text === "II*\0" || text === "MM\0*") return "it looks like a TIFF image"
  if (text.trimStart().startsWith("<")) return "it looks like HTML, XML or SVG text"
  return undefined
}

/**
 * The header of a PNG, read from the first 33 bytes: the signature, then IHDR, which PNG
 * requires to be the first chunk, so its fields sit at fixed offsets (16 to 28) and its CRC
 * at 29. It is read here, not by pngjs, because pngjs 7 has no header-only parse: its
 * synchronous reader decodes the whole image in the call that reads the header, and its
 * streaming parser announces the header ("metadata") on its way to doing the same.
 *
 * @since 0.3.0
 * @category decoding
 */
export const header = (bytes: Uint8Array, path: string): Either.Either<Header, PngError> => {
  if (bytes.length === 0) return Either.left(new PngError({ reason: "Empty", path }))
  const given = Math.min(bytes.length, signature.length)
  if (!signature.subarray(0, given).every((b, i) => bytes[i] === b)) {
    return Either.left(new PngError({ reason: "NotPng", path, detail: lookalike(bytes) }))
  }
  if (bytes.length < 33) {
    return Either.left(new PngError({ reason: "Truncated", path, detail: `it ends after ${bytes.length} bytes, inside the header` }))
  }
  if (uint32(bytes, 8) !== 13 || typeName(bytes, 12) !== "IHDR") {
    return Either.left(new PngError({ reason: "BadHeader", path, offset: 8, detail: "the first chunk is not a 13-byte IHDR" }))
  }
  if (crc32(bytes, 12, 29) !== uint32(bytes, 29)) {
    return Either.left(new PngError({ reason: "DamagedChunk", path, offset: 8, detail: "the IHDR chunk fails its CRC check" }))
  }
  const width = uint32(bytes, 16)
  const height = uint32(bytes, 20)
  const [bitDepth, colourType, compression, filter, interlace] = bytes.subarray(24, 29)
  const bad = (detail: string) => Either.left(new PngError({ reason: "BadHeader", path, offset: 16, detail }))
  if (width === 0 || height === 0) return bad(`the image is ${width}×${height}: PNG needs at least one pixel each way`)
  if (width > maxUint31 || height > maxUint31) return bad(`the image is ${width}×${height}: PNG allows at most 2³¹ − 1 pixels each way`)
  const colour = colourTypes[colourType!]
  if (colour === undefined) return bad(`colour type ${colourType}; PNG has 0, 2, 3, 4 and 6`)
  if (!colour.depths.includes(bitDepth!)) {
    return bad(`bit depth ${bitDepth} with colour type ${colourType} (${colour.name}); PNG allows ${colour.depths.join(", ")} there`)
  }
  if (compression !== 0) return bad(`compression method ${compression}; PNG has only 0 (zlib)`)
  if (filter !== 0) return bad(`filter method ${filter}; PNG has only 0`)
  if (interlace !== 0 && interlace !== 1) return bad(`interlace method ${interlace}; PNG has 0 (none) and 1 (Adam7)`)
  return Either.right({
    width,
    height,
    bitDepth: bitDepth as Header["bitDepth"],
    colourType: colourType as Header["colourType"],
    interlaced: interlace === 1
  })
}

/**
 * Bits per pixel: samples per pixel × bit depth (1 to 64).
 *
 * @since 0.3.0
 * @category sizes
 */
export const bitsPerPixel = (header: Header): number => colourTypes[header.colourType]!.samples * header.bitDepth

// Adam7's seven passes: the first pixel of each and the step between pixels, across and down.
const adam7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2]
] as const

/**
 * One image of rows in the image data: the whole image, or one of Adam7's seven passes
 * (`index` 1 to 7).
 *
 * @since 0.3.0
 * @category models
 */
export interface Pass {
  readonly index: number
  readonly width: number
  readonly height: number
}

/**
 * The images the rows of the image data make, in order: the whole image, or the seven reduced
 * images of Adam7, less those that get no pixel (a 1×1 image has only the first).
 *
 * @since 0.3.0
 * @category sizes
 */
export const passes = (header: Header): ReadonlyArray<Pass> =>
  header.interlaced
    ? adam7
      .map(([x0, y0, dx, dy], i) => ({
        index: i + 1,
        width: Math.max(0, Math.ceil((header.width - x0) / dx)),
        height: Math.max(0, Math.ceil((header.height - y0) / dy))
      }))
      .filter((pass) => pass.width > 0 && pass.height > 0)
    : [{ index: 1, width: header.width, height: header.height }]

/**
 * Bytes in one row of an image `width` pixels wide, with its filter-type byte in front.
 *
 * @since 0.3.0
 * @category sizes
 */
export const rowBytes = (header: Header, width: number): number => 1 + Math.ceil((width * bitsPerPixel(header)) / 8)

/**
 * Bytes the image data inflates to: every row of every pass, with its filter-type byte. The
 * header of a 28×28 RGBA image says 28 × (1 + 112) = 3,164.
 *
 * @since 0.3.0
 * @category sizes
 */
export const imageDataBytes = (header: Header): number =>
  passes(header).reduce((sum, pass) => sum + pass.height * rowBytes(header, pass.width), 0)

/**
 * The memory, in bytes, that decoding this PNG into ink would need at its peak, the file itself
 * (`fileBytes`) included:
 * - the file, and its compressed image data copied into one buffer by pngjs: 2.5 × the file
 *   (with garbage not yet collected);
 * - the inflated rows (`imageDataBytes`), 2.5 times: inflated, then unfiltered by pngjs (3.5
 *   times when interlaced: pngjs then inflates without knowing the size, and joins the pieces);
 * - pngjs's RGBA output and our grey ink: 6 bytes a pixel (4 and 1, and slack), 12 for 16-bit
 *   images (pngjs makes 16-bit RGBA first, then scales it to 8 bits);
 * - 32 MiB for the rest (pngjs's parser and row buffers).
 * `check`'s own look at the image data takes 64 KiB at a time and keeps none of it.
 *
 * Calibrated with pngjs 7 on Node 20: the peak resident memory of a fresh process decoding one
 * file, above what it held before (plus the file), for 1000² to 8000² images of every colour
 * type and bit depth, interlaced or not, of noise (files nearly as large as their rows) and of
 * flat shapes (files 200 times smaller). For images of 3000² and more the estimate is 1.13 to
 * 1.6 times what was measured; for small ones more (the 32 MiB). An 8000×8000 RGBA image of
 * noise (a 218 MiB file) took 1049 MiB with the file, 1275 MiB interlaced; the estimates are
 * 1.5 and 1.8 GiB. Under the standard 2 GiB, a 10000×10000 RGBA PNG is refused (it took 1.7 GB;
 * before these checks, 4.9 GB and 39 s).
 *
 * @since 0.3.0
 * @category sizes
 */
export const decodingBytes = (header: Header, fileBytes: number): number => {
  const pixels = header.width * header.height
  const rows = (header.interlaced ? 3.5 : 2.5) * imageDataBytes(header)
  const perPixel = header.bitDepth === 16 ? 12 : 6
  return 2.5 * fileBytes + rows + perPixel * pixels + 32 * 1024 * 1024
}

/**
 * Bytes of the largest single buffer decoding takes: the inflated rows, or pngjs's RGBA output
 * (16-bit samples for 16-bit images). Above `buffer.constants.MAX_LENGTH` (4 GiB on Node 20)
 * no amount of memory lets pngjs decode the image.
 *
 * @since 0.3.0
 * @category sizes
 */
export const largestBuffer = (header: Header): number =>
  Math.max(imageDataBytes(header), (header.bitDepth === 16 ? 8 : 4) * header.width * header.height)

interface Chunk {
  readonly type: string
  /** Where the chunk starts (its length field). */
  readonly offset: number
  readonly length: number
}

// The chunks from IHDR to IEND, each framed whole and with a CRC that matches.
const chunks = (bytes: Uint8Array, path: string): Either.Either<{ readonly list: ReadonlyArray<Chunk>; readonly end: number }, PngError> => {
  const list: Array<Chunk> = []
  let offset = signature.length
  for (;;) {
    if (offset + 8 > bytes.length) {
      const detail = offset === bytes.length
        ? `it ends after ${offset} bytes, before its IEND chunk`
        : `it ends inside the chunk starting at byte ${offset}, before its IEND chunk`
      return Either.left(new PngError({ reason: "Truncated", path, detail }))
    }
    const length = uint32(bytes, offset)
    const type = typeName(bytes, offset + 4)
    if (!/^[A-Za-z]{4}$/.test(type)) {
      return Either.left(
        new PngError({ reason: "DamagedChunk", path, offset, detail: "a chunk's type is not four letters: the file is corrupted here" })
      )
    }
    if (length > maxUint31) {
      return Either.left(new PngError({ reason: "DamagedChunk", path, offset, detail: `the ${type} chunk claims ${length} bytes, more than PNG allows` }))
    }
    const end = offset + 12 + length
    if (end > bytes.length) {
      const detail = `the ${type} chunk at byte ${offset} needs ${12 + length} bytes, ${bytes.length - offset} are left`
      return Either.left(new PngError({ reason: "Truncated", path, detail }))
    }
    if (crc32(bytes, offset + 4, end - 4) !== uint32(bytes, end - 4)) {
      return Either.left(new PngError({ reason: "DamagedChunk", path, offset, detail: `the ${type} chunk fails its CRC check` }))
    }
    list.push({ type, offset, length })
    offset = end
    if (type === "IEND") return Either.right({ list, end })
  }
}

// The chunks say what PNG requires of them: one IHDR, a palette before the image data when
// the image needs one, and image data at all. Critical chunks (an upper-case first letter) that
// are none of PNG's four must be understood to decode the image: pngjs does not know any.
const structure = (list: ReadonlyArray<Chunk>, header: Header, path: string): PngError | undefined => {
  const damaged = (detail: string, offset?: number) => new PngError({ reason: "DamagedChunk", path, offset, detail })
  const firstIdat = list.findIndex((chunk) => chunk.type === "IDAT")
  if (firstIdat === -1) return damaged("it has no IDAT chunk: no image data")
  for (const [i, chunk] of list.entries()) {
    if (i > 0 && chunk.type === "IHDR") return damaged("a second IHDR chunk", chunk.offset)
    if (/^[A-Z]/.test(chunk.type) && !["IHDR", "PLTE", "IDAT", "IEND"].includes(chunk.type)) {
      return new PngError({
        reason: "Undecodable",
        path,
        offset: chunk.offset,
        detail: `it has a critical chunk ${chunk.type}, which is not part of PNG`
      })
    }
  }
  if (header.colourType === 3 && !list.slice(0, firstIdat).some((chunk) => chunk.type === "PLTE")) {
    return damaged("a palette image with no PLTE chunk (its palette) before its image data")
  }
  return undefined
}

// The image data inflates, to its end, to exactly the rows the header describes, each with a
// filter type PNG has. Inflated as a stream and looked at as it comes, 64 KiB at a time, never
// kept: the check needs no memory to speak of, and stops at the first byte past the rows the
// header implies (pngjs's own inflate, for images without interlacing, stops there silently).
const imageData = (bytes: Uint8Array, list: ReadonlyArray<Chunk>, header: Header, path: string): Effect.Effect<void, PngError> =>
  Effect.async<void, PngError>((resume) => {
    const damaged = (detail: string) => new PngError({ reason: "DamagedImageData", path, detail })
    const expected = imageDataBytes(header)
    const size = `${header.width}×${header.height}`
    const images = passes(header)
    const inflate = createInflate({ chunkSize: 64 * 1024 })
    let done = false
    const finish = (error?: PngError) => {
      if (done) return
      done = true
      inflate.destroy()
      resume(error === undefined ? Effect.void : Effect.fail(error))
    }
    // Where the next row's filter-type byte is, counted in inflated bytes, and whose row it is.
    let seen = 0
    let nextRow = 0
    let pass = 0
    let row = 0
    inflate.on("data", (chunk: Buffer) => {
      if (done) return
      if (seen + chunk.length > expected) {
        return finish(damaged(`it inflates to more than the ${expected} bytes of rows a ${size} header describes`))
      }
      while (nextRow < seen + chunk.length) {
        const filter = chunk[nextRow - seen]!
        if (filter > 4) {
          const which = header.interlaced ? `row ${row} of interlace pass ${images[pass]!.index}` : `row ${row}`
          return finish(damaged(`${which} has filter type ${filter}, and PNG's are 0 to 4`))
        }
        nextRow += rowBytes(header, images[pass]!.width)
        if (++row === images[pass]!.height) {
          row = 0
          pass++
        }
      }
      seen += chunk.length
    })
    inflate.on("error", (error: NodeJS.ErrnoException) =>
      finish(
        damaged(
          error.code !== "Z_BUF_ERROR"
            ? `zlib: ${error.message}`
            : seen < expected
            ? `its zlib stream stops before its end, after ${seen} of the ${expected} bytes of rows: part of the image is missing`
            : "its zlib stream stops before its end: every row is there, but not the checksum that vouches for them"
        )
      ))
    inflate.on("end", () =>
      finish(
        seen < expected
          ? damaged(`it inflates to ${seen} bytes of rows, and a ${size} header needs ${expected}: rows are missing`)
          : undefined
      ))
    for (const chunk of list) {
      if (chunk.type === "IDAT") inflate.write(Buffer.from(bytes.buffer, bytes.byteOffset + chunk.offset + 8, chunk.length))
    }
    inflate.end()
    return Effect.sync(() => inflate.destroy())
  })

/**
 * A PNG checked whole, without decoding its pixels: the header, the memory decoding would need
 * against `limit` (`decodingBytes`, before anything else is allocated), every chunk up to IEND
 * (framing and CRC), and the image data (it inflates, to its end, to exactly the rows the
 * header describes, each with a valid filter type). A PNG that passes can be handed to pngjs.
 *
 * @since 0.3.0
 * @category decoding
 */
export const check = (
  bytes: Uint8Array,
  path: string,
  limit: Memory.Limit
): Effect.Effect<Checked, PngError | Memory.MemoryLimitError> =>
  Effect.gen(function* () {
    const found = yield* header(bytes, path)
    const tooMuch = Memory.check(limit, decodingBytes(found, bytes.length), path, `decoding this ${found.width}×${found.height} PNG`)
    if (tooMuch !== undefined) return yield* tooMuch
    const largest = largestBuffer(found)
    if (largest > bufferConstants.MAX_LENGTH) {
      return yield* new PngError({
        reason: "TooLarge",
        path,
        detail: `decoding a ${found.width}×${found.height} image takes a buffer of ${Memory.format(largest)}, more than Node can make (${Memory.format(bufferConstants.MAX_LENGTH)})`
      })
    }
    const { end, list } = yield* chunks(bytes, path)
    const problem = structure(list, found, path)
    if (problem !== undefined) return yield* problem
    yield* imageData(bytes, list, found, path)
    return { header: found, end }
  })
