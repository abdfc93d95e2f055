// `descent serve` end to end: the built CLI started as a child process on a free port (--port 0,
// the address read from the line it prints), asked over raw HTTP — node:net for targets that
// fetch or node:http would tidy up (`..`, long or odd ones) — and stopped by a signal.
import { type ChildProcessByStdio, spawn } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { request } from "node:http"
import { connect, createServer, type AddressInfo } from "node:net"
import { join, resolve } from "node:path"
import type { Readable } from "node:stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cliPath, descent, expectOneErrorLine, temporary, tinyMnist } from "./fixtures.js"

const page = resolve(import.meta.dirname, "../apps/web/dist")

interface Running {
  readonly child: ChildProcessByStdio<null, Readable, Readable>
  readonly url: URL
  readonly stderr: () => string
  /** Resolves with the exit code and what was printed, once the process has exited. */
  readonly exited: Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>
}

const running: Array<Running> = []

// Bytes compared as a whole: vitest's toEqual walks a large Buffer element by element.
const expectSameBytes = (actual: Buffer, expected: Buffer, what?: string) => {
  expect(actual.length, what).toBe(expected.length)
  expect(actual.equals(expected), what).toBe(true)
}

/** Starts `descent serve --port 0 …args` (in `cwd`) and waits for the address it prints. */
const serve = (args: ReadonlyArray<string>, cwd?: string): Promise<Running> =>
  new Promise((resolveStarted, reject) => {
    const child = spawn(process.execPath, [cliPath, "serve", "--port", "0", ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" }
    })
    let stdout = ""
    let stderr = ""
    const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
      child.on("close", (code) => done({ code, stdout, stderr }))
    )
    const timer = setTimeout(() => reject(new Error(`descent serve printed no address within 20 s: ${stderr}`)), 20_000)
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      const line = /^descent serve: (http:\/\/\S+\/) \(Ctrl-C stops it\)$/m.exec(stdout)
      if (line === null) return
      clearTimeout(timer)
      const started = { child, url: new URL(line[1]!), stderr: () => stderr, exited }
      running.push(started)
      resolveStarted(started)
    })
    void exited.then(({ code }) => {
      clearTimeout(timer)
      reject(new Error(`descent serve exited (${code}) before printing its address: ${stderr}`))
    })
  })

afterAll(() => {
  for (const { child } of running) if (child.exitCode === null) child.kill("SIGKILL")
})

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

/** Sends `head` (request line and headers, as written) over a raw connection; reads the answer. */
const raw = (url: URL, head: string, body = ""): Promise<Answer> =>
  new Promise((done, fail) => {
    const socket = connect(Number(url.port), url.hostname)
    const chunks: Array<Buffer> = []
    socket.on("data", (chunk) => chunks.push(chunk))
    socket.on("error", fail)
    socket.on("close", () => {
      const all = Buffer.concat(chunks)
      const end = all.indexOf("\r\n\r\n")
      const [statusLine = "", ...lines] = all.subarray(0, end).toString("latin1").split("\r\n")
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(":")
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      done({ status: Number(statusLine.split(" ")[1]), headers, body: all.subarray(end + 4) })
    })
    socket.write(`${head}\r\n\r\n${body}`)
  })

/** `method target` with a Host header and `Connection: close`, the target sent exactly as given. */
const ask = (url: URL, target: string, method = "GET", extra: ReadonlyArray<string> = []): Promise<Answer> =>
  raw(url, [`${method} ${target} HTTP/1.1`, `Host: ${url.host}`, "Connection: close", ...extra].join("\r\n"))

const data = tinyMnist(200, 50)
const folder = temporary("serve")
const runs = join(folder, "runs")
const model = join(runs, "a", "model.json")
const train = (out: string) => descent(["train", "--data", data.dir, "--layers", "784,16,10", "--epochs", "1", "--out", out])
let site: Running
let bare: Running

beforeAll(async () => {
  for (const out of [join(runs, "a"), join(runs, "seeds", "seed-1")]) expect(train(out).code).toBe(0)
  // A run whose record is damaged, and a run.json three levels down (not looked for).
  mkdirSync(join(runs, "broken"), { recursive: true })
  writeFileSync(join(runs, "broken", "run.json"), "{ this is not json")
  mkdirSync(join(runs, "x", "y", "z"), { recursive: true })
  writeFileSync(join(runs, "x", "y", "z", "run.json"), readFileSync(join(runs, "a", "run.json")))
  // Started from another folder: the page is found beside descent, not in the current folder.
  site = await serve(["--model", model, "--runs", runs, "--data", data.dir], folder)
  bare = await serve([])
}, 120_000)

afterAll(() => rmSync(data.dir, { recursive: true, force: true }))

describe("descent serve: what it serves", () => {
  it("prints its address, one line on stdout, on 127.0.0.1 and the port the system gave", () => {
    expect(site.url.hostname).toBe("127.0.0.1")
    expect(Number(site.url.port)).toBeGreaterThan(0)
  })

  it("serves the page at /, and its files by name, with length, type and nosniff", async () => {
    const index = await fetch(site.url)
    expect(index.status).toBe(200)
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(index.headers.get("x-content-type-options")).toBe("nosniff")
    expectSameBytes(Buffer.from(await index.arrayBuffer()), readFileSync(join(page, "index.html")))
    const main = await fetch(new URL("main.js", site.url))
    expect(main.status).toBe(200)
    expect(main.headers.get("content-type")).toMatch(/^text\/javascript/)
    const bytes = readFileSync(join(page, "main.js"))
    expect(main.headers.get("content-length")).toBe(String(bytes.length))
    expectSameBytes(Buffer.from(await main.arrayBuffer()), bytes)
    expect((await fetch(new URL("style.css", site.url))).headers.get("content-type")).toMatch(/^text\/css/)
  })

  it("answers HEAD with the headers of GET and no body", async () => {
    const head = await ask(site.url, "/main.js", "HEAD")
    expect(head.status).toBe(200)
    expect(head.headers["content-length"]).toBe(String(readFileSync(join(page, "main.js")).length))
    expect(head.body.length).toBe(0)
  })

  it("lists the model, the runs one and two levels down, and the data in /api/config", async () => {
    const response = await fetch(new URL("api/config", site.url))
    expect(response.headers.get("content-type")).toMatch(/^application\/json/)
    expect(response.headers.get("cache-control")).toBe("no-store")
    expect(await response.json()).toEqual({
      model: "/api/model",
      modelName: model,
      runs: [
        { name: "a", run: "/api/runs/a/run.json", model: "/api/runs/a/model.json" },
        { name: "seeds/seed-1", run: "/api/runs/seeds/seed-1/run.json", model: "/api/runs/seeds/seed-1/model.json" }
      ],
      data: "/mnist/",
      // What a run trained in the page records, so that descent replay finds the same data.
      dataSource: { kind: "directory", path: data.dir }
    })
    expect(await (await fetch(new URL("api/config", bare.url))).json()).toEqual({ model: null, runs: [], data: "/mnist/", dataSource: { kind: "bundled" } })
  })

  it("serves the model, and each listed run's run.json and model.json, byte for byte", async () => {
    const bytes = async (target: string) => Buffer.from(await (await fetch(new URL(target, site.url))).arrayBuffer())
    expectSameBytes(await bytes("/api/model"), readFileSync(model))
    expectSameBytes(await bytes("/api/runs/a/run.json"), readFileSync(join(runs, "a", "run.json")))
    expectSameBytes(await bytes("/api/runs/seeds/seed-1/model.json"), readFileSync(join(runs, "seeds", "seed-1", "model.json")))
    expect((await fetch(new URL("api/model", bare.url))).status).toBe(404)
  })

  it("serves --data's files under the names they have there, and the page's gzipped copy without it", async () => {
    const labels = await fetch(new URL("mnist/t10k-labels-idx1-ubyte", site.url))
    expect(labels.status).toBe(200)
    expect(labels.headers.get("content-type")).toBe("application/octet-stream")
    expectSameBytes(Buffer.from(await labels.arrayBuffer()), readFileSync(join(data.dir, "t10k-labels-idx1-ubyte")))
    expect((await fetch(new URL("mnist/t10k-labels-idx1-ubyte.gz", site.url))).status).toBe(404)
    const copy = await fetch(new URL("mnist/t10k-labels-idx1-ubyte.gz", bare.url))
    expectSameBytes(Buffer.from(await copy.arrayBuffer()), readFileSync(join(page, "mnist", "t10k-labels-idx1-ubyte.gz")))
    expect((await fetch(new URL("mnist/t10k-labels-idx1-ubyte", bare.url))).status).toBe(404)
  })

  it("skips a run whose record does not read, with one warning naming it", () => {
    const warnings = site.stderr().split("\n").filter((line) => line.startsWith("warning:"))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(join(runs, "broken", "run.json"))
    expect(site.stderr()).not.toMatch(/\s+at .*:\d+|_tag|\{"/)
  })
})

describe("descent serve: what it refuses", () => {
  const outside = readFileSync(resolve(import.meta.dirname, "../package.json"))

  it("never leaves the page's folder or the listed files (404)", async () => {
    for (const target of [
      "/../package.json",
      "/%2e%2e/%2e%2e/package.json",
      "/%2E%2E/%2E%2E/%2E%2E/package.json",
      "/mnist/..%2f..%2fpackage.json",
      "/mnist/../../../package.json",
      "/api/runs/a/../../x",
      "/api/runs/../a/run.json",
      "/api/runs/a/checkpoint.json",
      "/api/runs/broken/run.json",
      "/api/runs/x/y/z/run.json",
      "/api/runs/seeds/run.json",
      "/..%5cpackage.json",
      "/..\\..\\package.json",
      "/index.html%00.png",
      "/./index.html",
      "//etc/passwd",
      "/mnist/",
      "/mnist/train-images-idx3-ubyte.zip",
      "/api/nothing",
      "/no-such-file.js"
    ]) {
      const answer = await ask(site.url, target)
      expect(answer.status, target).toBe(404)
      expect(answer.body.includes(outside), target).toBe(false)
    }
    expect((await ask(site.url, "/%zz")).status).toBe(400)
  })

  it("serves nothing else of a run's folder, a link to a file outside neither", async () => {
    symlinkSync(resolve(import.meta.dirname, "../package.json"), join(runs, "a", "link.json"))
    expect((await ask(site.url, "/api/runs/a/link.json")).status).toBe(404)
  })

  it("answers other methods 405, naming GET and HEAD", async () => {
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
      const answer = await ask(site.url, "/", method, ["Content-Length: 0"])
      expect(answer.status, method).toBe(405)
      expect(answer.headers["allow"]).toBe("GET, HEAD")
    }
  })

  it("answers a target over 2,048 bytes 414", async () => {
    expect((await ask(site.url, `/${"a".repeat(3000)}`)).status).toBe(414)
    expect((await ask(site.url, `/${"a".repeat(2000)}`)).status).toBe(404)
  })

  it("leaves headers over 8 KiB to Node, which answers 431", async () => {
    expect((await ask(site.url, "/", "GET", [`X-Padding: ${"a".repeat(9000)}`])).status).toBe(431)
  })

  it("answers a request with a body 413, without reading it", async () => {
    const answer = await new Promise<number>((done, fail) => {
      const sent = request({ host: site.url.hostname, port: site.url.port, method: "GET", path: "/", headers: { "content-length": "11" } }, (response) => {
        response.resume()
        done(response.statusCode!)
      })
      sent.on("error", fail)
      sent.end("hello world")
    })
    expect(answer).toBe(413)
    expect((await ask(site.url, "/", "GET", ["Transfer-Encoding: chunked"])).status).toBe(413)
  })

  it("answers only to this machine's names while it listens on this machine only (DNS rebinding)", async () => {
    expect((await raw(site.url, "GET / HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close")).status).toBe(403)
    for (const host of [`localhost:${site.url.port}`, `127.0.0.1:${site.url.port}`, `[::1]:${site.url.port}`]) {
      expect((await raw(site.url, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close`)).status, host).toBe(200)
    }
  })
})

describe("descent serve: starting and stopping", () => {
  it("stops at Ctrl-C (SIGINT), even with a connection open: 'stopped', exit 0", async () => {
    const server = await serve([])
    // A kept-alive connection, idle after its answer, does not hold the server open.
    const socket = connect(Number(server.url.port), server.url.hostname)
    await new Promise((done) => socket.on("connect", done))
    socket.write(`GET / HTTP/1.1\r\nHost: ${server.url.host}\r\n\r\n`)
    await new Promise((done) => socket.once("data", done))
    server.child.kill("SIGINT")
    const { code, stderr, stdout } = await server.exited
    socket.destroy()
    expect(code).toBe(0)
    expect(stderr).toMatch(/stopped/)
    expect(stdout.trim().split("\n")).toHaveLength(1)
  })

  it("stops at SIGTERM; listening beyond this machine (--host 0.0.0.0) is warned of", async () => {
    const server = await serve(["--host", "0.0.0.0"])
    expect(server.url.hostname).toBe("0.0.0.0")
    expect(server.stderr()).toMatch(/^warning: listening on 0\.0\.0\.0, not only this machine: other machines .*\(read-only\)/m)
    // Any Host header is answered then: other machines name it their own way.
    expect((await raw(server.url, "GET / HTTP/1.1\r\nHost: some-laptop.lan:80\r\nConnection: close")).status).toBe(200)
    server.child.kill("SIGTERM")
    const { code, stderr } = await server.exited
    expect(code).toBe(0)
    expect(stderr).toMatch(/stopped/)
  })

  it("warns when --runs holds no runs, and says so when it is a run's own folder", async () => {
    const server = await serve(["--runs", join(runs, "a")])
    expect(server.stderr()).toMatch(/^warning: no runs under .*: .*it is a run's folder itself: give the folder that holds it, --runs /m)
    expect(await (await fetch(new URL("api/config", server.url))).json()).toMatchObject({ runs: [] })
    server.child.kill("SIGINT")
    expect((await server.exited).code).toBe(0)
  })

  it("refuses a port in use with one line naming it and the fix (exit 1)", async () => {
    const taken = createServer()
    await new Promise<void>((done) => taken.listen(0, "127.0.0.1", done))
    const port = (taken.address() as AddressInfo).port
    const result = descent(["serve", "--port", String(port)])
    taken.close()
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    expectOneErrorLine(result.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use.*another --port, or --port 0`))
  })

  it("refuses what it would serve badly before it listens (exit 1, one line)", () => {
    const bad = join(folder, "bad-model.json")
    writeFileSync(bad, '{"format":"descent-model","version":1}')
    const badModel = descent(["serve", "--port", "0", "--model", bad])
    expect(badModel.code).toBe(1)
    expect(badModel.stdout).toBe("")
    expectOneErrorLine(badModel.stderr, /bad-model\.json: .*model file written by descent/)

    const partial = join(folder, "partial-data")
    mkdirSync(partial)
    writeFileSync(join(partial, "train-images-idx3-ubyte"), readFileSync(join(data.dir, "train-images-idx3-ubyte")))
    const badData = descent(["serve", "--port", "0", "--data", partial])
    expect(badData.code).toBe(1)
    expectOneErrorLine(badData.stderr, /partial-data.*train-labels-idx1-ubyte/)

    const noRuns = descent(["serve", "--port", "0", "--runs", join(folder, "no-such-runs")])
    expect(noRuns.code).toBe(1)
    expectOneErrorLine(noRuns.stderr, /--runs .*no-such-runs: no such folder/)
  })

  it("refuses flags it cannot use (exit 2, one line)", () => {
    for (const [args, pattern] of [
      [["--port", "70000"], /--port 70000: give a port from 1 to 65535, or 0/],
      [["--port", "http"], /http/],
      [["--data", "https://example.com/mnist/"], /--data https:\/\/example\.com\/mnist\/: descent serve serves a folder/],
      [["--modle", "m.json"], /did you mean --model\?/]
    ] as const) {
      const result = descent(["serve", ...args])
      expect(result.code, args.join(" ")).toBe(2)
      expectOneErrorLine(result.stderr, pattern)
    }
  })

  it("follows a link in --data, as descent train does: the folder's files are the user's choice", async () => {
    const linked = join(folder, "linked-data")
    mkdirSync(linked)
    for (const name of ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
      symlinkSync(join(data.dir, name), join(linked, name))
    }
    const server = await serve(["--data", linked])
    const labels = await fetch(new URL("mnist/t10k-labels-idx1-ubyte", server.url))
    expectSameBytes(Buffer.from(await labels.arrayBuffer()), readFileSync(join(data.dir, "t10k-labels-idx1-ubyte")))
    server.child.kill("SIGINT")
    expect((await server.exited).code).toBe(0)
  })
})
