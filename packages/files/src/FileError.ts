/**
 * What can go wrong with descent's own files, as tagged values whose one-line message names the
 * file and what to do: the file system refusing (`FileError`), a file that is not what descent
 * wrote (`FileFormatError`), and a record made with other numerics than this descent's
 * (`NumericsMismatch`).
 *
 * @since 0.2.0
 */
import { Data } from "effect"

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
 * JSON, of another format or version, or with a field that does not fit.
 *
 * @since 0.1.0
 * @category errors
 */
export class FileFormatError extends Data.TaggedError("FileFormatError")<{
  readonly path: string
  readonly what: string
  readonly problem: string
}> {
  override get message(): string {
    return `${this.path}: ${this.problem}; is it a ${this.what} written by descent?`
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
