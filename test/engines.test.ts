// The same run, bit for bit, on every JavaScript engine. Node, Bun, Deno and headless Chromium
// must compute the same Numerics for 5·10⁶ arguments; `descent train` on Node, Bun and Deno —
// and the library's own chain of calls in Chromium — must report the same numbers (costs,
// accuracies, the parameters' SHA-256 after every epoch); and each engine must replay the
// others' run records as identical.
//
// Bun, Deno and playwright-core come from test/engines (installed by the test command, see
// install.mjs); Chromium is Debian's (`apt-get install chromium`, as .ci/run does). Without
// Chromium the browser checks are skipped with a note, unless DESCENT_REQUIRE_BROWSER=1 (CI)
// makes its absence a failure.
import * as NodeMnist from "@descent/data/NodeMnist"
import { build } from "esbuild"
import { spawnSync } from "node:child_process"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { gzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launch, skipBrowser } from "./chromium.js"
import { cliPath, temporary as temporaryDir } from "./fixtures.js"

const engines = resolve(import.meta.dirname, "engines")
const bin = (name: string) => join(engines, "node_modules", ".bin", name)
const skipChromium = skipBrowser("engines.test")

// Every folder this file makes, removed when it is done.
const made: Array<string> = []
const temporary = (prefix: string) => {
  const dir = temporaryDir(prefix)
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

interface Engine {
  readonly name: string
  readonly command: ReadonlyArray<string>
}

const node: Engine = { name: "node", command: [process.execPath] }
const bun: Engine = { name: "bun", command: [bin("bun")] }
const deno: Engine = { name: "deno", command: [bin("deno"), "run", "--allow-all", "--quiet"] }

const spawn = (engine: Engine, script: string, args: ReadonlyArray<string>) => {
  const [command, ...before] = engine.command
  const result = spawnSync(command!, [...before, script, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
  if (result.error !== undefined) throw new Error(`${engine.name}: ${result.error.message} (install it: node test/engines/install.mjs)`)
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** What an epoch reports, but its wall-clock seconds. */
const numbers = (line: string) => {
  const { seconds: _, ...rest } = JSON.parse(line) as Record<string, unknown>
  return rest
}

const train = (engine: Engine, flags: ReadonlyArray<string>) => {
  const out = join(temporary(`engines-${engine.name}`), "run")
  const result = spawn(engine, cliPath, ["train", ...flags, "--json", "--out", out])
  expect(result.stderr).toBe("")
  expect(result.code).toBe(0)
  return { out, epochs: result.stdout.trim().split("\n").map(numbers) }
}

/** A TypeScript entry bundled into one script: an ES module, or a script defining `globalName`. */
const bundle = async (entry: string, format: "esm" | "iife", globalName?: string): Promise<string> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format,
    ...(globalName === undefined ? {} : { globalName }),
    platform: "browser",
    target: "es2022",
    conditions: ["@descent/source"],
    logLevel: "warning"
  })
  return result.outputFiles[0]!.text
}

// Core's Numerics and the engine's Math over the arguments of packages/core/test/Numerics.test.ts.
const fingerprintEntry = resolve(import.meta.dirname, "../packages/core/test/numericsFingerprint.ts")
interface Fingerprints {
  readonly numerics: string
  readonly math: string
}
const fingerprintsOn = async (engine: Engine): Promise<Fingerprints> => {
  const dir = temporary(`fingerprint-${engine.name}`)
  writeFileSync(join(dir, "fingerprint.mjs"), await bundle(fingerprintEntry, "esm"))
  writeFileSync(join(dir, "main.mjs"), 'import { fingerprints } from "./fingerprint.mjs"\nconsole.log(JSON.stringify(await fingerprints()))\n')
  const result = spawn(engine, join(dir, "main.mjs"), [])
  expect(result.stderr).toBe("")
  return JSON.parse(result.stdout) as Fingerprints
}

// Each configuration reaches a different elementary function: the chapter's network (the
// sigmoid's exp, and Box–Muller's log, cos and sin for the initial weights); softmax with
// cross-entropy, ReLU, L2 and a decaying η (exp, log, pow); a sigmoid output with cross-entropy
// (log a and log(1 − a)).
const configurations: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["the chapter's network", ["--subset", "2000", "--epochs", "2"]],
  [
    "softmax, cross-entropy, ReLU, L2, η decay, batch 7",
    [
      "--layers", "784,30,10", "--activation", "relu", "--output", "softmax", "--cost", "cross-entropy", "--init", "scaled",
      "--eta", "0.5", "--eta-decay", "0.9", "--l2", "1", "--batch-size", "7", "--subset", "2000", "--epochs", "2"
    ]
  ],
  ["sigmoid output with cross-entropy, seed 7", ["--cost", "cross-entropy", "--eta", "0.5", "--eta-decay", "0.8", "--subset", "1500", "--epochs", "2", "--seed", "7"]],
  ["784-30-10 in f32", ["--layers", "784,30,10", "--precision", "f32", "--cost", "cross-entropy", "--eta", "0.5", "--subset", "1500", "--epochs", "2"]],
  // Adam's bias correction (pow, sqrt, a division) and augmented images (exp, sin and cos in the
  // elastic field's Gaussian and the rotations), drawn from the run's generator.
  ["adam on augmented images", ["--optimizer", "adam", "--eta", "0.003", "--augment", "--subset", "1500", "--epochs", "2"]]
]

describe("Numerics on every engine", () => {
  let onNode: Fingerprints
  beforeAll(async () => {
    onNode = await fingerprintsOn(node)
  })

  it.each([bun, deno])("$name computes Node's bits for all 5·10⁶ arguments", async (engine) => {
    const there = await fingerprintsOn(engine)
    console.log(`${engine.name}: Numerics ${there.numerics === onNode.numerics ? "same as" : "DIFFERENT from"} Node's; its Math ${there.math === onNode.math ? "same as" : "different from"} Node's`)
    expect(there.numerics).toBe(onNode.numerics)
  })
})

describe.each(configurations)("%s", (_, flags) => {
  let recorded: ReturnType<typeof train>
  beforeAll(() => {
    recorded = train(node, flags)
  })

  it.each([bun, deno])("$name trains to Node's numbers, bit for bit", (engine) => {
    const other = train(engine, flags)
    expect(other.epochs).toEqual(recorded.epochs)
    // A record names the engine that made it.
    const record = JSON.parse(readFileSync(join(other.out, "run.json"), "utf8")) as { environment: { engine: string } }
    expect(record.environment.engine.startsWith(`${engine.name} `)).toBe(true)
  })

  it.each([bun, deno])("$name replays Node's run as identical (on 2 threads), and Node replays $name's", (engine) => {
    // Two threads share layer 1 in the engine's own workers (node:worker_threads, shared
    // WebAssembly memory): the same bits.
    const replayed = spawn(engine, cliPath, ["replay", join(recorded.out, "run.json"), "--threads", "2"])
    expect(replayed.stderr).toContain(" on 2 threads)")
    expect(replayed.stdout).toMatch(/identical\n$/)
    expect(replayed.code).toBe(0)
    const other = train(engine, flags)
    const back = spawn(node, cliPath, ["replay", join(other.out, "run.json")])
    expect(back.stderr).toContain(`recorded on ${engine.name} `)
    expect(back.stdout).toMatch(/identical\n$/)
    expect(back.code).toBe(0)
  })
})

// The few parts of playwright-core used here (it is installed in test/engines, outside the
// workspace, so its own types are not at hand).
interface Route {
  readonly request: () => { readonly url: () => string }
  readonly fulfill: (response: { status?: number; body?: string | Buffer; contentType?: string }) => Promise<void>
}
interface Page {
  readonly route: (url: string, handler: (route: Route) => Promise<void>) => Promise<void>
  readonly goto: (url: string) => Promise<unknown>
  readonly evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) => Promise<R>
}
interface Browser {
  readonly newPage: () => Promise<Page>
  readonly close: () => Promise<void>
}
describe.skipIf(skipChromium)("in headless Chromium", () => {
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    const mnist = NodeMnist.bundledDirectory()
    const files: Record<string, string | Uint8Array> = {
      "/": '<!doctype html><title>descent on every engine</title><script src="/train.js"></script><script src="/fingerprint.js"></script>',
      "/train.js": await bundle(join(engines, "browser.ts"), "iife", "descentTrain"),
      "/fingerprint.js": await bundle(fingerprintEntry, "iife", "descentNumerics"),
      // MNIST as a web server would publish it, for Mnist.loadUrl in the page.
      ...Object.fromEntries(
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].map(
          (name) => [`/mnist/${name}.gz`, gzipSync(readFileSync(join(mnist, name)))]
        )
      )
    }
    browser = await launch<Browser>()
    page = await browser.newPage()
    await page.route("https://descent.test/**", (route) => {
      const body = files[new URL(route.request().url()).pathname]
      if (body === undefined) return route.fulfill({ status: 404 })
      return typeof body === "string"
        ? route.fulfill({ body, contentType: body.startsWith("<") ? "text/html" : "text/javascript" })
        : route.fulfill({ body: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType: "application/octet-stream" })
    })
    await page.goto("https://descent.test/")
    const userAgent = await page.evaluate(() => (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent)
    expect(userAgent).toContain("Chrome/")
  })

  afterAll(async () => {
    await browser?.close()
  })

  it("computes Node's Numerics for all 5·10⁶ arguments", async () => {
    const onNode = await fingerprintsOn(node)
    const inPage = await page.evaluate(() =>
      (globalThis as unknown as { descentNumerics: { fingerprints: () => Promise<Fingerprints> } }).descentNumerics.fingerprints()
    )
    console.log(`chromium: Numerics ${inPage.numerics === onNode.numerics ? "same as" : "DIFFERENT from"} Node's; its Math ${inPage.math === onNode.math ? "same as" : "different from"} Node's`)
    expect(inPage.numerics).toBe(onNode.numerics)
  })

  it.each(configurations)("%s: the library's chain in the page, on MNIST fetched over HTTP, gives `descent train`'s numbers, bit for bit", async (_, flags) => {
    const recorded = train(node, flags)
    type Record = { options: unknown; data: { [K in "trainImages" | "trainLabels" | "testImages" | "testLabels"]: { sha256: string } } }
    const record = JSON.parse(readFileSync(join(recorded.out, "run.json"), "utf8")) as Record
    const inPage = await page.evaluate(async (options) => {
      const lib = (globalThis as unknown as { descentTrain: typeof import("./engines/browser.js") }).descentTrain
      return lib.train(options as Parameters<typeof lib.train>[0], "/mnist/")
    }, record.options)
    expect(inPage.epochs).toEqual(recorded.epochs)
    // The page fingerprints the gzipped files it fetched as the CLI did the raw ones on disk.
    const { testImages, testLabels, trainImages, trainLabels } = record.data
    expect(inPage.sha256).toEqual([trainImages, trainLabels, testImages, testLabels].map((file) => file.sha256))
  })
})
