// The page `descent serve` serves, end to end in a real browser (Debian's Chromium, driven by
// playwright-core from test/engines): what it computes is checked against the library in Node,
// to the bit — the outputs for a drawn stroke, a neuron's weight image, the test set's most
// confident mistake, one example's gradient and its step, and a run trained in the page, whose
// hashes are `descent train`'s and whose run.json `descent replay` calls identical.
//
// Without Chromium these are skipped with a note, unless DESCENT_REQUIRE_BROWSER=1 (CI): see
// chromium.ts.
// DESCENT_SCREENSHOT=FILE saves a screenshot of the page (the README's).
import { Backprop, Dataset, Descent, Evaluate, Feedforward, Params } from "@descent/core"
import { Digit } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import { ModelFile } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launch, skipBrowser } from "./chromium.js"
import { cliPath, descent, jsonLines, temporary } from "./fixtures.js"

const skip = skipBrowser("web.test")

// The few parts of playwright-core used here (installed in test/engines, outside the workspace).
interface Locator {
  readonly click: () => Promise<void>
  readonly boundingBox: () => Promise<{ x: number; y: number; width: number; height: number } | null>
  readonly textContent: () => Promise<string | null>
  readonly check: () => Promise<void>
  readonly selectOption: (value: string) => Promise<unknown>
  readonly fill: (value: string) => Promise<void>
  readonly getAttribute: (name: string) => Promise<string | null>
}
interface Page {
  readonly goto: (url: string) => Promise<unknown>
  readonly evaluate: <R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A) => Promise<R>
  readonly waitForFunction: (fn: () => unknown, arg?: unknown, options?: { timeout: number }) => Promise<unknown>
  readonly locator: (selector: string) => Locator
  readonly mouse: { move: (x: number, y: number) => Promise<void>; down: () => Promise<void>; up: () => Promise<void> }
  readonly screenshot: (options: { path: string; fullPage?: boolean; clip?: { x: number; y: number; width: number; height: number } }) => Promise<unknown>
  readonly on: (event: "pageerror", listener: (error: Error) => void) => void
}
interface Browser {
  readonly newPage: (options?: { viewport: { width: number; height: number } }) => Promise<Page>
  readonly close: () => Promise<void>
}

const hex = (values: ArrayLike<number>) => Buffer.from(Float64Array.from(values).buffer).toString("hex")

// Hex of a Float64Array's bytes, computed in the page (its numbers, bit for bit).
const pageHex = "(values) => Array.from(new Uint8Array(Float64Array.from(values).buffer), (b) => b.toString(16).padStart(2, '0')).join('')"

describe.skipIf(skip)("the page descent serve serves, in headless Chromium", () => {
  const dir = temporary("web")
  const runs = join(dir, "runs")
  let server: ChildProcess
  let browser: Browser
  let page: Page
  let model: ModelFile.Model
  const errors: Array<string> = []

  beforeAll(async () => {
    const trained = descent(["train", "--epochs", "1", "--out", join(runs, "one-epoch")])
    expect(trained.code, trained.stderr).toBe(0)
    model = await Effect.runPromise(ModelFile.read(join(runs, "one-epoch", "model.json")).pipe(Effect.provide(NodeContext.layer)))
    server = spawn(process.execPath, [cliPath, "serve", "--port", "0", "--model", join(runs, "one-epoch", "model.json"), "--runs", runs], { stdio: ["ignore", "pipe", "pipe"] })
    const url = await new Promise<string>((found, failed) => {
      let out = ""
      server.stdout!.on("data", (chunk) => {
        out += chunk
        const match = /descent serve: (http:\/\/\S+\/)/.exec(out)
        if (match !== null) found(match[1]!)
      })
      server.on("exit", (code) => failed(new Error(`descent serve exited ${code}`)))
    })
    browser = await launch<Browser>()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on("pageerror", (error) => errors.push(error.message))
    await page.goto(url)
    await page.waitForFunction(() => (globalThis as unknown as { descent?: { ready: boolean } }).descent?.ready === true, undefined, { timeout: 60_000 })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    server?.kill("SIGINT")
  })

  it("loads the model it was given, with no error", async () => {
    expect(await page.locator("#model-name").textContent()).toContain("784-16-16-10")
    expect(errors).toEqual([])
  })

  it("a stroke drawn on the pad: its 28×28 input is Digit.toMnist of the pad's pixels, and the outputs are Node's for that input", async () => {
    const pad = (await page.locator("canvas.pad").boundingBox())!
    await page.mouse.move(pad.x + 140, pad.y + 50)
    await page.mouse.down()
    for (let i = 0; i <= 24; i++) await page.mouse.move(pad.x + 140 - i, pad.y + 50 + i * 7)
    await page.mouse.up()
    await page.waitForFunction(() => (globalThis as any).descent.session.input !== undefined)
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
    const seen = await page.evaluate(() => {
      const d = (globalThis as any).descent
      const canvas = document.querySelector("canvas.pad") as HTMLCanvasElement
      const { data } = canvas.getContext("2d")!.getImageData(0, 0, 280, 280)
      const pad = Array.from({ length: 280 * 280 }, (_, i) => data[4 * i]!)
      const { activations } = d.Session.activations(d.session)
      return { pad, input: Array.from(d.session.input as Uint8Array), outputs: Array.from(activations[activations.length - 1] as Float64Array), answer: document.querySelector("#answer")!.getAttribute("data-answer") }
    })
    const prepared = Digit.toMnist({ rows: 280, cols: 280, pixels: Uint8Array.from(seen.pad) })!
    expect(seen.input).toEqual(Array.from(prepared.pixels))
    const outputs = Feedforward.output(model.network, model.params, Dataset.inputs(prepared.pixels))
    expect(hex(seen.outputs)).toBe(hex(outputs))
    expect(seen.answer).toBe(String(Feedforward.argmax(outputs)))
  })

  it("clicking a hidden neuron shows its 784 weights as a 28×28 image in the diverging scale, and its bias", async () => {
    await page.locator('circle[data-layer="1"][data-neuron="3"]').click()
    const shown = await page.evaluate(() => {
      const canvas = document.querySelector("#neuron-weights") as HTMLCanvasElement
      const { data } = canvas.getContext("2d")!.getImageData(0, 0, 28, 28)
      return { size: [canvas.width, canvas.height], pixels: Array.from(data), bias: document.querySelector("#neuron-bias")!.textContent }
    })
    expect(shown.size).toEqual([28, 28])
    const w = Params.weights(model.params, 0)
    let largest = 0
    for (let k = 0; k < 784; k++) largest = Math.max(largest, Math.abs(w[3 * 784 + k]!))
    // The colour of each pixel: blue for positive, red for negative, by the weight's share of the largest.
    for (let k = 0; k < 784; k++) {
      const t = w[3 * 784 + k]! / largest
      const [r, , b] = [shown.pixels[4 * k]!, shown.pixels[4 * k + 1]!, shown.pixels[4 * k + 2]!]
      if (t > 0.2) expect(b).toBeGreaterThan(r)
      if (t < -0.2) expect(r).toBeGreaterThan(b)
    }
    const bias = Params.biases(model.params, 0)[3]!
    expect(shown.bias).toBe(`bias: ${bias.toPrecision(4).replace(/^-/, "−")}`)
  })

  it("steps to the most confident mistake, the one descent mistakes lists first, and loads it", async () => {
    await page.locator("#mistakes-only").check()
    const caption = await page.locator("#test-caption").textContent()
    const data = await Effect.runPromise(NodeMnist.loadBundled.pipe(Effect.provide(NodeContext.layer)))
    const outputs = Evaluate.outputs(model.network, model.params, data.test)
    const wrong: Array<{ index: number; confidence: number }> = []
    for (let i = 0; i < data.test.count; i++) {
      const said = Feedforward.argmax(outputs, i * 10, 10)
      if (said !== data.test.labels[i]) wrong.push({ index: i, confidence: outputs[i * 10 + said]! })
    }
    wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index)
    expect(caption).toMatch(new RegExp(`^mistake 1 of ${wrong.length}: test image ${wrong[0]!.index}: labelled \\d, the network says \\d`))
    await page.locator("#test-next").click()
    expect(await page.locator("#test-caption").getAttribute("data-index")).toBe(String(wrong[1]!.index))
    await page.locator("#test-load").click()
    const input = await page.evaluate(() => Array.from((globalThis as any).descent.session.input as Uint8Array))
    expect(input).toEqual(Array.from({ length: 784 }, (_, k) => data.test.pixels[wrong[1]!.index * 784 + k]!))
  })

  it("the gradient view's cost and ∇C are Backprop's in Node, and its step is Descent.step", async () => {
    await page.locator('button.digit-button[data-digit="3"]').click()
    const seen = await page.evaluate((toHex: string) => {
      const d = (globalThis as any).descent
      const hexOf = (0, eval)(toHex)
      const result = d.GradientView.of(d.session)
      return { input: Array.from(d.session.input as Uint8Array), cost: result.cost as number, gradient: hexOf(result.gradient.vector) as string, text: document.querySelector("#gradient-cost")!.textContent }
    }, pageHex)
    const batch = { size: 1, inputSize: 784, inputs: Dataset.inputs(Uint8Array.from(seen.input)), labels: Uint8Array.of(3) }
    const expected = Backprop.backprop(model.network, model.params, batch)
    expect(seen.cost).toBe(expected.cost)
    expect(seen.gradient).toBe(hex(expected.gradient.vector))
    expect(seen.text).toContain("if it should be 3")
    await page.locator("#step-eta").fill("3")
    await page.locator("#step").click()
    const stepped = await page.evaluate((toHex: string) => (0, eval)(toHex)((globalThis as any).descent.session.model.params.vector) as string, pageHex)
    expect(stepped).toBe(hex(Descent.step(model.params, expected.gradient, 3).vector))
    await page.locator("#reset").click()
    const reset = await page.evaluate((toHex: string) => (0, eval)(toHex)((globalThis as any).descent.session.model.params.vector) as string, pageHex)
    expect(reset).toBe(hex(model.params.vector))
  })

  it("trains 1 epoch on 2,000 images in the page with descent train's hash, and descent replay calls its run.json identical", async () => {
    const cli = descent(["train", "--subset", "2000", "--epochs", "1", "--out", join(dir, "cli-2000"), "--json"])
    expect(cli.code, cli.stderr).toBe(0)
    const [expected] = jsonLines(cli.stdout)
    await page.locator("#train-subset").fill("2000")
    await page.locator("#train-epochs").fill("1")
    await page.locator("#train-start").click()
    await page.waitForFunction(() => document.querySelector("#train-status")?.getAttribute("data-done") !== null, undefined, { timeout: 60_000 })
    expect(await page.locator("#train-status").getAttribute("data-done")).toBe("complete")
    const hashes = await page.evaluate(() => Array.from(document.querySelectorAll("#train-hashes td.hash"), (td) => td.textContent))
    expect(hashes).toEqual([expected!.paramsSha256])
    const runJson = await page.evaluate(async () => (await fetch((document.querySelector("#download-run-json") as HTMLAnchorElement).href)).text())
    const file = join(dir, "from-the-page.json")
    writeFileSync(file, runJson)
    const replayed = descent(["replay", file])
    expect(replayed.stdout, replayed.stderr).toMatch(/identical\n$/)
    expect(replayed.code).toBe(0)
    if (process.env.DESCENT_SCREENSHOT !== undefined) {
      await page.evaluate(() => window.scrollTo(0, 0))
      await page.screenshot({ path: resolve(process.env.DESCENT_SCREENSHOT), clip: { x: 0, y: 0, width: 1280, height: 900 } })
    }
  }, 90_000)

  it("trains with another optimiser, a schedule and augmented images in the page, with descent train's hash", async () => {
    const flags = ["--subset", "2000", "--epochs", "2", "--optimizer", "nesterov", "--eta", "0.3", "--schedule", "cosine", "--warmup", "1", "--augment"]
    const cli = descent(["train", ...flags, "--out", join(dir, "cli-nesterov"), "--json"])
    expect(cli.code, cli.stderr).toBe(0)
    await page.locator("#train-epochs").fill("2")
    await page.locator("#train-eta").fill("0.3")
    await page.locator("#train-warmup").fill("1")
    await page.locator("#train-schedule").selectOption("cosine")
    await page.locator("#train-optimizer").selectOption("nesterov")
    await page.locator("#train-augment").check()
    await page.locator("#train-start").click()
    await page.waitForFunction(() => document.querySelector("#train-status")?.getAttribute("data-done") !== null, undefined, { timeout: 60_000 })
    expect(await page.locator("#train-status").getAttribute("data-done")).toBe("complete")
    const hashes = await page.evaluate(() => Array.from(document.querySelectorAll("#train-hashes td.hash"), (td) => td.textContent))
    expect(hashes).toEqual(jsonLines(cli.stdout).map((epoch) => epoch.paramsSha256))
  }, 90_000)

  it("lists the recorded runs and loads one's model into the views", async () => {
    await page.waitForFunction(() => document.querySelector("#runs-chart svg") !== null, undefined, { timeout: 30_000 })
    await page.locator('button.load-run[data-run="one-epoch"]').click()
    await page.waitForFunction(() => document.querySelector("#model-name")?.textContent?.includes("one-epoch/model.json") === true)
    expect(errors).toEqual([])
  })
})

// apps/web/dist as any file host serves it: files by path, nothing else (no /api).
describe.skipIf(skip)("the page as a static site, without descent serve", () => {
  let host: Server
  let browser: Browser
  const root = resolve(import.meta.dirname, "../apps/web/dist")
  const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" }

  beforeAll(async () => {
    host = createServer((request, response) => {
      const path = join(root, new URL(request.url ?? "/", "http://x").pathname.replace(/\/$/, "/index.html"))
      if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) return void response.writeHead(404).end()
      response.writeHead(200, { "content-type": types[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream" }).end(readFileSync(path))
    })
    await new Promise<void>((listening) => host.listen(0, "127.0.0.1", listening))
    browser = await launch<Browser>()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    host?.close()
  })

  it("starts with an untrained network on its own copy of MNIST, and draws", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(error.message))
    await page.goto(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`)
    await page.waitForFunction(() => (globalThis as unknown as { descent?: { ready: boolean } }).descent?.ready === true, undefined, { timeout: 60_000 })
    expect(await page.locator("#model-name").textContent()).toContain("untrained (random weights, seed 1)")
    expect(await page.evaluate(() => (globalThis as any).descent.session.data.test.count)).toBe(10_000)
    await page.locator("#test-load").click()
    expect(await page.locator("#answer").getAttribute("data-answer")).toMatch(/^\d$/)
    expect(errors).toEqual([])
  })
})
