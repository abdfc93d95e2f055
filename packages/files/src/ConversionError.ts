/**
 * Why a model cannot cross between descent and another format: a descent model that the format
 * cannot express (a softmax layer in Nielsen's network2 JSON, which has sigmoid layers only), or
 * a file of another program's that does not mean a descent network (an ONNX node descent has no
 * layer for, a weight matrix of the wrong shape, a NaN weight). One line, naming the file, what
 * is wrong in it (the node, the tensor, the field) and what to do.
 *
 * Not for: descent's own files (see `FileFormatError`), or the file system (`FileError`).
 *
 * @since 0.4.0
 */
import { Data } from "effect"

/**
 * The formats a descent model converts to or from.
 *
 * @since 0.4.0
 * @category models
 */
export type Format = "onnx" | "tfjs" | "nielsen"

/**
 * Each format as people name it.
 *
 * @since 0.4.0
 * @category models
 */
export const formatName: { readonly [F in Format]: string } = {
  onnx: "ONNX model",
  tfjs: "TensorFlow.js LayersModel",
  nielsen: "network2 JSON file"
}

/**
 * A model that does not convert: `path` is the file at fault (the descent model when exporting,
 * the other program's file when importing), `problem` what is wrong and what to do.
 *
 * @since 0.4.0
 * @category errors
 */
export class ConversionError extends Data.TaggedError("ConversionError")<{
  readonly path: string
  readonly format: Format
  readonly problem: string
}> {
  override get message(): string {
    return `${this.path}: ${this.problem}`
  }
}
