import { IdxError, Mnist, MnistError } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { folder, images, labels } from "./fixtures.js"

layer(NodeMnist.bundled.pipe(Layer.provide(NodeContext.layer)), { timeout: "60 seconds" })("NodeMnist.bundled", (it) => {
  it.effect("loads 60,000 training and 10,000 test images of 28×28", () =>
    Effect.gen(function* () {
      const { test, train } = yield* Mnist.Mnist
      expect([train.count, train.rows, train.cols]).toEqual([60_000, 28, 28])
      expect([test.count, test.rows, test.cols]).toEqual([10_000, 28, 28])
      expect(train.pixels.length).toBe(60_000 * 784)
    }))

  it.effect("has MNIST's labels: the first is 5, and the digit counts are the published ones", () =>
    Effect.gen(function* () {
      const { train } = yield* Mnist.Mnist
      expect(train.labels[0]).toBe(5)
      const counts = new Array(10).fill(0)
      for (const label of train.labels) counts[label]++
      expect(counts).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    }))

  it.effect("fingerprints every file with the SHA-256 of its bytes", () =>
    Effect.gen(function* () {
      const { files } = yield* Mnist.Mnist
      for (const file of Object.values(files)) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(files.trainLabels.path).toMatch(/train-labels-idx1-ubyte$/)
      // Checked against the file hashed whole, independently of the streaming reader.
      for (const file of Object.values(files)) {
        expect(file.sha256).toBe(createHash("sha256").update(readFileSync(file.path)).digest("hex"))
      }
    }))
})

const load = (dir: string) => Mnist.loadDirectory(dir).pipe(Effect.provide(NodeContext.layer))

describe("Mnist.fromDirectory", () => {
  it.effect("reads any folder in MNIST's layout: raw or gzipped, either spelling, any image size", () =>
    Effect.gen(function* () {
      const dir = folder({
        "train-images.idx3-ubyte": images(6, 5, 4),
        "train-labels-idx1-ubyte.gz": gzipSync(labels([0, 1, 2, 3, 4, 9])),
        "t10k-images-idx3-ubyte.gz": gzipSync(images(2, 5, 4)),
        "t10k-labels-idx1-ubyte": labels([7, 8])
      })
      const data = yield* Mnist.Mnist.pipe(Effect.provide(Mnist.fromDirectory(dir)), Effect.provide(NodeContext.layer))
      expect([data.train.count, data.train.rows, data.train.cols]).toEqual([6, 5, 4])
      expect([...data.test.labels]).toEqual([7, 8])
      expect(data.files.trainImages.path).toBe(join(dir, "train-images.idx3-ubyte"))
      expect(data.files.trainLabels.path).toBe(join(dir, "train-labels-idx1-ubyte.gz"))
    }))

  it.effect("a missing file names every name it looked for", () =>
    Effect.gen(function* () {
      const dir = folder({ "train-images-idx3-ubyte": images(2) })
      const error = yield* Effect.flip(load(dir))
      expect(error).toBeInstanceOf(IdxError)
      expect(error.reason).toBe("Missing")
      expect(error.message).toContain("train-labels-idx1-ubyte.gz")
      expect(error.message).toContain("train-labels.idx1-ubyte")
    }))

  const broken = (files: Partial<Record<string, Uint8Array>>) =>
    Effect.flip(
      load(
        folder({
          "train-images-idx3-ubyte": images(3),
          "train-labels-idx1-ubyte": labels([1, 2, 3]),
          "t10k-images-idx3-ubyte": images(2),
          "t10k-labels-idx1-ubyte": labels([4, 5]),
          ...(files as Record<string, Uint8Array>)
        })
      )
    )

  it.effect("images and labels that disagree in count", () =>
    Effect.gen(function* () {
      const error = yield* broken({ "train-labels-idx1-ubyte": labels([1, 2]) })
      expect(error).toBeInstanceOf(MnistError)
      expect(error.reason).toBe("CountMismatch")
      expect(error.message).toMatch(/3 images in .*, 2 labels/)
    }))

  it.effect("a label that is not a digit, with its byte offset", () =>
    Effect.gen(function* () {
      const error = yield* broken({ "t10k-labels-idx1-ubyte": labels([4, 12]) })
      expect(error.reason).toBe("LabelOutOfRange")
      expect(error.offset).toBe(9)
      expect(error.message).toMatch(/t10k-labels-idx1-ubyte at byte 9: label 1 is 12/)
    }))

  it.effect("labels where images should be, and images of another size in the test set", () =>
    Effect.gen(function* () {
      const swapped = yield* broken({ "train-images-idx3-ubyte": labels([1, 2, 3]) })
      expect(swapped.reason).toBe("WrongShape")
      expect(swapped.message).toContain("images must be unsigned bytes of 3 dimensions")
      const resized = yield* broken({ "t10k-images-idx3-ubyte": images(2, 5, 5) })
      expect(resized.reason).toBe("SizeMismatch")
    }))
})
