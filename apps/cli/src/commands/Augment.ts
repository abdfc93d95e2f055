/**
 * `descent augment`: what the network is fed when its training images are augmented — one
 * image of the data set beside versions of it drawn from a seed by `Augment`, each shifted,
 * turned and scaled about its centre and bent by Simard's elastic distortion, as a picture: a
 * title, the original and each version in a grid of labelled tiles, and a key.
 *
 * @since 0.4.0
 */
import { Augment, Dataset, Memory, Rng } from "@descent/core"
import { AtomicFile } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect, type Option } from "effect"
import { Unfit, UsageError } from "../CliError.js"
import * as Datasets from "../Datasets.js"
import * as Font from "../Font.js"
import * as MemoryFlag from "../MemoryFlag.js"
import * as Output from "../Output.js"
import * as Raster from "../Raster.js"
import * as Svg from "../Svg.js"

/**
 * @since 0.4.0
 * @category models
 */
export interface Flags {
  readonly index: number
  readonly set: "train" | "test"
  readonly count: number
  readonly seed: number
  /** How far images move, as a multiple of `Augment.defaults` (train's --augment-strength). */
  readonly strength: number
  readonly out: string
  readonly data: Option.Option<string>
  readonly maxMemory: Memory.Limit
}

/**
 * The most versions one picture shows.
 *
 * @since 0.4.0
 * @category constants
 */
export const maxCount = 99

// Each image pixel is a `scale` × `scale` square; tiles sit in cells with a line under them.
const scale = 4
const gap = 18
const labelBelow = 24
const keyHeight = 96
const columnsAtMost = 8

const setName = (set: "train" | "test") => (set === "train" ? "training" : "test")

// The grid of `tiles` tiles of rows × cols images: the size of each cell, its columns, and the
// picture's height.
const grid = (rows: number, cols: number, tiles: number, seed: number) => {
  const tileW = cols * scale
  const tileH = rows * scale
  const cellW = Math.max(tileW, Font.width("original", 13, true), Font.width(label(seed, maxCount), 13)) + gap
  const cellH = tileH + labelBelow + gap
  const columns = Math.min(columnsAtMost, tiles)
  const height = Svg.headingHeight + Math.ceil(tiles / columns) * cellH + keyHeight
  return { tileW, tileH, cellW, cellH, columns, gridWidth: columns * cellW - gap, height }
}

const label = (seed: number, n: number) => `seed ${seed} · #${n}`

// Training images are what the network is fed; a test image is shown as it would be (training
// never augments test images).
const title = (flags: Flags, digit: number) =>
  `${flags.set === "train" ? "What the network is fed" : "What augmentation would make"}: ${setName(flags.set)} image ${flags.index} (label ${digit}), ${flags.count} augmentation${flags.count === 1 ? "" : "s"}, seed ${flags.seed}`

const percent = (fraction: number) => `${Number((100 * fraction).toFixed(1))}%`

// The parts of the augmentation that move anything, in words.
const affineParts = (options: Augment.Options): ReadonlyArray<string> => [
  ...(options.maxShift > 0 ? [`shifted by up to ${options.maxShift} pixel${options.maxShift === 1 ? "" : "s"} each way`] : []),
  ...(options.maxRotation > 0 ? [`turned by up to ${options.maxRotation}°`] : []),
  ...(options.maxScale > 0 ? [`scaled by up to ±${percent(options.maxScale)}`] : [])
]

const inWords = (parts: ReadonlyArray<string>) =>
  parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`

const settings = (options: Augment.Options): string =>
  [
    `shifts ≤ ${options.maxShift} px`,
    `turns ≤ ${options.maxRotation}°`,
    `scaling ±${percent(options.maxScale)}`,
    options.alpha > 0 ? `elastic α = ${options.alpha}, σ = ${options.sigma}` : "no elastic field"
  ].join(", ")

const key = (flags: Flags, options: Augment.Options): ReadonlyArray<string> => {
  const affine = affineParts(options)
  return [
    `original: ${setName(flags.set)} image ${flags.index} as the data set holds it. seed ${flags.seed} · #n: the nth version drawn from seed ${flags.seed} (another --seed draws others).`,
    affine.length === 0 ? "Each version: not shifted, turned or scaled," : `Each version: ${inWords(affine)} about the centre,`,
    options.alpha > 0
      ? `then bent by an elastic field (Simard et al. 2003: uniform noise per pixel, smoothed by a Gaussian of σ = ${options.sigma} pixels, times α = ${options.alpha}). The label stays.`
      : "and not bent (no elastic field). The label stays."
  ]
}

/**
 * The picture, as an SVG document: a title, the original image and its augmented versions
 * in a grid, each tile labelled, and a key saying how the versions were made. `image` is the
 * original (one image); `augmented` holds the versions, in order; `source` names the data set
 * and says how many images the set has.
 *
 * @since 0.4.0
 * @category drawing
 */
export const draw = (
  image: Dataset.Dataset,
  augmented: Dataset.Dataset,
  flags: Flags,
  source: { readonly name: string; readonly count: number },
  options: Augment.Options = Augment.defaults
): string => {
  const digit = image.labels[0]!
  const heading = title(flags, digit)
  const sub = `${source.name}, ${flags.set === "train" ? "training" : "test"} set: image ${flags.index} of ${source.count.toLocaleString("en-US")} · ${settings(options)}`
  const notes = key(flags, options)
  const tiles = 1 + augmented.count
  const { cellH, cellW, columns, gridWidth, height, tileH, tileW } = grid(image.rows, image.cols, tiles, flags.seed)
  const width = Svg.width(gridWidth, heading, [sub, ...notes])
  const size = Dataset.pixelsPerImage(image)
  const body: Array<string> = [...Svg.heading(heading, sub)]
  for (let n = 0; n < tiles; n++) {
    const left = Svg.margin + (n % columns) * cellW
    const top = Svg.headingHeight + Math.floor(n / columns) * cellH
    const [pixels, from] = n === 0 ? [image.pixels, 0] : [augmented.pixels, (n - 1) * size]
    const raster = Raster.make(tileW, tileH)
    Raster.tile(raster, 0, 0, image.rows, image.cols, scale, (y, x) => Raster.ink(pixels[from + y * image.cols + x]!))
    const name = n === 0 ? "original" : label(flags.seed, n)
    body.push(
      Svg.image(left, top, raster, n === 0 ? `${setName(flags.set)} image ${flags.index}, labelled ${digit}` : `version ${n} drawn from seed ${flags.seed}`),
      Svg.rect(left - 0.5, top - 0.5, tileW + 1, tileH + 1, "none", n === 0 ? "#444" : "#bbb"),
      Svg.text(left, top + tileH + 17, name, n === 0 ? { bold: true } : { colour: "#333" })
    )
  }
  const keyTop = height - keyHeight + 8
  body.push(Svg.text(Svg.margin, keyTop + 12, "Key:", { bold: true }), ...Svg.lines(Svg.margin, keyTop + 32, notes))
  return Svg.document(width, height, heading, body)
}

// Bytes the picture takes: the copies and their versions with Augment's own work, each tile as
// a PNG in base64 (about 2 bytes a pixel, at most), and the document with its rendering. (The
// key's lines are never wider than 1,200 pixels.)
const pictureMemory = (rows: number, cols: number, count: number, seed: number): number => {
  const picture = grid(rows, cols, 1 + count, seed)
  return MemoryFlag.baseline + 2 * count * rows * cols + Augment.memory(count, rows, cols) +
    4 * (1 + count) * picture.tileW * picture.tileH + Svg.memory(2 * Svg.margin + Math.max(picture.gridWidth, 1200), picture.height, 1)
}

/**
 * Runs `descent augment`.
 *
 * @since 0.4.0
 * @category commands
 */
export const run = (flags: Flags) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const out = path.resolve(flags.out)
    const format = path.extname(out).toLowerCase()
    if (format !== ".png" && format !== ".svg") {
      return yield* new UsageError({ message: `--out ${flags.out}: the augmentations are drawn as a picture; give a file ending in .png or .svg` })
    }
    if (!(flags.count >= 1 && flags.count <= maxCount)) {
      return yield* new UsageError({ message: `--count ${flags.count}: draw between 1 and ${maxCount} augmented versions` })
    }
    // The picture's work, as for MNIST's 28×28 images, is set aside before the data is loaded.
    const source = yield* Datasets.fromFlag(flags.data)
    const data = yield* Datasets.load(source, MemoryFlag.remaining(flags.maxMemory, pictureMemory(28, 28, flags.count, flags.seed), "the picture"))
    const set = flags.set === "train" ? data.train : data.test
    if (set.count === 0) {
      const file = flags.set === "train" ? data.files.trainImages.path : data.files.testImages.path
      return yield* new Unfit({
        message: `${file}: holds no ${setName(flags.set)} images, so there is none to augment; give a data set that has some`
      })
    }
    if (!(flags.index >= 0 && flags.index < set.count)) {
      return yield* new UsageError({ message: `--index ${flags.index}: the ${flags.set} set has images 0 to ${set.count - 1}` })
    }
    const dataBytes = data.train.pixels.length + data.test.pixels.length + data.train.count + data.test.count
    const left = MemoryFlag.remaining(flags.maxMemory, dataBytes, "the data")
    const over = Memory.check(left, pictureMemory(set.rows, set.cols, flags.count, flags.seed), `--count ${flags.count}`, `drawing ${flags.count} augmented versions of a ${set.rows}×${set.cols} image`)
    if (over !== undefined) return yield* over

    const size = Dataset.pixelsPerImage(set)
    const image = Dataset.slice(set, flags.index, flags.index + 1)
    const copies = new Uint8Array(flags.count * size)
    for (let n = 0; n < flags.count; n++) copies.set(image.pixels as Uint8Array, n * size)
    const options = Augment.scaled(flags.strength)
    const [augmented] = Augment.dataset(
      Dataset.make({ rows: set.rows, cols: set.cols, pixels: copies, labels: new Uint8Array(flags.count).fill(image.labels[0]!) }),
      Rng.make(flags.seed),
      options
    )
    const svg = draw(image, augmented, flags, { name: Datasets.describe(source), count: set.count }, options)
    const bytes = format === ".svg" ? new TextEncoder().encode(svg) : yield* Svg.toPng(svg)
    yield* AtomicFile.write(out, bytes)
    yield* Output.line(
      `${out}: ${setName(flags.set)} image ${flags.index} (label ${image.labels[0]}) and ${flags.count} augmented version${flags.count === 1 ? "" : "s"} of it, drawn from seed ${flags.seed}`
    )
  })
