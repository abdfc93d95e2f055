/**
 * `@descent/data`: IDX files streamed, validated and decoded, and MNIST as an Effect service.
 *
 * @since 0.1.0
 */

/** @since 0.3.0 */
export * as Digit from "./Digit.js"
/** @since 0.1.0 */
export * as Gzip from "./Gzip.js"
/** @since 0.1.0 */
export * as Idx from "./Idx.js"
/** @since 0.1.0 */
export * from "./IdxError.js"
/** @since 0.1.0 */
export * as IdxFile from "./IdxFile.js"
/** @since 0.1.0 */
export * as Mnist from "./Mnist.js"
/** @since 0.1.0 */
export * from "./MnistError.js"
