// MNIST over HTTP: a local server hands out the bundled files (raw, gzipped, cut short, or not
// at all), and Mnist.fromUrl must read what Mnist.fromDirectory reads — with the same checks
// and typed errors.
import { Memory } from "@descent/core"
import { IdxError, Mnist, MnistError } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
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

// Folders that answer in their own way rather than hand out files as they are. Each gets the
// name of the file asked for, and the raw bundled file of that name when there is one.
type Answer = (name: string, body: Uint8Array | undefined, request: IncomingMessage, response: ServerResponse) => void
const serve = (response: ServerResponse, body: Uint8Array | undefined) =>
  body === undefined ? response.writeHead(404).end() : response.writeHead(200, { "content-length": String(body.length) }).end(body)
const answers: Record<string, Answer> = {
  // Takes the request and never answers.
  silent: () => {},
  // Sends the test labels' headers and half their bytes, then nothing more (the connection
  // stays open).
  stalled: (name, body, _, response) => {
    if (name !== "t10k-labels-idx1-ubyte" || body === undefined) return serve(response, body)
    response.writeHead(200, { "content-length": String(body.length) })
    response.write(body.subarray(0, 5_000))
  },
  // Every file in 20 pieces, one every 50 ms: a second each, never 200 ms without data.
  slow: (_, body, __, response) => {
    if (body === undefined) return serve(response, body)
    response.writeHead(200, { "content-length": String(body.length) })
    const piece = Math.ceil(body.length / 20)
    let sent = 0
    const next = () => {
      response.write(body.subarray(sent, sent + piece))
      sent += piece
      if (sent < body.length) setTimeout(next, 50)
      else response.end()
    }
    next()
  },
  // Redirects to itself.
  loop: (_, __, request, response) => void response.writeHead(302, { location: request.url ?? "/" }).end(),
  // Headers too large for any client.
  "huge-headers": (_, body, __, response) => void response.writeHead(200, { "x-padding": "x".repeat(100_000) }).end(body),
  // Hangs up without a word.
  "hang-up": (_, __, request) => void request.socket.destroy(),
  // The raw files, to whoever sends the right user name and password.
  auth: (_, body, request, response) => {
    authorizations.push(request.headers.authorization)
    if (request.headers.authorization !== `Basic ${Buffer.from("alice:s3cret!").toString("base64")}`) {
      return void response.writeHead(401, { "www-authenticate": "Basic" }).end()
    }
    serve(response, body)
  }
}
const authorizations: Array<string | undefined> = []

let server: Server
let base: string
// A port that was just listened on and closed: nothing listens there now.
let closedPort: number
beforeAll(async () => {
  server = createServer((request, response) => {
    const [, folder, name] = (request.url ?? "").split("/")
    const answer = answers[folder ?? ""]
    if (answer !== undefined) return answer(name ?? "", folders.raw![name ?? ""] as Uint8Array | undefined, request, response)
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
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
  closedPort = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
})
// The silent and stalled answers leave connections open: they are closed here, so that the
// server can close and the file end.
afterAll(() =>
  new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
)

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
      expect(error.message).toBe(
        `${base}/dropped/train-labels-idx1-ubyte: cannot fetch it (the connection broke off before the file was complete); check the address, that the server is up, and your network, then try again`
      )
    }), 60_000)

  it.effect("a server without the files fails as missing, naming every name tried", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(fromUrl("empty"))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "Missing", path: `${base}/empty/train-images-idx3-ubyte` })
      expect(error.message).toContain("train-images-idx3-ubyte.gz, train-images.idx3-ubyte")
      // A folder's address without its trailing slash is the same folder, not its parent.
      const bare = yield* Effect.flip(Mnist.loadUrl(`${base}/empty`).pipe(Effect.provide(FetchHttpClient.layer)))
      expect(bare).toMatchObject({ reason: "Missing", path: `${base}/empty/train-images-idx3-ubyte` })
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

})

// The message of the first file's failure, fetched from `url` (with `fetch` in place of the
// global one, where given).
const failure = (url: string, fetch?: typeof globalThis.fetch) =>
  Effect.flip(
    Mnist.loadUrl(url).pipe(
      Effect.provide(FetchHttpClient.layer),
      Effect.provide(fetch === undefined ? Layer.empty : Layer.succeed(FetchHttpClient.Fetch, fetch))
    )
  )
const then = "check the address, that the server is up, and your network, then try again"

// A fetch that fails as Node's does, with the system's error under "fetch failed".
const failingFetch = (code: string, message: string): typeof globalThis.fetch => () =>
  Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) }))

describe("Mnist.fromUrl says why a fetch failed", () => {
  it.effect("no server at the port: the connection is refused", () =>
    Effect.gen(function* () {
      const error = yield* failure(`http://127.0.0.1:${closedPort}/`)
      expect(error).toMatchObject({ _tag: "IdxError", reason: "Unreachable", path: `http://127.0.0.1:${closedPort}/train-images-idx3-ubyte` })
      expect(error.message).toBe(
        `http://127.0.0.1:${closedPort}/train-images-idx3-ubyte: cannot fetch it (the server refused the connection: nothing listens at 127.0.0.1:${closedPort}); ${then}`
      )
    }))

  it.effect("port 1 (or 9), which fetch will not connect to", () =>
    Effect.gen(function* () {
      for (const port of [1, 9]) {
        const error = yield* failure(`http://127.0.0.1:${port}/`)
        expect(error.message).toBe(
          `http://127.0.0.1:${port}/train-images-idx3-ubyte: cannot fetch it (fetch will not connect to port ${port}, one of the ports browsers block — serve the files on another port); ${then}`
        )
      }
    }))

  it.effect("a host that does not exist, and a certificate that is not trusted", () =>
    Effect.gen(function* () {
      const host = yield* failure("https://mnist.invalid/", failingFetch("ENOTFOUND", "getaddrinfo ENOTFOUND mnist.invalid"))
      expect(host.message).toBe(`https://mnist.invalid/train-images-idx3-ubyte: cannot fetch it (no such host: mnist.invalid is not a name the DNS knows); ${then}`)
      const certificate = yield* failure("https://mnist.example/", failingFetch("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"))
      expect(certificate.message).toContain("(the server's certificate is not trusted: self-signed certificate)")
    }))

  it.effect("https:// to a server that speaks plain http", () =>
    Effect.gen(function* () {
      const url = base.replace("http:", "https:")
      const error = yield* failure(`${url}/raw/`)
      expect(error.message).toBe(
        `${url}/raw/train-images-idx3-ubyte: cannot fetch it (the server's TLS does not match — is it http rather than https?); ${then}`
      )
    }))

  it.effect("a redirect loop, headers too large, a server that hangs up", () =>
    Effect.gen(function* () {
      const loop = yield* failure(`${base}/loop/`)
      expect(loop.message).toBe(`${base}/loop/train-images-idx3-ubyte: cannot fetch it (too many redirects — the server may redirect in a loop); ${then}`)
      const huge = yield* failure(`${base}/huge-headers/`)
      expect(huge.message).toBe(`${base}/huge-headers/train-images-idx3-ubyte: cannot fetch it (the server's response headers are too large); ${then}`)
      const hangUp = yield* failure(`${base}/hang-up/`)
      expect(hangUp.message).toBe(
        `${base}/hang-up/train-images-idx3-ubyte: cannot fetch it (the server closed the connection without answering — if it serves https, give an https:// address); ${then}`
      )
    }))

  it.effect("an address that is not a URL, or not one fetch can fetch", () =>
    Effect.gen(function* () {
      const notAUrl = yield* failure("http://[::1")
      expect(notAUrl).toMatchObject({ reason: "Unreachable", path: "http://[::1", detail: "not a URL" })
      const ftp = yield* failure("ftp://127.0.0.1/mnist/")
      expect(ftp.message).toContain("(only http:// and https:// addresses can be fetched, not ftp:)")
    }))
})

// A user name and password in the address are sent as Basic authentication, and never shown:
// not in a message, not in the paths of the files read.
describe("Mnist.fromUrl with credentials in the address", () => {
  const secretFree = (text: string) => {
    expect(text).not.toContain("s3cret")
    expect(text).not.toContain("alice")
  }
  const withCredentials = (url: string, credentials = "alice:s3cret%21") => url.replace("http://", `http://${credentials}@`)
  const hidden = (url: string) => url.replace("http://", "http://***@")

  it.effect("reads the files, authenticated, with the credentials hidden in their paths", () =>
    Effect.gen(function* () {
      // Without them, the server refuses, and the message says what it wants.
      const anonymous = yield* Effect.flip(fromUrl("auth"))
      expect(anonymous.message).toContain("(the server answered HTTP 401: it wants a user name and password, which the address can carry")
      authorizations.length = 0
      const web = yield* Mnist.loadUrl(withCredentials(`${base}/auth/`)).pipe(Effect.provide(FetchHttpClient.layer))
      expect(web.train.count).toBe(60_000)
      expect(authorizations).toEqual(Array(4).fill(`Basic ${Buffer.from("alice:s3cret!").toString("base64")}`))
      expect(web.files.trainImages.path).toBe(hidden(`${base}/auth/train-images-idx3-ubyte`))
      secretFree(JSON.stringify(web.files))
    }), 60_000)

  it.effect("no failure shows them: refused, missing, rejected, over the memory limit, not a URL", () =>
    Effect.gen(function* () {
      const refused = yield* failure(withCredentials(`http://127.0.0.1:${closedPort}/`))
      expect(refused.message).toBe(
        `http://***@127.0.0.1:${closedPort}/train-images-idx3-ubyte: cannot fetch it (the server refused the connection: nothing listens at 127.0.0.1:${closedPort}); ${then}`
      )
      const missing = yield* failure(withCredentials(`${base}/empty/`))
      expect(missing).toMatchObject({ reason: "Missing", path: hidden(`${base}/empty/train-images-idx3-ubyte`) })
      const rejected = yield* failure(withCredentials(`${base}/auth/`, "alice:wrong"))
      expect(rejected.message).toBe(
        `${hidden(`${base}/auth/train-images-idx3-ubyte`)}: cannot fetch it (the server answered HTTP 401: it refused the user name and password); ${then}`
      )
      const tooMuch = yield* Effect.flip(
        Mnist.loadUrl(withCredentials(`${base}/auth/`), Memory.limit(1024 * 1024)).pipe(Effect.provide(FetchHttpClient.layer))
      )
      expect(tooMuch).toMatchObject({ _tag: "MemoryLimitError", source: hidden(`${base}/auth/`) })
      const notAUrl = yield* failure("http://alice:s3cret@[::1/")
      expect(notAUrl).toMatchObject({ path: "http://***@[::1/", detail: "not a URL" })
      for (const error of [refused, missing, rejected, tooMuch, notAUrl]) secretFree(`${error.message} ${JSON.stringify(error)}`)
    }), 60_000)
})

// Timeouts run on the real clock (`it.live`): 200 ms here, 30 seconds by default.
describe("Mnist.fromUrl timeouts", () => {
  const quick = { timeout: "200 millis" } as const
  const within = (folder: string) => Mnist.loadUrl(`${base}/${folder}/`, undefined, quick).pipe(Effect.provide(FetchHttpClient.layer))

  it.live("a server that never answers fails after the timeout", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(within("silent"))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "Unreachable", path: `${base}/silent/train-images-idx3-ubyte` })
      expect(error.message).toBe(`${base}/silent/train-images-idx3-ubyte: cannot fetch it (no answer within 200 milliseconds); ${then}`)
    }), 5_000)

  it.live("a download that stalls midway fails after the idle timeout", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(within("stalled"))
      expect(error).toMatchObject({ _tag: "IdxError", reason: "Unreachable", path: `${base}/stalled/t10k-labels-idx1-ubyte` })
      expect(error.message).toBe(
        `${base}/stalled/t10k-labels-idx1-ubyte: cannot fetch it (the download stalled: no data for 200 milliseconds); ${then}`
      )
    }), 10_000)

  it.live("a slow download that keeps arriving is not cut off", () =>
    Effect.gen(function* () {
      const started = Date.now()
      const web = yield* within("slow")
      // Each file took 20 pieces 50 ms apart: about a second, five times the timeout.
      expect(Date.now() - started).toBeGreaterThanOrEqual(950)
      const disk = yield* fromDisk
      expect(Object.values(web.files).map((f) => f.sha256)).toEqual(Object.values(disk.files).map((f) => f.sha256))
    }), 30_000)

  it.live("the idle timeout can be set apart from the answer's", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Mnist.loadUrl(`${base}/stalled/`, undefined, { timeout: "10 seconds", idleTimeout: "300 millis" }).pipe(Effect.provide(FetchHttpClient.layer))
      )
      expect(error.message).toContain("(the download stalled: no data for 300 milliseconds)")
    }), 10_000)

  it.live("fromUrl takes the same options", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Mnist.Mnist.pipe(Effect.provide(Mnist.fromUrl(`${base}/silent/`, undefined, quick)), Effect.provide(FetchHttpClient.layer))
      )
      expect(error.message).toContain("(no answer within 200 milliseconds)")
    }), 5_000)
})
