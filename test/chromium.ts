// Debian's Chromium, headless, driven by playwright-core from test/engines (installed by the test
// command; its own browser download does not work here): where it is, whether the browser tests
// run, and the launch with the flags a closed network needs. Without Chromium the browser tests
// are skipped with a note — unless DESCENT_REQUIRE_BROWSER=1 (CI), which makes that a failure.
import { existsSync } from "node:fs"
import { join, resolve } from "node:path"

export const chromiumPath = process.env.DESCENT_CHROMIUM ?? "/usr/bin/chromium"
const required = process.env.DESCENT_REQUIRE_BROWSER === "1"

/** True when there is no Chromium to test in (and none is required): the browser tests skip. */
export const skipBrowser = (test: string): boolean => {
  if (existsSync(chromiumPath) || required) return false
  console.warn(`${test}: no Chromium at ${chromiumPath}; the browser checks are skipped (install Debian's chromium, or set DESCENT_CHROMIUM)`)
  return true
}

/** Launches headless Chromium; `B` is the few parts of playwright-core's Browser a test uses. */
export const launch = async <B>(): Promise<B> => {
  const playwright = join(resolve(import.meta.dirname, "engines"), "node_modules", "playwright-core", "index.mjs")
  const { chromium } = (await import(playwright)) as {
    chromium: { launch: (options: { executablePath: string; args: ReadonlyArray<string> }) => Promise<B> }
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
  })
}
