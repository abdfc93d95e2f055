// Installs the engines the tests replay runs on (Bun, Deno, playwright-core: see package.json)
// into test/engines/node_modules, from this folder's own lockfile. The test command runs it;
// the first command of the README does not, so training stays a light install.
//
// It skips the install when node_modules already holds what the lockfile pins. Chromium is not
// an npm package: CI installs Debian's (`apt-get install chromium`); without it the browser
// test says how to get it and is skipped.
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const here = fileURLToPath(new URL(".", import.meta.url))
const marker = `${here}node_modules/.descent-lock-sha256`
const lock = createHash("sha256").update(readFileSync(`${here}pnpm-lock.yaml`)).digest("hex")

if (existsSync(marker) && readFileSync(marker, "utf8") === lock) process.exit(0)

// Run by pnpm, npm_execpath is pnpm itself; otherwise fetch pnpm 10 as the README does.
const execPath = process.env.npm_execpath
const [command, args] = execPath !== undefined && /pnpm/.test(execPath)
  ? [process.execPath, [execPath]]
  : ["npx", ["-y", "pnpm@10"]]
console.log("test/engines: installing Bun, Deno and playwright-core for the cross-engine tests")
const result = spawnSync(command, [...args, "install", "--ignore-workspace", "--frozen-lockfile", "--reporter=append-only"], {
  cwd: here,
  stdio: ["ignore", "inherit", "inherit"]
})
if (result.status !== 0) {
  console.error(`test/engines: the install failed (exit ${result.status ?? result.signal}); run it by hand: cd test/engines && npx -y pnpm@10 install --ignore-workspace --frozen-lockfile`)
  process.exit(1)
}
writeFileSync(marker, lock)
