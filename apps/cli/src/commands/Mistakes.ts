/**
 * `descent mistakes`: the test images the network gets wrong most confidently, as a picture —
 * a titled grid, each image labelled with its true label, what the network said, the network's
 * confidence and its index, and a key — and as a list.
 *
 * @since 0.1.0
 */
import { type Dataset, Evaluate, Feedforward, Memory } from "@descent/core"
import { AtomicFile } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect, type Option } from "effect"
import { UsageError } from "../CliError.js"
import * as Font from "../Font.js"
import * as ModelOnData from "../ModelOnData.js"
import * as Output from "../Output.js"
import * as Raster from "../Raster.js"
import * as Svg from "../Svg.js"

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

// Each image pixel is a `scale` × `scale` square; tiles sit in cells with three lines under them.
const scale = 3
const gap = 16
const labels = 54
const keyHeight = 90

// The grid of `count` tiles: the size of each cell, its columns, and the picture's height.
const grid = (test: Dataset.Dataset, count: number) => {
  const tileW = test.cols * scale
  const tileH = test.rows * scale
  const cellW = Math.max(tileW, Font.width("true 0 → said 0", 13, true), Font.width("confidence 0.000", 12), Font.width("test image 00000", 12)) + gap
  const cellH = tileH + labels + gap
  const columns = Math.max(1, Math.min(10, Math.ceil(Math.sqrt(count))))
  const height = Svg.headingHeight + Math.ceil(count / columns) * cellH + keyHeight
  return { tileW, tileH, cellW, cellH, columns, gridWidth: columns * cellW - gap, height }
}

const title = (shown: number, wrong: number) =>
  wrong === 0
    ? "The network names every test image correctly: there is no mistake to show"
    : `The ${shown === 1 ? "test image" : `${shown} test images`} the network gets most confidently wrong`

const key = (count: number): ReadonlyArray<string> => [
  "Under each image: its true label (from the test set) → the digit the network said;",
  "confidence: the activation of the output neuron that won (0 to 1), the network's own measure of how sure it is;",
  `test image: its index among the ${count.toLocaleString("en-US")}, to look at it alone with descent predict --index N.`
]

/**
 * The picture of the most confident mistakes, as an SVG document: a title, the images in a
 * grid (most confident first), each labelled with its true label, what the network said, the
 * confidence and its index, and a key saying what those are. `name` names the model.
 *
 * @since 0.3.0
 * @category drawing
 */
export const draw = (
  test: Dataset.Dataset,
  shown: ReadonlyArray<Mistake>,
  wrong: number,
  name: string
): string => {
  const heading = title(shown.length, wrong)
  const right = test.count - wrong
  const sub = `${name} · ${wrong.toLocaleString("en-US")} of ${test.count.toLocaleString("en-US")} test images named wrongly, ${
    ((100 * right) / test.count).toFixed(2)
  }% right`
  const notes = key(test.count)
  const { cellH, cellW, columns, gridWidth, height, tileH, tileW } = grid(test, shown.length)
  const width = Svg.width(gridWidth, heading, [sub, ...notes])
  const pixelsPer = test.rows * test.cols
  const body: Array<string> = [...Svg.heading(heading, sub)]
  shown.forEach((m, n) => {
    const left = Svg.margin + (n % columns) * cellW
    const top = Svg.headingHeight + Math.floor(n / columns) * cellH
    const raster = Raster.make(tileW, tileH)
    Raster.tile(raster, 0, 0, test.rows, test.cols, scale, (y, x) => Raster.ink(test.pixels[m.index * pixelsPer + y * test.cols + x]!))
    body.push(
      Svg.image(left, top, raster, `test image ${m.index}: labelled ${m.label}, the network said ${m.said}`),
      Svg.rect(left - 0.5, top - 0.5, tileW + 1, tileH + 1, "none", "#bbb"),
      Svg.text(left, top + tileH + 17, `true ${m.label} → said ${m.said}`, { bold: true, colour: "#b2182b" }),
      Svg.text(left, top + tileH + 33, `confidence ${m.confidence.toFixed(3)}`, { size: 12 }),
      Svg.text(left, top + tileH + 49, `test image ${m.index}`, { size: 12, colour: "#555" })
    )
  })
  const keyTop = height - keyHeight + 8
  body.push(Svg.text(Svg.margin, keyTop + 12, "Key:", { bold: true }), ...Svg.lines(Svg.margin, keyTop + 32, notes))
  return Svg.document(width, height, heading, body)
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
    const format = path.extname(out).toLowerCase()
    if (format !== ".png" && format !== ".svg") {
      return yield* new UsageError({ message: `--out ${flags.out}: the mistakes are drawn as a picture; give a file ending in .png or .svg` })
    }
    if (!(flags.count >= 1 && flags.count <= 400)) {
      return yield* new UsageError({ message: `--count ${flags.count}: show between 1 and 400 images` })
    }
    const { data, left, model } = yield* ModelOnData.load(flags.model, flags.data, flags.maxMemory)
    const test = data.test
    const shownAtMost = Math.min(flags.count, test.count)
    // Each tile as a PNG in base64 (about 2 bytes a pixel, at most), the document, its rendering.
    // (The key's lines are never wider than 1,100 pixels.)
    const picture = grid(test, shownAtMost)
    const needs = 4 * shownAtMost * picture.tileW * picture.tileH + Svg.memory(2 * Svg.margin + Math.max(picture.gridWidth, 1100), picture.height, 1)
    const over = Memory.check(left, needs, `--count ${flags.count}`, `drawing ${shownAtMost} test images of ${test.rows}×${test.cols}`)
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

    const modelPath = path.resolve(flags.model)
    const svg = draw(test, shown, mistakes.length, path.join(path.basename(path.dirname(modelPath)), path.basename(modelPath)))
    const bytes = format === ".svg" ? new TextEncoder().encode(svg) : yield* Svg.toPng(svg)
    yield* AtomicFile.write(out, bytes)
    if (flags.json) {
      yield* Output.json({ image: out, wrong: mistakes.length, count: test.count, shown })
      return
    }
    const where = shown.length === 0 ? `there is none to show in ${out}` : shown.length === 1 ? `the most confident is in ${out}` : `the ${shown.length} most confident are in ${out}`
    yield* Output.line(`${mistakes.length} of ${test.count} test images are named wrongly; ${where}`)
    for (const m of shown) {
      yield* Output.line(`  test image ${String(m.index).padStart(5)}  labelled ${m.label}  said ${m.said}  confidence ${m.confidence.toFixed(4)}`)
    }
  })
