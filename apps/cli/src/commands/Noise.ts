/**
 * `descent noise`: feeds the network images of pure noise and reports how confidently it
 * names a digit anyway — beside the same statistic on real test images. The chapter's
 * follow-up: the network has no way to say "this is not a digit".
 *
 * @since 0.1.0
 */
import { Dataset, Evaluate, Feedforward, Memory, Rng } from "@descent/core"
import type { ModelFile } from "@descent/files"
import { Effect, type Option } from "effect"
import { UsageError } from "../CliError.js"
import * as ModelOnData from "../ModelOnData.js"
import * as Output from "../Output.js"

/**
 * How confident a network is over a set of images.
 *
 * @since 0.1.0
 * @category models
 */
export interface Confidence {
  readonly images: number
  /** How many images' top output activation falls in [0, 0.1), [0.1, 0.2), …, [0.9, 1]. */
  readonly histogram: ReadonlyArray<number>
  readonly meanTop: number
  readonly medianTop: number
  /** How many images the network named as each digit. */
  readonly digits: ReadonlyArray<number>
}

/**
 * The statistics of the top output activation over `dataset`.
 *
 * @since 0.1.0
 * @category measuring
 */
export const confidence = (model: ModelFile.Model, dataset: Dataset.Dataset): Confidence => {
  const classes = model.network.layout.sizes[model.network.layout.sizes.length - 1]!
  const outputs = Evaluate.outputs(model.network, model.params, dataset)
  const histogram = new Array<number>(10).fill(0)
  const digits = new Array<number>(classes).fill(0)
  const tops = new Float64Array(dataset.count)
  for (let i = 0; i < dataset.count; i++) {
    const said = Feedforward.argmax(outputs, i * classes, classes)
    const top = outputs[i * classes + said]!
    tops[i] = top
    histogram[Math.min(9, Math.max(0, Math.floor(top * 10)))]!++
    digits[said]!++
  }
  tops.sort()
  return {
    images: dataset.count,
    histogram,
    meanTop: tops.reduce((a, b) => a + b, 0) / tops.length,
    medianTop: tops[Math.floor(tops.length / 2)]!,
    digits
  }
}

/**
 * `count` images of uniform noise, each pixel an independent byte drawn from the seed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const noiseImages = (count: number, rows: number, cols: number, seed: number): Dataset.Dataset => {
  const pixels = new Uint8Array(count * rows * cols)
  // Drawn a piece at a time (the same sequence as one draw of them all), so that no float64 is
  // held for every pixel.
  const piece = 65536
  let rng = Rng.make(seed)
  for (let from = 0; from < pixels.length; from += piece) {
    const [draws, next] = Rng.uniforms(rng, Math.min(piece, pixels.length - from))
    for (let i = 0; i < draws.length; i++) pixels[from + i] = Math.floor(draws[i]! * 256)
    rng = next
  }
  return Dataset.make({ rows, cols, pixels, labels: new Uint8Array(count) })
}

/**
 * Runs `descent noise`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: {
  readonly model: string
  readonly count: number
  readonly seed: number
  readonly data: Option.Option<string>
  readonly maxMemory: Memory.Limit
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    if (!(flags.count >= 1 && flags.count <= 100_000)) {
      return yield* new UsageError({ message: `--count ${flags.count}: use between 1 and 100000 noise images` })
    }
    const { data, left, model } = yield* ModelOnData.load(flags.model, flags.data, flags.maxMemory)
    // Each noise pixel is kept as a byte; then every image's outputs, and each image's top one.
    const pixels = data.test.rows * data.test.cols
    const needed = flags.count * pixels + 2 * Evaluate.memory(model.network.layout, flags.count) + 16 * flags.count
    const over = Memory.check(left, needed, `--count ${flags.count}`, `${flags.count} noise images of ${data.test.rows}×${data.test.cols}`)
    if (over !== undefined) return yield* over
    const noise = confidence(model, noiseImages(flags.count, data.test.rows, data.test.cols, flags.seed))
    const real = confidence(model, Dataset.take(data.test, flags.count))
    if (flags.json) {
      yield* Output.json({ noise, test: real })
      return
    }
    const bar = (n: number, of: number) => "█".repeat(Math.round((n / of) * 40))
    yield* Output.line(
      `top output activation (how sure the network is of its answer), ${noise.images} noise images and ${real.images} test images:`
    )
    yield* Output.line(`${"".padEnd(11)}${"noise (seed " + flags.seed + ")".padEnd(0)}`.padEnd(60) + "test images")
    for (let b = 9; b >= 0; b--) {
      const range = `${(b / 10).toFixed(1)}–${((b + 1) / 10).toFixed(1)}`
      const left = `${String(noise.histogram[b]).padStart(6)} ${bar(noise.histogram[b]!, noise.images)}`
      const right = `${String(real.histogram[b]).padStart(6)} ${bar(real.histogram[b]!, real.images)}`
      yield* Output.line(`  ${range}  ${left.padEnd(49)}${right}`)
    }
    yield* Output.line(`  mean       ${noise.meanTop.toFixed(3).padEnd(49)}${real.meanTop.toFixed(3)}`)
    yield* Output.line(`  median     ${noise.medianTop.toFixed(3).padEnd(49)}${real.medianTop.toFixed(3)}`)
    yield* Output.line("")
    yield* Output.line("digits it names:")
    yield* Output.line(`  noise  ${noise.digits.map((n, d) => `${d}:${n}`).join("  ")}`)
    yield* Output.line(`  test   ${real.digits.map((n, d) => `${d}:${n}`).join("  ")}`)
  })
