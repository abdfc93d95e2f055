/**
 * What can be wrong with an IDX file, as a value: a reason, the file (or the folder that should
 * hold it), and (where it applies) the byte offset — with a message that says what is wrong and
 * what to do about it.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/**
 * Why a file could not be read. (`NotAFile`, `NotAFolder`, `NotRegular`, `LinkLoop` and
 * `DanglingLink` since 0.3.0.)
 *
 * @since 0.1.0
 * @category models
 */
export type IdxErrorReason =
  | "Missing"
  | "FolderMissing"
  | "Unreadable"
  | "NotAFile"
  | "NotAFolder"
  | "NotRegular"
  | "LinkLoop"
  | "DanglingLink"
  | "Unreachable"
  | "BadMagic"
  | "UnsupportedType"
  | "HeaderTruncated"
  | "BodyTruncated"
  | "TrailingBytes"
  | "TooLarge"
  | "CorruptGzip"

/**
 * A file that could not be read as IDX.
 *
 * @since 0.1.0
 * @category errors
 */
export class IdxError extends Data.TaggedError("IdxError")<{
  readonly reason: IdxErrorReason
  readonly path: string
  /** Byte offset in the (decompressed) data where the problem is, where one applies. */
  readonly offset?: number | undefined
  /** What was found, in words: "type code 0x07", "expected 7840 bytes, got 7000". */
  readonly detail?: string | undefined
}> {
  override get message(): string {
    const at = this.offset === undefined ? "" : ` at byte ${this.offset}`
    const detail = this.detail === undefined ? "" : ` (${this.detail})`
    const where = `${this.path}${at}`
    switch (this.reason) {
      case "Missing":
        return `${where}: file not found${detail}; check the path, or the folder's file names`
      case "FolderMissing":
        return `${where}: no such folder${detail}; check the path of the folder that holds the four files`
      case "Unreadable":
        return `${where}: cannot be read${detail}; check its permissions`
      case "NotAFile":
        return `${where}: is a folder, not a file${detail}; put the IDX file itself at this path (an archive tool may have unpacked it into a folder of that name)`
      case "NotAFolder":
        return `${where}: is a file, not a folder${detail}; give the folder that holds the four files`
      case "NotRegular":
        return `${where}: is not a regular file${detail}; put the IDX file itself at this path`
      case "LinkLoop":
        return `${where}: is a symbolic link that loops${detail}; fix or remove the link`
      case "DanglingLink":
        return `${where}: is a symbolic link to a file that does not exist${detail}; fix or remove the link, or put the IDX file itself at this path`
      case "Unreachable":
        return `${where}: cannot fetch it${detail}; check the address, that the server is up, and your network, then try again`
      case "BadMagic":
        return `${where}: not an IDX file: it must start with two zero bytes${detail}; is this the right file, and not HTML or an archive?`
      case "UnsupportedType":
        return `${where}: unsupported IDX type code${detail}; IDX allows 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64`
      case "HeaderTruncated":
        return `${where}: the IDX header is cut short${detail}; the file is incomplete: download it again`
      case "BodyTruncated":
        return `${where}: the data is cut short${detail}; the file is incomplete: download it again`
      case "TrailingBytes":
        return `${where}: extra bytes after the data the header describes${detail}; the file is damaged or not what its header says: download it again`
      case "TooLarge":
        return `${where}: the header describes more data than can be held in memory${detail}; the header is probably corrupted`
      case "CorruptGzip":
        return `${where}: the gzip data is corrupted${detail}; download the file again, or decompress it with gunzip to see the error`
    }
  }
}
