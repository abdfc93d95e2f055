/**
 * What can go wrong with descent's own files, as tagged values whose one-line message names the
 * file and what to do: the file system refusing (`FileError`), a file that is not what descent
 * wrote (`FileFormatError`), and a record made with other numerics than this descent's
 * (`NumericsMismatch`).
 *
 * @since 0.2.0
 */
import type { PlatformError } from "@effect/platform/Error"
import { Data } from "effect"

/**
 * The system's own code for an error ("EISDIR", "ENOTEMPTY"), where the platform kept it.
 *
 * @since 0.3.0
 * @category errors
 */
export const codeOf = (error: PlatformError): string | undefined => {
  if (error._tag !== "SystemError") return undefined
  const cause = error.cause as { readonly code?: unknown } | undefined
  if (typeof cause?.code === "string") return cause.code
  return /^([A-Z][A-Z0-9]+):/.exec(error.description ?? "")?.[1]
}

/**
 * Why the file system refused, in words that say what to do: the true cause (missing,
 * permission, a folder where a file should be, a full disk), never a bare "BadResource".
 * `thing` names what was expected at the path ("a model file"); `action` what was being done.
 *
 * @since 0.3.0
 * @category errors
 */
export const systemProblem = (error: PlatformError, thing: string, action: "read" | "write" = "read"): string => {
  const code = codeOf(error)
  switch (code) {
    case "ENOENT":
      return action === "read" ? `no such file; give the path of ${thing}` : "its folder does not exist; create it, or choose another path"
    case "EACCES":
    case "EPERM":
      return "permission denied; check the permissions of the file and its folders (ls -l)"
    case "EISDIR":
      return `is a folder, not a file; give the path of ${thing}`
    case "ENOTDIR":
      return "a part of the path is a file, not a folder; check the path"
    case "ENOSPC":
      return "the disk is full; free some space and try again"
    case "EROFS":
      return "the file system is read-only; choose a place you can write to"
    case "ENAMETOOLONG":
      return "the path is too long; choose a shorter one"
    case "EMFILE":
    case "ENFILE":
      return "too many files are open; close some programs and try again"
  }
  if (error._tag === "SystemError" && error.reason === "NotFound") return `no such file; give the path of ${thing}`
  if (error._tag === "SystemError" && error.reason === "PermissionDenied") {
    return "permission denied; check the permissions of the file and its folders (ls -l)"
  }
  const detail = (error._tag === "SystemError" ? error.description ?? error.reason : error.message).replace(/\s+/g, " ")
  return `the system refused (${detail.length > 120 ? `${detail.slice(0, 119)}…` : detail})`
}

/**
 * A file that could not be written or read for a reason of the file system.
 *
 * @since 0.1.0
 * @category errors
 */
export class FileError extends Data.TaggedError("FileError")<{ readonly path: string; readonly problem: string }> {
  override get message(): string {
    return `${this.path}: ${this.problem}`
  }
}

/**
 * A file descent writes (a model, a run record, a checkpoint) that cannot be read back: not
 * JSON, of another format or version, or with a field that does not fit. `found` names the
 * other of descent's files given instead ("run record" where a model file was expected); the
 * problem then says which file to give.
 *
 * @since 0.1.0
 * @category errors
 */
export class FileFormatError extends Data.TaggedError("FileFormatError")<{
  readonly path: string
  readonly what: string
  readonly problem: string
  /** @since 0.3.0 */
  readonly found?: string | undefined
}> {
  override get message(): string {
    return this.found === undefined
      ? `${this.path}: ${this.problem}; is it a ${this.what} written by descent?`
      : `${this.path}: ${this.problem}`
  }
}

/**
 * A run record or checkpoint made with other numerics than this descent's (see
 * `@descent/core`'s `Numerics`): its numbers cannot be reproduced bit for bit here, so it is
 * neither replayed nor resumed.
 *
 * @since 0.2.0
 * @category errors
 */
export class NumericsMismatch extends Data.TaggedError("NumericsMismatch")<{
  readonly path: string
  readonly what: string
  readonly recorded: string
  readonly current: string
  readonly rerecord: string
}> {
  override get message(): string {
    const made = this.recorded === "engine-math"
      ? "with engine-dependent numerics (descent 0.1 took exp and log from the JavaScript engine, whose last bits differ between engines and versions)"
      : `with the numerics "${this.recorded}"`
    return `${this.path}: this ${this.what} was made ${made}, and this descent computes with "${this.current}", so it cannot be reproduced bit for bit; re-record the run with: ${this.rerecord}`
  }
}
