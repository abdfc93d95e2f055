/**
 * Pictures for people, as SVG documents: titles, labels and keys in text, pixel images (digits,
 * weights) embedded as PNGs at their displayed size — and the same document rendered to PNG by
 * resvg with the font that ships with descent (`Font`) and no other: system fonts are never
 * loaded, so a PNG is the same on every machine and never loses its words.
 *
 * Not for: charts (see `commands/Plot`, whose SVG Vega draws; it is rendered here too) or the
 * pixels of a tile (see `Raster`).
 *
 * @since 0.3.0
 */
import { Effect } from "effect"
import * as Font from "./Font.js"
import * as Raster from "./Raster.js"

/**
 * @since 0.3.0
 * @category models
 */
export interface TextStyle {
  readonly size?: number
  readonly bold?: boolean
  readonly anchor?: "start" | "middle" | "end"
  readonly colour?: string
}

/**
 * The space, in pixels, around a picture's content.
 *
 * @since 0.3.0
 * @category layout
 */
export const margin = 20

/**
 * The height of a picture's heading: its title and the line under it.
 *
 * @since 0.3.0
 * @category layout
 */
export const headingHeight = 78

/**
 * Text made safe to put in an SVG (and XML) document.
 *
 * @since 0.3.0
 * @category building
 */
export const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/**
 * A line of text whose baseline starts (or is centred, or ends) at (x, y).
 *
 * @since 0.3.0
 * @category building
 */
export const text = (x: number, y: number, content: string, style: TextStyle = {}): string => {
  const attributes = [
    `x="${x}"`,
    `y="${y}"`,
    `font-size="${style.size ?? 13}"`,
    style.bold ? `font-weight="bold"` : "",
    style.anchor !== undefined && style.anchor !== "start" ? `text-anchor="${style.anchor}"` : "",
    `fill="${style.colour ?? "#222"}"`
  ].filter((a) => a !== "")
  return `<text ${attributes.join(" ")}>${escape(content)}</text>`
}

/**
 * A picture's heading: its title (18 px, bold) and a line under it that says what it is of.
 *
 * @since 0.3.0
 * @category building
 */
export const heading = (title: string, subtitle: string): ReadonlyArray<string> => [
  text(margin, 34, title, { size: 18, bold: true }),
  text(margin, 58, subtitle, { colour: "#555" })
]

/**
 * The width a picture needs for its content (`content` pixels wide), its heading and lines of
 * 13-pixel text, with its margins.
 *
 * @since 0.3.0
 * @category layout
 */
export const width = (content: number, title: string, lines: ReadonlyArray<string>): number =>
  2 * margin + Math.max(content, Font.width(title, 18, true), ...lines.map((line) => Font.width(line, 13)))

/**
 * Lines of 13-pixel text, one under the other from the baseline `y`, 17 pixels apart.
 *
 * @since 0.3.0
 * @category building
 */
export const lines = (x: number, y: number, content: ReadonlyArray<string>, style: TextStyle = {}): ReadonlyArray<string> =>
  content.map((line, i) => text(x, y + 17 * i, line, { colour: "#333", ...style }))

/**
 * A rectangle.
 *
 * @since 0.3.0
 * @category building
 */
export const rect = (x: number, y: number, width: number, height: number, fill: string, stroke?: string): string =>
  `<rect x="${x}" y="${y}" width="${width}" height="${height}" fill="${fill}"${stroke === undefined ? "" : ` stroke="${stroke}"`}/>`

/**
 * A raster embedded at its own size, one image pixel to one picture pixel (so that no renderer
 * blurs it by scaling), as a PNG in a data URI.
 *
 * @since 0.3.0
 * @category building
 */
export const image = (x: number, y: number, raster: Raster.Raster, title?: string): string =>
  `<image x="${x}" y="${y}" width="${raster.width}" height="${raster.height}" href="data:image/png;base64,${
    Buffer.from(Raster.toPng(raster)).toString("base64")
  }">${title === undefined ? "" : `<title>${escape(title)}</title>`}</image>`

/**
 * A horizontal colour bar from `stops[0]` (left) to the last stop (right).
 *
 * @since 0.3.0
 * @category building
 */
export const colourBar = (id: string, x: number, y: number, width: number, height: number, stops: ReadonlyArray<string>): string =>
  [
    `<defs><linearGradient id="${id}" x1="0" x2="1" y1="0" y2="0">`,
    ...stops.map((colour, i) => `<stop offset="${i / (stops.length - 1)}" stop-color="${colour}"/>`),
    `</linearGradient></defs>`,
    `<rect x="${x}" y="${y}" width="${width}" height="${height}" fill="url(#${id})" stroke="#888"/>`
  ].join("")

/**
 * A whole document: a white page `width` × `height` with `title` (what a viewer shows for the
 * file) and the elements drawn in order.
 *
 * @since 0.3.0
 * @category building
 */
export const document = (width: number, height: number, title: string, body: ReadonlyArray<string>): string =>
  [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${Font.stack}">`,
    `<title>${escape(title)}</title>`,
    rect(0, 0, width, height, "white"),
    ...body,
    "</svg>",
    ""
  ].join("\n")

/**
 * Bytes rendering a `width` × `height` document at `zoom` takes: resvg's canvas and its PNG
 * (4 bytes a pixel each, with slack for the encoder), the document's tree, and the fonts.
 *
 * @since 0.3.0
 * @category memory
 */
export const memory = (width: number, height: number, zoom: number): number =>
  12 * Math.ceil(width * zoom) * Math.ceil(height * zoom) + 32 * 1024 * 1024

/**
 * An SVG document as PNG bytes, `zoom` times its size, its text set in the shipped font only.
 *
 * @since 0.3.0
 * @category rendering
 */
export const toPng = (svg: string, zoom = 1): Effect.Effect<Uint8Array> =>
  Effect.promise(async () => {
    // Loaded only when a picture is rendered: a native addon that training has no use for.
    const { Resvg } = await import("@resvg/resvg-js")
    const png = new Resvg(svg, {
      fitTo: { mode: "zoom", value: zoom },
      font: {
        loadSystemFonts: false,
        fontFiles: [...Font.files()],
        defaultFontFamily: Font.family,
        sansSerifFamily: Font.family
      }
    }).render().asPng()
    return new Uint8Array(png)
  })
