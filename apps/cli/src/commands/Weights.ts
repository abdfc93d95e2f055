/**
 * `descent weights`: what the first layer learned — each first-layer neuron's weights drawn
 * as an image the size of the input, in a grid, blue where a pixel's ink excites the neuron and
 * red where it inhibits it. The chapter's surprise: they look almost random, not like edges.
 *
 * @since 0.1.0
 */
import { Layout, Memory, Params } from "@descent/core"
import { AtomicFile, ModelFile } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import { Unfit, UsageError } from "../CliError.js"
import * as MemoryFlag from "../MemoryFlag.js"
import * as Output from "../Output.js"
import * as Raster from "../Raster.js"

const scale = 4
const gutter = 6

/**
 * Width and height in pixels of the grid `draw` makes.
 *
 * @since 0.3.0
 * @category drawing
 */
export const size = (model: ModelFile.Model, side: number): readonly [number, number] => {
  const neurons = model.network.layout.sizes[1]!
  const columns = Math.ceil(Math.sqrt(neurons))
  const rows = Math.ceil(neurons / columns)
  const cell = side * scale + gutter
  return [columns * cell + gutter, rows * cell + gutter]
}

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
  const cell = side * scale + gutter
  const [width, height] = size(model, side)
  const raster = Raster.make(width, height, [235, 235, 235])
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
export const run = (flags: { readonly model: string; readonly out: string; readonly maxMemory: Memory.Limit }) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const out = path.resolve(flags.out)
    if (path.extname(out).toLowerCase() !== ".png") {
      return yield* new UsageError({ message: `--out ${flags.out}: the weights are drawn as a PNG; give a file ending in .png` })
    }
    const modelPath = path.resolve(flags.model)
    const model = yield* ModelFile.read(modelPath, flags.maxMemory)
    const inputs = Layout.inputSize(model.network.layout)
    const side = Math.round(Math.sqrt(inputs))
    if (side * side !== inputs) {
      return yield* new Unfit({ message: `${modelPath}: the model's ${inputs} inputs are not a square image, so its weights cannot be drawn as one` })
    }
    const [width, height] = size(model, side)
    const left = MemoryFlag.remaining(flags.maxMemory, MemoryFlag.baseline + 8 * model.network.layout.size, "the model")
    const over = Memory.check(left, Raster.memory(width, height), modelPath, `drawing ${model.network.layout.sizes[1]} neurons' weights as a ${width}×${height} picture`)
    if (over !== undefined) return yield* over
    const raster = draw(model, side)
    yield* AtomicFile.write(out, Raster.toPng(raster))
    yield* Output.line(`${out}: ${model.network.layout.sizes[1]} first-layer neurons, ${side}×${side} weights each (${raster.width}×${raster.height} px; blue positive, red negative, white zero)`)
  })
