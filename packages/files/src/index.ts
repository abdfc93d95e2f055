/**
 * `@descent/files`: the files descent writes and reads — `model.json` (`ModelFile`), `run.json`
 * (`RunRecord`), `checkpoint.json` (`Checkpoint`) and the options they record
 * (`TrainingOptions`) — as Schemas, with readers whose errors name the file and the field at
 * fault, and atomic, durable writers (`AtomicFile`). A program that trains with `@descent/core`
 * saves a model the `descent` CLI reads, and loads one it wrote.
 *
 * Platform-free: it needs a `FileSystem` and a `Path` (Node's, Bun's, …) only to read and write.
 *
 * @since 0.2.0
 */

/** @since 0.2.0 */
export * as AtomicFile from "./AtomicFile.js"
/** @since 0.3.0 */
export * as BoundedFile from "./BoundedFile.js"
/** @since 0.2.0 */
export * as Checkpoint from "./Checkpoint.js"
/** @since 0.2.0 */
export * from "./FileError.js"
/** @since 0.2.0 */
export * as JsonFile from "./JsonFile.js"
/** @since 0.2.0 */
export * as ModelFile from "./ModelFile.js"
/** @since 0.2.0 */
export * as RunRecord from "./RunRecord.js"
/** @since 0.2.0 */
export * as TrainingOptions from "./TrainingOptions.js"
/** @since 0.3.0 */
export * as Training from "./Training.js"
/** @since 0.4.0 */
export * from "./ConversionError.js"
/** @since 0.4.0 */
export * as NielsenModel from "./NielsenModel.js"
/** @since 0.4.0 */
export * as OnnxModel from "./OnnxModel.js"
/** @since 0.4.0 */
export * as Provenance from "./Provenance.js"
/** @since 0.4.0 */
export * as TfjsModel from "./TfjsModel.js"
