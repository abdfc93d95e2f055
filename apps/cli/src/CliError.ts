/**
 * The CLI's own failures, each a tagged value with a one-line message for the user. Data errors
 * from `@descent/data` and file errors from `@descent/files` reach the user through their own
 * messages; these cover the rest.
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
 * A model and a data set that do not fit each other (pixels, classes), or a data set with
 * nothing in it to work on: exit code 1.
 *
 * @since 0.3.0
 * @category errors
 */
export class Unfit extends Data.TaggedError("Unfit")<{ readonly message: string }> {}

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
  readonly l2: number
  readonly kept: string
}> {
  override get message(): string {
    const l2 = this.l2 > 0 ? ` (or a smaller --l2 than ${this.l2})` : ""
    return `training diverged in epoch ${this.epoch}, batch ${this.batch}: the cost or a parameter is no longer a finite number; start again, in another --out, with a smaller --eta than ${this.eta}${l2}: resumed, it would diverge the same way (${this.kept})`
  }
}

/**
 * Training stopped by `--stop-when-stalled`: saturated neurons, accuracy at chance.
 *
 * @since 0.3.0
 * @category errors
 */
export class Stalled extends Data.TaggedError("Stalled")<{
  readonly epoch: number
  readonly reason: string
  readonly eta: number
  readonly kept: string
}> {
  override get message(): string {
    return `training stalled in epoch ${this.epoch} and was stopped (--stop-when-stalled): ${this.reason}; try a smaller --eta than ${this.eta} (${this.kept})`
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
 * A replay whose parameters differ from the record's.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReplayMismatch extends Data.TaggedError("ReplayMismatch")<{ readonly message: string }> {}

/**
 * One seed's run of a `--seeds` run failed (its own one-line message, with the seed).
 *
 * @since 0.3.0
 * @category errors
 */
export class SeedFailed extends Data.TaggedError("SeedFailed")<{ readonly message: string }> {}
