/**
 * `descent weights`: what the first layer learned — each first-layer neuron's weights drawn
 * as an image the size of the input, in a grid, blue where a pixel's ink excites the neuron and
 * red where it inhibits it. The chapter's surprise: they look almost random, not like edges.
 *
 * The picture explains itself: a title, each tile numbered by its neuron (0 first, as the
 * chapter's subscripts count) with the largest |weight| its colours stand for, and a colour
 * key. Written as SVG, or rendered to PNG in the font that ships with descent.
 *
 * @since 0.1.0
 */
import { Layout, Memory, Params } from "@descent/core"
import { AtomicFile, ModelFile } from "@descent/files"
import * as Colour from "@descent/web/Colour"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import { Unfit, UsageError } from "../CliError.js"
import * as Font from "../Font.js"
import * as MemoryFlag from "../MemoryFlag.js"
import * as Output from "../Output.js"
import * as Raster from "../Raster.js"
import * as Svg from "../Svg.js"

// Each weight is a `scale` × `scale` square; tiles sit in cells with their labels.
const scale = 4
const gap = 18
const labelAbove = 18
const labelBelow = 20
const keyHeight = 134

const hex = ([r, g, b]: Colour.Rgb) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`

const layout = (neurons: number, side: number, texts: ReadonlyArray<string>) => {
  const tile = side * scale
  const columns = Math.ceil(Math.sqrt(neurons))
  const rows = Math.ceil(neurons / columns)
  const cellW = Math.max(tile, Font.width("largest |w| 00.00", 12)) + gap
  const cellH = labelAbove + tile + labelBelow + gap
  const width = Svg.width(columns * cellW - gap, texts[0]!, texts.slice(1))
  return { tile, columns, cellW, cellH, width, height: Svg.headingHeight + rows * cellH + keyHeight }
}

const title = (neurons: number) => `First-layer weights: what each of the ${neurons} hidden neurons responds to`

const subtitle = (model: ModelFile.Model, name: string) =>
  `${name} · a ${Layout.format(model.network.layout)} network, ${model.network.hidden.name} hidden layers · one tile per neuron`

const key = (side: number): ReadonlyArray<string> => [
  `Each tile: one neuron's ${side * side} weights, one per input pixel, laid out as the ${side}×${side} image they multiply.`,
  "Blue: ink at that pixel raises the neuron's weighted sum; red: ink there lowers it; white: no effect.",
  "Each tile has its own colour scale: full colour at that neuron's largest |weight|, printed under the tile."
]

/**
 * Width and height in pixels of the picture `draw` makes.
 *
 * @since 0.3.0
 * @category drawing
 */
export const size = (model: ModelFile.Model, side: number, name = "model.json"): readonly [number, number] => {
  const neurons = model.network.layout.sizes[1]!
  const { height, width } = layout(neurons, side, [title(neurons), subtitle(model, name), ...key(side)])
  return [width, height]
}

/**
 * The picture of a model's first-layer weights, as an SVG document. Each tile has its own
 * colour scale, symmetric around zero: full colour at that neuron's largest |w|. `name` is how
 * the subtitle names the model (its file).
 *
 * @since 0.1.0
 * @category drawing
 */
export const draw = (model: ModelFile.Model, side: number, name = "model.json"): string => {
  const neurons = model.network.layout.sizes[1]!
  const weights = Params.weights(model.params, 0) // (rows=neurons, cols=side·side)
  const heading = title(neurons)
  const sub = subtitle(model, name)
  const notes = key(side)
  const { cellH, cellW, columns, tile, width, height } = layout(neurons, side, [heading, sub, ...notes])
  const body: Array<string> = [...Svg.heading(heading, sub)]
  for (let j = 0; j < neurons; j++) {
    const from = j * side * side
    let largest = 0
    for (let k = 0; k < side * side; k++) largest = Math.max(largest, Math.abs(weights[from + k]!))
    const left = Svg.margin + (j % columns) * cellW
    const top = Svg.headingHeight + Math.floor(j / columns) * cellH
    const raster = Raster.make(tile, tile)
    Raster.tile(raster, 0, 0, side, side, scale, (y, x) => Colour.diverging(largest === 0 ? 0 : weights[from + y * side + x]! / largest))
    body.push(
      Svg.text(left, top + 13, `neuron ${j}`, { bold: true }),
      Svg.image(left, top + labelAbove, raster, `neuron ${j}: largest |weight| ${largest.toPrecision(3)}`),
      Svg.rect(left - 0.5, top + labelAbove - 0.5, tile + 1, tile + 1, "none", "#bbb"),
      Svg.text(left, top + labelAbove + tile + 15, `largest |w| ${largest.toFixed(2)}`, { size: 12, colour: "#555" })
    )
  }
  // The key: the colour bar with its scale, then what the tiles mean.
  const keyTop = height - keyHeight + 6
  const bar = 260
  const left = Svg.margin
  body.push(
    Svg.text(left, keyTop + 12, "Colour key (for each tile):", { bold: true }),
    Svg.colourBar("weights", left, keyTop + 22, bar, 14, [-1, -0.5, 0, 0.5, 1].map((t) => hex(Colour.diverging(t)))),
    Svg.text(left, keyTop + 52, "−largest |w|", { size: 12 }),
    Svg.text(left + bar / 2, keyTop + 52, "0", { size: 12, anchor: "middle" }),
    Svg.text(left + bar, keyTop + 52, "+largest |w|", { size: 12, anchor: "end" }),
    ...Svg.lines(left, keyTop + 76, notes)
  )
  return Svg.document(width, height, heading, body)
}

/**
 * Runs `descent weights`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: { readonly model: string; readonly out: string; readonly maxMemory: Memory.Limit }) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const out = path.resolve(flags.out)
    const format = path.extname(out).toLowerCase()
    if (format !== ".png" && format !== ".svg") {
      return yield* new UsageError({ message: `--out ${flags.out}: the weights are drawn as a picture; give a file ending in .png or .svg` })
    }
    const modelPath = path.resolve(flags.model)
    const model = yield* ModelFile.read(modelPath, flags.maxMemory)
    const inputs = Layout.inputSize(model.network.layout)
    const side = Math.round(Math.sqrt(inputs))
    if (side * side !== inputs) {
      return yield* new Unfit({ message: `${modelPath}: the model's ${inputs} inputs are not a square image, so its weights cannot be drawn as one` })
    }
    const name = path.join(path.basename(path.dirname(modelPath)), path.basename(modelPath))
    const [width, height] = size(model, side, name)
    const neurons = model.network.layout.sizes[1]!
    const left = MemoryFlag.remaining(flags.maxMemory, MemoryFlag.baseline + 8 * model.network.layout.size, "the model")
    // The tiles as PNGs in base64 (about 2 bytes a pixel, at most), the document, its rendering.
    const needs = 4 * neurons * side * side * scale * scale + Svg.memory(width, height, 1)
    const over = Memory.check(left, needs, modelPath, `drawing ${neurons} neurons' weights as a ${width}×${height} picture`)
    if (over !== undefined) return yield* over
    const svg = draw(model, side, name)
    const bytes = format === ".svg" ? new TextEncoder().encode(svg) : yield* Svg.toPng(svg)
    yield* AtomicFile.write(out, bytes)
    yield* Output.line(`${out}: ${neurons} first-layer neurons, ${side}×${side} weights each (${width}×${height} px; blue positive, red negative, white zero)`)
  })
