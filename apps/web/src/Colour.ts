/**
 * The page's colour scales: a diverging one for weights and gradients — blue positive, red
 * negative, white zero (the two ends of ColorBrewer's RdBu, as `descent weights` draws them) —
 * and grey for ink and activations.
 *
 * @since 0.3.0
 */

/**
 * @since 0.3.0
 * @category models
 */
export type Rgb = readonly [number, number, number]

const negative: Rgb = [178, 24, 43]
const positive: Rgb = [33, 102, 172]

/**
 * The colour of t in [−1, 1]: red at −1, white at 0, blue at 1.
 *
 * @since 0.3.0
 * @category scales
 */
export const diverging = (t: number): Rgb => {
  const u = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0))
  const end = u >= 0 ? positive : negative
  const k = Math.abs(u)
  return [Math.round(255 + (end[0] - 255) * k), Math.round(255 + (end[1] - 255) * k), Math.round(255 + (end[2] - 255) * k)]
}

/**
 * Ink as light on dark, as the network sees it: 0 black, 1 white.
 *
 * @since 0.3.0
 * @category scales
 */
export const light = (a: number): Rgb => {
  const v = Math.round(255 * Math.max(0, Math.min(1, a)))
  return [v, v, v]
}

/**
 * A colour as CSS.
 *
 * @since 0.3.0
 * @category scales
 */
export const css = ([r, g, b]: Rgb): string => `rgb(${r}, ${g}, ${b})`

/**
 * The CSS gradient of the diverging scale, for its legend.
 *
 * @since 0.3.0
 * @category scales
 */
export const divergingLegend = `linear-gradient(to right, ${[-1, -0.5, 0, 0.5, 1].map((t) => css(diverging(t))).join(", ")})`
