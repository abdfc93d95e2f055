/**
 * The page `descent serve` serves, measured in headless Chromium (Debian's, driven by
 * playwright-core from test/engines: run `node test/engines/install.mjs` and
 * `apt-get install chromium` first): page load to its first interactive frame (views drawn,
 * the pad taking strokes) and to the test set loaded; the time one stroke's update takes (the
 * pad's pixels made 28×28 by Digit.toMnist, the network run, every view redrawn); and one
 * training epoch in the page's Web Worker beside `descent train`'s on the same machine — the
 * same options, so the same hash. Prints figures; asserts nothing.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { median, report } from "./measure.js"

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..")
const cli = join(root, "apps/cli/dist/descent.mjs")
const playwright = join(root, "test/engines/node_modules/playwright-core/index.mjs")
const chromium = process.env.DESCENT_CHROMIUM ?? "/usr/bin/chromium"
if (!existsSync(playwright) || !existsSync(chromium)) {
  console.log(`page: skipped (needs ${existsSync(playwright) ? "" : "playwright-core: node test/engines/install.mjs; "}${existsSync(chromium) ? "" : `Chromium at ${chromium}`})`)
  process.exit(0)
}

interface Page {
  goto: (url: string) => Promise<unknown>
  evaluate: <R>(fn: string) => Promise<R>
  waitForFunction: (fn: string, arg?: unknown, options?: { timeout: number }) => Promise<unknown>
  click: (selector: string) => Promise<void>
  fill: (selector: string, value: string) => Promise<void>
}
const { chromium: launcher } = (await import(playwright)) as {
  chromium: { launch: (o: object) => Promise<{ newPage: () => Promise<Page>; close: () => Promise<void> }> }
}

const dir = mkdtempSync(join(tmpdir(), "descent-bench-page-"))
let server: ChildProcess | undefined
try {
  server = spawn(process.execPath, [cli, "serve", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] })
  const url = await new Promise<string>((found) => {
    let out = ""
    server!.stdout!.on("data", (chunk) => {
      out += chunk
      const match = /descent serve: (http:\/\/\S+\/)/.exec(out)
      if (match !== null) found(match[1]!)
    })
  })
  const browser = await launcher.launch({
    executablePath: chromium,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
  })
  const loads: Array<[number, number]> = []
  let page: Page | undefined
  for (let i = 0; i < 3; i++) {
    page = await browser.newPage()
    await page.goto(url)
    await page.waitForFunction("globalThis.descent?.ready === true", undefined, { timeout: 60_000 })
    loads.push(await page.evaluate<[number, number]>(`["descent:interactive", "descent:data"].map((m) => performance.getEntriesByName(m)[0].startTime)`))
  }
  // One stroke's update, as the pad does it after a stroke segment: 200 segments, timed together.
  const stroke = await page!.evaluate<number>(`(() => {
    const d = globalThis.descent
    const canvas = document.querySelector("canvas.pad")
    const context = canvas.getContext("2d")
    context.strokeStyle = "white"; context.lineWidth = 20; context.lineCap = "round"
    const times = []
    for (let i = 0; i < 200; i++) {
      const t = performance.now()
      context.beginPath(); context.moveTo(80 + i % 120, 40 + (i * 7) % 200); context.lineTo(82 + i % 120, 47 + (i * 7) % 200); context.stroke()
      d.session.input = d.Digit.toMnist(d.DrawingPad.inkOf(canvas))?.pixels
      d.Session.changed(d.session, "input")
      times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    return times[100]
  })()`)
  // One epoch in the page's worker, default options (the chapter's network, all 60,000 images).
  await page!.fill("#train-epochs", "1")
  await page!.click("#train-start")
  await page!.waitForFunction(`document.querySelector("#train-status")?.getAttribute("data-done") !== null`, undefined, { timeout: 120_000 })
  const inPage = await page!.evaluate<{ seconds: number; hash: string }>(`(async () => {
    const run = JSON.parse(await (await fetch(document.querySelector("#download-run-json").href)).text())
    return { seconds: run.epochs[0].seconds, hash: run.epochs[0].paramsSha256 }
  })()`)
  await browser.close()
  const cliRuns = [1, 2, 3].map((i) => {
    const result = spawnSync(process.execPath, [cli, "train", "--epochs", "1", "--json", "--out", join(dir, `cli-${i}`)], { encoding: "utf8" })
    return JSON.parse(result.stdout.trim().split("\n")[0]!) as { seconds: number; paramsSha256: string }
  })
  const cliSeconds = median(cliRuns.map((r) => r.seconds))
  report("page (descent serve, headless Chromium; 784-16-16-10)", [
    ["load to first interactive frame", `${median(loads.map(([a]) => a)).toFixed(0)} ms (median of 3 loads: ${loads.map(([a]) => a.toFixed(0)).join(", ")})`],
    ["load to the test set ready", `${median(loads.map(([, b]) => b)).toFixed(0)} ms (${loads.map(([, b]) => b.toFixed(0)).join(", ")})`],
    ["one stroke's update", `${stroke.toFixed(2)} ms (median of 200; a frame is 16.7 ms)`],
    ["one epoch in the page's worker", `${inPage.seconds.toFixed(3)} s (60,000 images and the test set's evaluation)`],
    ["one epoch of descent train", `${cliSeconds.toFixed(3)} s (median of 3)`],
    ["page / CLI", `${(inPage.seconds / cliSeconds).toFixed(2)}× (goal: within 1.5×)`],
    ["same hash as descent train", inPage.hash === cliRuns[0]!.paramsSha256 ? `yes (${inPage.hash.slice(0, 16)}…)` : `NO: ${inPage.hash} vs ${cliRuns[0]!.paramsSha256}`]
  ])
} finally {
  server?.kill("SIGINT")
  rmSync(dir, { recursive: true, force: true })
}
