/**
 * The little the page needs of the DOM: elements made with their attributes and children, and
 * small images (a digit, a neuron's weights) painted pixel for pixel onto a canvas that the
 * browser scales up without smoothing.
 *
 * @since 0.3.0
 */

type Child = Node | string | null | undefined | false

/**
 * An element with attributes (`on…` attributes become listeners) and children.
 *
 * @since 0.3.0
 * @category building
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: ReadonlyArray<Child>
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    if (typeof value === "function") element.addEventListener(name.slice(2), value)
    else element.setAttribute(name, value === true ? "" : String(value))
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child)
  return element
}

/**
 * An SVG element.
 *
 * @since 0.3.0
 * @category building
 */
export const svg = (tag: string, attributes: Record<string, string | number> = {}, ...children: ReadonlyArray<Node>): SVGElement => {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  for (const child of children) element.append(child)
  return element
}

/**
 * A canvas `cols` × `rows` pixels, shown `scale` times larger, painted by `colour(row, col)`
 * (red, green, blue).
 *
 * @since 0.3.0
 * @category images
 */
export const pixelCanvas = (
  rows: number,
  cols: number,
  scale: number,
  colour: (row: number, col: number) => readonly [number, number, number],
  label?: string
): HTMLCanvasElement => {
  const canvas = h("canvas", { width: cols, height: rows, class: "pixels", role: "img", "aria-label": label })
  canvas.style.width = `${cols * scale}px`
  canvas.style.height = `${rows * scale}px`
  paint(canvas, colour)
  return canvas
}

/**
 * Paints every pixel of `canvas` again.
 *
 * @since 0.3.0
 * @category images
 */
export const paint = (canvas: HTMLCanvasElement, colour: (row: number, col: number) => readonly [number, number, number]): void => {
  const context = canvas.getContext("2d")!
  const image = context.createImageData(canvas.width, canvas.height)
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      const [r, g, b] = colour(y, x)
      const i = 4 * (y * canvas.width + x)
      image.data[i] = r
      image.data[i + 1] = g
      image.data[i + 2] = b
      image.data[i + 3] = 255
    }
  }
  context.putImageData(image, 0, 0)
}

/**
 * A number as the page shows it: `digits` significant figures, a true minus sign.
 *
 * @since 0.3.0
 * @category formatting
 */
export const number = (value: number, digits = 3): string => {
  const text = Math.abs(value) >= 1e-3 || value === 0 ? value.toPrecision(digits) : value.toExponential(digits - 1)
  return text.replace(/^-/, "−")
}
