/**
 * What can be wrong with a PNG file, as a value: a reason, the file, and (where it applies) the
 * byte offset — with a one-line message that says what is wrong and what to do about it.
 *
 * Not for: images that are whole but too big for the memory allowed (that is
 * `Memory.MemoryLimitError`), or whole images with no digit in them (`descent predict` says so).
 *
 * @since 0.3.0
 */
import { Data } from "effect"

/**
 * - `Empty`: the file has no bytes at all.
 * - `NotPng`: it does not start with the PNG signature.
 * - `Truncated`: it ends before its last chunk (IEND) does.
 * - `BadHeader`: the header (IHDR) holds values PNG does not allow (a width of 0, bit depth 3).
 * - `DamagedChunk`: a chunk fails its CRC, has an impossible length or type, or is missing.
 * - `DamagedImageData`: the chunks are whole, but the image data in them does not inflate to
 *   the rows the header describes.
 * - `TooLarge`: the rows would not fit in one buffer, whatever memory is allowed.
 * - `Undecodable`: everything above holds, but the decoder (pngjs) still refuses it.
 *
 * @since 0.3.0
 * @category models
 */
export type PngErrorReason =
  | "Empty"
  | "NotPng"
  | "Truncated"
  | "BadHeader"
  | "DamagedChunk"
  | "DamagedImageData"
  | "TooLarge"
  | "Undecodable"

/**
 * A file that could not be read as a whole PNG.
 *
 * @since 0.3.0
 * @category errors
 */
export class PngError extends Data.TaggedError("PngError")<{
  readonly reason: PngErrorReason
  readonly path: string
  /** Byte offset in the file where the problem is, where one applies. */
  readonly offset?: number | undefined
  /** What was found, in words: "width 0", "the IDAT chunk needs 8192 bytes, 100 are left". */
  readonly detail?: string | undefined
}> {
  override get message(): string {
    const where = this.offset === undefined ? this.path : `${this.path} at byte ${this.offset}`
    const detail = this.detail === undefined ? "" : ` (${this.detail})`
    switch (this.reason) {
      case "Empty":
        return `${where}: the file is empty; save or download the PNG again`
      case "NotPng":
        return `${where}: not a PNG: it does not start with the PNG signature${detail}; give a .png file, or convert the image to PNG first`
      case "Truncated":
        return `${where}: the PNG is cut short${detail}: the file is incomplete; save or download it again`
      case "BadHeader":
        return `${where}: the PNG's header is invalid${detail}; the file is damaged or not really a PNG: save or export it again`
      case "DamagedChunk":
        return `${where}: the PNG is damaged${detail}; save or download it again`
      case "DamagedImageData":
        return `${where}: the PNG's image data is damaged${detail}; save or download it again`
      case "TooLarge":
        return `${where}: the image is too large to decode${detail}; scale it down (a digit needs no more than a few hundred pixels a side)`
      case "Undecodable":
        return `${where}: the PNG cannot be decoded${detail}; open it in an image editor and save it again as PNG`
    }
  }
}
