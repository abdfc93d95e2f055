/**
 * `descent mistakes`: the test images the network gets wrong most confidently, as a labelled
 * grid — each tile marked "label>said" with the network's confidence — and as a list.
 *
 * @since 0.1.0
 */
import { Evaluate, Feedforward, Memory } from "@descent/core"
import { AtomicFile } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect, type Option } from "effect"
import { UsageError } from "../CliError.js"
import * as ModelOnData from "../ModelOnData.js"
import * as Output from "../Output.js"
import * as Raster from "../Raster.js"

/**
 * A test image the network named wrongly.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mistake {
  readonly index: number
  readonly label: number
  readonly said: number
  /** The activation of the neuron that won: how sure the network was. */
  readonly confidence: number
}

const scale = 3
const labelHeight = 5 * 2 + 6

// The grid of `count` tiles of images `rows` high: tile sizes, columns, and the picture's size.
const grid = (rows: number, count: number) => {
  const size = rows * scale
  const cellW = Math.max(size, 4 * 2 * 9) + 8
  const cellH = size + labelHeight + 8
  const columns = Math.min(count, 10) || 1
  const lines = Math.ceil(count / columns) || 1
  return { cellW, cellH, columns, width: columns * cellW + 8, height: lines * cellH + 8 }
}

/**
 * Runs `descent mistakes`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: {
  readonly model: string
  readonly out: string
  readonly count: number
  readonly data: Option.Option<string>
  readonly maxMemory: Memory.Limit
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const out = path.resolve(flags.out)
    if (path.extname(out).toLowerCase() !== ".png") {
      return yield* new UsageError({ message: `--out ${flags.out}: the mistakes are drawn as a PNG; give a file ending in .png` })
    }
    if (!(flags.count >= 1 && flags.count <= 400)) {
      return yield* new UsageError({ message: `--count ${flags.count}: show between 1 and 400 images` })
    }
    const { data, left, model } = yield* ModelOnData.load(flags.model, flags.data, flags.maxMemory)
    const test = data.test
    const shownAtMost = Math.min(flags.count, test.count)
    const picture = grid(test.rows, shownAtMost)
    const over = Memory.check(left, Raster.memory(picture.width, picture.height), `--count ${flags.count}`, `drawing ${shownAtMost} test images of ${test.rows}×${test.cols}`)
    if (over !== undefined) return yield* over
    const classes = model.network.layout.sizes[model.network.layout.sizes.length - 1]!
    const outputs = Evaluate.outputs(model.network, model.params, test)
    const mistakes: Array<Mistake> = []
    for (let i = 0; i < test.count; i++) {
      const said = Feedforward.argmax(outputs, i * classes, classes)
      const label = test.labels[i]!
      if (said !== label) mistakes.push({ index: i, label, said, confidence: outputs[i * classes + said]! })
    }
    // Most confident first; ties broken by index, so the order never depends on the sort.
    mistakes.sort((a, b) => b.confidence - a.confidence || a.index - b.index)
    const shown = mistakes.slice(0, flags.count)

    const size = test.rows * scale
    const { cellH, cellW, columns, height, width } = grid(test.rows, shown.length)
    const raster = Raster.make(width, height)
    const pixelsPer = test.rows * test.cols
    shown.forEach((m, n) => {
      const left = 8 + (n % columns) * cellW
      const top = 8 + Math.floor(n / columns) * cellH
      Raster.tile(raster, left, top, test.rows, test.cols, scale, (y, x) => Raster.ink(test.pixels[m.index * pixelsPer + y * test.cols + x]!))
      Raster.text(raster, left, top + size + 4, `${m.label}>${m.said}`, 2, [178, 24, 43])
      Raster.text(raster, left + 4 * 2 * 4, top + size + 4, `.${Math.floor(m.confidence * 100).toString().padStart(2, "0")}`, 2, [90, 90, 90])
    })
    yield* AtomicFile.write(out, Raster.toPng(raster))
    if (flags.json) {
      yield* Output.json({ image: out, wrong: mistakes.length, count: test.count, shown })
      return
    }
    yield* Output.line(`${mistakes.length} of ${test.count} test images are named wrongly; the ${shown.length} most confident mistakes are in ${out}`)
    yield* Output.line("(each tile: true label > what the network said, then its confidence)")
    for (const m of shown) {
      yield* Output.line(`  test image ${String(m.index).padStart(5)}  labelled ${m.label}  said ${m.said}  confidence ${m.confidence.toFixed(4)}`)
    }
  })
