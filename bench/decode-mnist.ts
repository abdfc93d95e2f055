/**
 * Decoding MNIST's bundled training set — 60,000 images (47 MB) and their labels — from its
 * IDX files into a `Dataset`, through the same code the `Mnist` layers use. Prints the time of
 * the first decode (a cold process, as a user meets it) and the median of four more — with
 * SHA-256 from node:crypto, as the CLI fingerprints files — then the median of four with the
 * pure default SHA-256 (@noble/hashes, what a browser uses), and peak RSS: of the whole process,
 * and before the first decode (what loading Node, Effect and the packages costs on its own).
 */
import { IdxFile, Mnist } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect, Layer } from "effect"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { median, peakRssMb, report } from "./measure.js"

const dir = NodeMnist.bundledDirectory()
const decodeTrain = (sha256: Layer.Layer<never>) =>
  Effect.gen(function* () {
    const images = yield* IdxFile.read(join(dir, "train-images-idx3-ubyte"))
    const labels = yield* IdxFile.read(join(dir, "train-labels-idx1-ubyte"))
    return yield* Mnist.pair(images, labels)
  }).pipe(Effect.provide(NodeFileSystem.layer), Effect.provide(sha256))

const timed = async (sha256: Layer.Layer<never> = NodeMnist.sha256) => {
  const start = performance.now()
  const dataset = await Effect.runPromise(decodeTrain(sha256))
  return { seconds: (performance.now() - start) / 1000, dataset }
}

const before = peakRssMb()
const first = await timed()
const afterFirst = peakRssMb()
const more: Array<number> = []
for (let i = 0; i < 4; i++) more.push((await timed()).seconds)
const pure: Array<number> = []
for (let i = 0; i < 4; i++) pure.push((await timed(Layer.empty)).seconds)

report(`decode-mnist  bundled training set: ${first.dataset.count} images of ${first.dataset.rows}×${first.dataset.cols} + labels`, [
  ["first decode", `${first.seconds.toFixed(3)} s`],
  ["median of 4 more", `${median(more).toFixed(3)} s`],
  ["median of 4, pure SHA-256", `${median(pure).toFixed(3)} s (@noble/hashes, as in a browser)`],
  ["peak RSS", `${afterFirst.toFixed(0)} MB (${before.toFixed(0)} MB of it before decoding: Node + Effect + packages)`]
])
