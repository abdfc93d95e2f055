// MNIST over HTTP: a local server hands out the bundled files (raw, gzipped, cut short, or not
// at all), and Mnist.fromUrl must read what Mnist.fromDirectory reads — with the same checks
// and typed errors.
import { Memory } from "@descent/core"
import { IdxError, Mnist, MnistError } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { countingSha256, labelBomb } from "./fixtures.js"

const bundled = NodeMnist.bundledDirectory()
const file = (name: string) => readFileSync(join(bundled, name))

// Each folder of the server is one way of serving the four files.
const folders: Record<string, Record<string, Uint8Array | "cut"> > = {
  raw: {
    "train-images-idx3-ubyte": file("train-images-idx3-ubyte"),
    "train-labels-idx1-ubyte": file("train-labels-idx1-ubyte"),
    "t10k-images-idx3-ubyte": file("t10k-images-idx3-ubyte"),
    "t10k-labels-idx1-ubyte": file("t10k-labels-idx1-ubyte")
  },
  // As MNIST is published: gzipped, and only under the .gz names.
  gz: {
    "train-images-idx3-ubyte.gz": gzipSync(file("train-images-idx3-ubyte")),
    "train-labels-idx1-ubyte.gz": gzipSync(file("train-labels-idx1-ubyte")),
    "t10k-images-idx3-ubyte.gz": gzipSync(file("t10k-images-idx3-ubyte")),
    "t10k-labels-idx1-ubyte.gz": gzipSync(file("t10k-labels-idx1-ubyte"))
  },
  // The test labels stop after 5,000 of their 10,000 bytes.
  short: {
    "train-images-idx3-ubyte": file("train-images-idx3-ubyte"),
    "train-labels-idx1-ubyte": file("train-labels-idx1-ubyte"),
    "t10k-images-idx3-ubyte": file("t10k-images-idx3-ubyte"),
    "t10k-labels-idx1-ubyte": file("t10k-labels-idx1-ubyte").subarray(0, 5008)
  },
  // The connection drops in the middle of the training labels, though the length was promised
  // (after their header: the four headers pair up, and the drop is met reading the bodies).
  dropped: {
    "train-images-idx3-ubyte": file("train-images-idx3-ubyte"),
    "train-labels-idx1-ubyte": "cut",
    "t10k-images-idx3-ubyte": file("t10k-images-idx3-ubyte"),
    "t10k-labels-idx1-ubyte": file("t10k-labels-idx1-ubyte")
  },
  // Training labels whose header claims 2³¹−1 labels, over 8 MiB of zeros gzipped to 8 KiB.
  bomb: {
    "train-images-idx3-ubyte": file("train-images-idx3-ubyte"),
    "train-labels-idx1-ubyte.gz": labelBomb(8 * 1024 * 1024),
    "t10k-images-idx3-ubyte": file("t10k-images-idx3-ubyte"),
    "t10k-labels-idx1-ubyte": file("t10k-labels-idx1-ubyte")
  },
  empty: {}
}

let server: Server
let base: string
beforeAll(async () => {
  server = createServer((request, response) => {
    const [, folder, name] = (request.url ?? "").split("/")
    const body = folders[folder ?? ""]?.[name ?? ""]
    if (body === undefined) {
      response.writeHead(404).end()
    } else if (body === "cut") {
      const whole = file("train-labels-idx1-ubyte")
      response.writeHead(200, { "content-length": String(whole.length) })
      response.write(whole.subarray(0, 30_000))
      setTimeout(() => response.destroy(), 20)
    } else {
      response.writeHead(200, { "content-length": String(body.length) }).end(body)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const fromUrl = (folder: string) => Mnist.loadUrl(`${base}/${folder}/`).pipe(Effect.provide(FetchHttpClient.layer))
const fromDisk = NodeMnist.loadBundled.pipe(Effect.provide(NodeContext.layer))

describe("Mnist.fromUrl", () => {
  it.effect("reads the files a server hands out: the same images, labels and fingerprints as from disk", () =>
    Effect.gen(function* () {
      const disk = yield* fromDisk
      for (const folder of ["raw", "gz"]) {
        const web = yield* fromUrl(folder)
        expect([web.train.count, web.test.count]).toEqual([60_000, 10_000])
        expect(Buffer.from(web.train.pixels as Uint8Array).equals(Buffer.from(disk.train.pixels as Uint8Array))).toBe(true)
        expect([...web.test.labels]).toEqual([...disk.test.labels])
        // Fingerprints are of the decompressed bytes, whatever the transport.
        expect(Object.values(web.files).map((f) => f.sha256)).toEqual(Object.values(disk.files).map((f) => f.sha256))
        expect(web.files.trainImages.path).toBe(`${base}/${folder}/train-images-idx3-ubyte${folder === "gz" ? ".gz" : ""}`)
      }
    }), 60_000)

  it.effect("a file cut short fails as IDX data cut short, naming its URL", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(fromUrl("short"))
      expect(error).toBeInstanceOf(IdxError)
      expect(error).toMatchObject({ reason: "BodyTruncated", path: `${base}/short/t10k-labels-idx1-ubyte` })
      expect(error.message).toMatch(/the data is cut short .*download it again/)
    }), 60_000)

  it.effect("a dropped connection fails as unreachable, naming the URL", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(fromUrl("dropped"))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "Unreachable", path: `${base}/dropped/train-labels-idx1-ubyte` })
    }), 60_000)

  it.effect("a server without the files fails as missing, naming every name tried", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(fromUrl("empty"))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "Missing", path: `${base}/empty/train-images-idx3-ubyte` })
      expect(error.message).toContain("train-images-idx3-ubyte.gz, train-images.idx3-ubyte")
    }))

  it.effect("a labels file claiming 2³¹−1 labels fails as a count mismatch, the images' body unread", () =>
    Effect.gen(function* () {
      const hashed = countingSha256()
      const error = yield* Effect.flip(fromUrl("bomb").pipe(Effect.provide(hashed.layer)))
      expect(error).toBeInstanceOf(MnistError)
      expect(error).toMatchObject({ reason: "CountMismatch", path: `${base}/bomb/train-labels-idx1-ubyte.gz` })
      expect(error.message).toContain("60000 images in")
      // Every decoded byte pulled is hashed: of the images' 47 MB and the labels' 8 MiB, only
      // the first chunks, and the test files were never asked for.
      expect(hashed.bytes.length).toBe(2)
      for (const bytes of hashed.bytes) expect(bytes).toBeLessThan(1024 * 1024)
    }), 60_000)

  it.effect("a memory limit below what the set needs is refused after the headers, naming the URL", () =>
    Effect.gen(function* () {
      const hashed = countingSha256()
      const limit = Memory.limit(32 * 1024 * 1024, "raise it with --max-memory")
      const error = yield* Effect.flip(
        Mnist.loadUrl(`${base}/gz/`, limit).pipe(Effect.provide(hashed.layer), Effect.provide(FetchHttpClient.layer))
      )
      expect(error).toBeInstanceOf(Memory.MemoryLimitError)
      expect(error.message).toBe(
        `${base}/gz/: the data set's 60000 training and 10000 test images of 28×28 would need about 60.4 MiB of memory, more than the limit of 32.0 MiB; raise it with --max-memory`
      )
      expect(hashed.bytes.length).toBe(4)
      for (const bytes of hashed.bytes) expect(bytes).toBeLessThan(1024 * 1024)
    }), 60_000)

  it.effect("no server at all fails as unreachable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Mnist.loadUrl("http://127.0.0.1:9/").pipe(Effect.provide(FetchHttpClient.layer)))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "Unreachable" })
      expect(error.message).toMatch(/^http:\/\/127\.0\.0\.1:9\/train-images-idx3-ubyte: cannot fetch it/)
    }))
})
