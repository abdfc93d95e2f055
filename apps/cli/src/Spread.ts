/**
 * A figure over several seeds: its mean and its sample standard deviation (n − 1), and each
 * seed's value — how `train --seeds` and `sweep` report accuracy, never the best of the seeds.
 *
 * @since 0.4.0
 */

/**
 * @since 0.4.0
 * @category models
 */
export interface Spread {
  readonly mean: number
  /** null for one value, which has no spread. */
  readonly std: number | null
  readonly values: ReadonlyArray<number>
}

/**
 * The spread of `values` (one or more).
 *
 * @since 0.4.0
 * @category constructors
 */
export const of = (values: ReadonlyArray<number>): Spread => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const std = values.length < 2 ? null : Math.sqrt(values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (values.length - 1))
  return { mean, std, values }
}
