/**
 * The check a run record and a checkpoint share: their epochs are the first n of the run, in
 * order — numbered 1, 2, … n, none twice, none missing — and no more than its options train.
 *
 * @since 0.3.0
 * @internal
 */

/**
 * `true` when `epochs` are numbered 1 to n, with n at most `most`; otherwise the first entry at
 * fault and what is wrong with it, for `Schema.filter` (paths from the record's top).
 */
export const numbered = (
  epochs: ReadonlyArray<{ readonly epoch: number }>,
  most: number
): true | { readonly path: ReadonlyArray<PropertyKey>; readonly message: string } => {
  for (let i = 0; i < epochs.length; i++) {
    const epoch = epochs[i]!.epoch
    if (epoch !== i + 1) return { path: ["epochs", i, "epoch"], message: `is ${epoch}, but entry ${i + 1} must be epoch ${i + 1}` }
  }
  return epochs.length <= most
    ? true
    : { path: ["epochs"], message: `holds ${epochs.length} epochs, more than the ${most} its options train (options.epochs)` }
}
