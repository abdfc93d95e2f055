/**
 * Decoding MNIST's bundled training set — 60,000 images (47 MB) and their labels — from its
 * IDX files into a `Dataset`, through the same code the `Mnist` layers use. Prints the time of
 * the first decode (a cold process, as a user meets it) and the median of four more, and peak
 * RSS: of the whole process, and before the first decode (what loading Node, Effect and the
 * packages costs on its own).
 */
import { IdxFile, Mnist } from "@descent/data"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect } from "effect"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { median, peakRssMb, report } from "./measure.js"

const dir = Mnist.bundledDirectory()
const decodeTrain = Effect.gen(function* () {
  const images = yield* IdxFile.read(join(dir, "train-images-idx3-ubyte"))
  const labels = yield* IdxFile.read(join(dir, "train-labels-idx1-ubyte"))
  return yield* Mnist.pair(images, labels)
}).pipe(Effect.provide(NodeFileSystem.layer))

const timed = async () => {
  const start = performance.now()
  const dataset = await Effect.runPromise(decodeTrain)
  return { seconds: (performance.now() - start) / 1000, dataset }
}

const before = peakRssMb()
const first = await timed()
const afterFirst = peakRssMb()
const more: Array<number> = []
for (let i = 0; i < 4; i++) more.push((await timed()).seconds)

report(`decode-mnist  bundled training set: ${first.dataset.count} images of ${first.dataset.rows}×${first.dataset.cols} + labels`, [
  ["first decode", `${first.seconds.toFixed(3)} s`],
  ["median of 4 more", `${median(more).toFixed(3)} s`],
  ["peak RSS", `${afterFirst.toFixed(0)} MB (${before.toFixed(0)} MB of it before decoding: Node + Effect + packages)`]
])
