/**
 * IDX files that decode but do not make an MNIST-style dataset: images and labels that
 * disagree, labels that are not digits, tensors of the wrong shape.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export type MnistErrorReason = "WrongShape" | "CountMismatch" | "LabelOutOfRange" | "SizeMismatch"

/**
 * @since 0.1.0
 * @category errors
 */
export class MnistError extends Data.TaggedError("MnistError")<{
  readonly reason: MnistErrorReason
  /** The file at fault (for a mismatch, the labels or test file). */
  readonly path: string
  readonly offset?: number | undefined
  readonly detail: string
}> {
  override get message(): string {
    const at = this.offset === undefined ? "" : ` at byte ${this.offset}`
    const where = `${this.path}${at}`
    switch (this.reason) {
      case "WrongShape":
        return `${where}: ${this.detail}; is this file in the right place (images vs labels)?`
      case "CountMismatch":
        return `${where}: images and labels disagree in count (${this.detail}); they must come from the same set`
      case "LabelOutOfRange":
        return `${where}: ${this.detail}; labels must be digits 0–9: is this a digits dataset?`
      case "SizeMismatch":
        return `${where}: ${this.detail}; training and test images must be the same size`
    }
  }
}
