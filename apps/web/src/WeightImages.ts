/**
 * Weights (or their gradients) drawn for the page: a neuron's 784 incoming values as a 28×28
 * image in the diverging scale, on a shared or its own scale, and the scale's legend with its
 * numbers. Views 2, 4 and 5 draw them.
 *
 * @since 0.3.0
 */
import * as Colour from "./Colour.js"
import { h, number, pixelCanvas } from "./Dom.js"

/**
 * The largest |v| of `values[from, from + count)`.
 *
 * @since 0.3.0
 * @category scales
 */
export const largest = (values: ArrayLike<number>, from = 0, count = values.length - from): number => {
  let top = 0
  for (let i = from; i < from + count; i++) top = Math.max(top, Math.abs(values[i]!))
  return top
}

/**
 * `values[from, from + 784)` as a 28×28 image, `scale` pixels a value, full colour at `top`.
 *
 * @since 0.3.0
 * @category images
 */
export const image = (values: ArrayLike<number>, from: number, top: number, scale: number, label: string): HTMLCanvasElement =>
  pixelCanvas(28, 28, scale, (y, x) => Colour.diverging(top === 0 ? 0 : values[from + y * 28 + x]! / top), label)

/**
 * Neuron `j`'s tile: its image (`values` holds 784 per neuron) with its number under it.
 *
 * @since 0.3.0
 * @category images
 */
export const tile = (values: ArrayLike<number>, j: number, top: number, label: string): HTMLElement =>
  h("figure", {}, image(values, j * 784, top, 2, label), h("figcaption", {}, `neuron ${j}`))

/**
 * The diverging scale's legend: red at −`top`, white at 0, blue at +`top`.
 *
 * @since 0.3.0
 * @category legends
 */
export const legend = (top: number): HTMLElement =>
  h(
    "div",
    { class: "legend" },
    h("div", { class: "legend-bar", style: `background: ${Colour.divergingLegend}` }),
    h("div", { class: "legend-ticks" }, h("span", {}, number(-top)), h("span", {}, "0"), h("span", {}, number(top)))
  )
