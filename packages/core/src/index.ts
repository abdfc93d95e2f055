/**
 * `@descent/core`: a neural network learns by gradient descent. Pure: values in, values out;
 * its one Effect is the fold of a Stream of mini-batches into parameters (`Descent.descend`).
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Activation from "./Activation.js"
/** @since 0.4.0 */
export * as Augment from "./Augment.js"
/** @since 0.1.0 */
export * as Backprop from "./Backprop.js"
/** @since 0.1.0 */
export * as Batches from "./Batches.js"
/** @since 0.2.0 */
export * as Chapter from "./Chapter.js"
/** @since 0.1.0 */
export * as Cost from "./Cost.js"
/** @since 0.1.0 */
export * as Dataset from "./Dataset.js"
/** @since 0.1.0 */
export * as Descent from "./Descent.js"
/** @since 0.1.0 */
export * as Evaluate from "./Evaluate.js"
/** @since 0.1.0 */
export * as Feedforward from "./Feedforward.js"
/** @since 0.1.0 */
export * as Gradient from "./Gradient.js"
/** @since 0.1.0 */
export * as Layout from "./Layout.js"
/** @since 0.3.0 */
export * as Memory from "./Memory.js"
/** @since 0.1.0 */
export * as Network from "./Network.js"
/** @since 0.2.0 */
export * as Numerics from "./Numerics.js"
/** @since 0.4.0 */
export * as Optimizer from "./Optimizer.js"
/** @since 0.1.0 */
export * as Params from "./Params.js"
/** @since 0.4.0 */
export * as Precision from "./Precision.js"
/** @since 0.1.0 */
export * as Reference from "./Reference.js"
/** @since 0.1.0 */
export * as Rng from "./Rng.js"
/** @since 0.3.0 */
export * as Saturation from "./Saturation.js"
export * as Threads from "./Threads.js"
/** @since 0.1.0 */
export * as Vector from "./Vector.js"
