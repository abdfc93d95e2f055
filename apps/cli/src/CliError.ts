/**
 * The CLI's own failures, each a tagged value with a one-line message for the user. Data errors
 * from `@descent/data` reach the user through their own messages; these cover the rest.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/**
 * A flag or argument that cannot be used: reported before any work, exit code 2.
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/**
 * A file the CLI wrote (a model, a run record, a checkpoint) that cannot be read back: missing,
 * not JSON, of another format or version, or with a field that does not fit.
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
 * Training produced a non-finite cost or parameter.
 *
 * @since 0.1.0
 * @category errors
 */
export class Diverged extends Data.TaggedError("Diverged")<{
  readonly epoch: number
  readonly batch: number
  readonly eta: number
  readonly kept: string
}> {
  override get message(): string {
    return `training diverged in epoch ${this.epoch}, batch ${this.batch}: the cost or a parameter is no longer a finite number; try a smaller --eta than ${this.eta} (${this.kept})`
  }
}

/**
 * Training stopped by SIGINT or SIGTERM, after a completed batch.
 *
 * @since 0.1.0
 * @category errors
 */
export class Interrupted extends Data.TaggedError("Interrupted")<{ readonly resume: string; readonly kept: string }> {
  override get message(): string {
    return `stopped (${this.kept}); to continue: ${this.resume}`
  }
}

/**
 * A run record or checkpoint made with other numerics than this descent's (see
 * `@descent/core`'s `Numerics`): its numbers cannot be reproduced bit for bit here, so it is
 * neither replayed nor resumed. Exit code 1.
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

/**
 * A replay whose parameters differ from the record's.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReplayMismatch extends Data.TaggedError("ReplayMismatch")<{ readonly message: string }> {}
