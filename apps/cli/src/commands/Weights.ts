/**
 * `descent weights`: what the first layer learned — each first-layer neuron's weights drawn
 * as an image the size of the input, in a grid, blue where a pixel's ink excites the neuron and
 * red where it inhibits it. The chapter's surprise: they look almost random, not like edges.
 *
 * @since 0.1.0
 */
import { Layout, Params } from "@descent/core"
import { AtomicFile, ModelFile } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import { UsageError } from "../CliError.js"
import * as Output from "../Output.js"
import * as Raster from "../Raster.js"

const scale = 4
const gutter = 6

/**
 * The grid image of a model's first-layer weights. Each tile has its own colour scale,
 * symmetric around zero: full colour at that neuron's largest |w|.
 *
 * @since 0.1.0
 * @category drawing
 */
export const draw = (model: ModelFile.Model, side: number): Raster.Raster => {
  const neurons = model.network.layout.sizes[1]!
  const weights = Params.weights(model.params, 0) // (rows=neurons, cols=side·side)
  const columns = Math.ceil(Math.sqrt(neurons))
  const rows = Math.ceil(neurons / columns)
  const cell = side * scale + gutter
  const raster = Raster.make(columns * cell + gutter, rows * cell + gutter, [235, 235, 235])
  for (let j = 0; j < neurons; j++) {
    const from = j * side * side
    let largest = 0
    for (let k = 0; k < side * side; k++) largest = Math.max(largest, Math.abs(weights[from + k]!))
    const left = gutter + (j % columns) * cell
    const top = gutter + Math.floor(j / columns) * cell
    Raster.tile(raster, left, top, side, side, scale, (y, x) =>
      Raster.diverging(largest === 0 ? 0 : weights[from + y * side + x]! / largest)
    )
  }
  return raster
}

/**
 * Runs `descent weights`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: { readonly model: string; readonly out: string }) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const out = path.resolve(flags.out)
    if (path.extname(out).toLowerCase() !== ".png") {
      return yield* new UsageError({ message: `--out ${flags.out}: the weights are drawn as a PNG; give a file ending in .png` })
    }
    const modelPath = path.resolve(flags.model)
    const model = yield* ModelFile.read(modelPath)
    const inputs = Layout.inputSize(model.network.layout)
    const side = Math.round(Math.sqrt(inputs))
    if (side * side !== inputs) {
      return yield* new UsageError({ message: `${modelPath}: the model's ${inputs} inputs are not a square image` })
    }
    const raster = draw(model, side)
    yield* AtomicFile.write(out, Raster.toPng(raster))
    yield* Output.line(`${out}: ${model.network.layout.sizes[1]} first-layer neurons, ${side}×${side} weights each (${raster.width}×${raster.height} px; blue positive, red negative, white zero)`)
  })
