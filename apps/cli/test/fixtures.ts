// What the in-process CLI tests share: a Datasets service that hands out a test's own sets.
import type { Dataset } from "@descent/core"
import type { Mnist } from "@descent/data"
import { Effect, Layer } from "effect"
import * as Datasets from "../src/Datasets.js"

const file = { path: "memory", sha256: "0".repeat(64) }

/** A `Datasets` service whose every source is these two sets (named "memory" in records). */
export const inMemory = (train: Dataset.Dataset, test: Dataset.Dataset): Layer.Layer<Datasets.Datasets> => {
  const data: Mnist.MnistData = { train, test, files: { trainImages: file, trainLabels: file, testImages: file, testLabels: file } }
  return Layer.succeed(Datasets.Datasets, { load: () => Effect.succeed(data) })
}
