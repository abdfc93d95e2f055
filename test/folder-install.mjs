// Installs a test-only folder's packages (test/engines, test/mutation) from its own lockfile,
// with pnpm 10, unless its node_modules already holds what the lockfile pins (a marker keeps
// the lockfile's SHA-256). The README's first command never runs this: what these folders hold
// is for the tests and `pnpm mutate` only.
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { basename } from "node:path"

/** Installs `folder` (absolute, with a trailing slash) if needed; `what` says what for. Exits 1 when the install fails. */
export const installFolder = (folder, what) => {
  const name = `test/${basename(folder)}`
  const marker = `${folder}node_modules/.descent-lock-sha256`
  const lock = createHash("sha256").update(readFileSync(`${folder}pnpm-lock.yaml`)).digest("hex")
  if (existsSync(marker) && readFileSync(marker, "utf8") === lock) return
  // Run by pnpm, npm_execpath is pnpm itself; otherwise fetch pnpm 10 as the README does.
  const execPath = process.env.npm_execpath
  const [command, args] = execPath !== undefined && /pnpm/.test(execPath)
    ? [process.execPath, [execPath]]
    : ["npx", ["-y", "pnpm@10"]]
  console.log(`${name}: installing ${what}`)
  const result = spawnSync(command, [...args, "install", "--ignore-workspace", "--frozen-lockfile", "--reporter=append-only"], {
    cwd: folder,
    stdio: ["ignore", "inherit", "inherit"]
  })
  if (result.status !== 0) {
    console.error(`${name}: the install failed (exit ${result.status ?? result.signal}); run it by hand: cd ${name} && npx -y pnpm@10 install --ignore-workspace --frozen-lockfile`)
    process.exit(1)
  }
  writeFileSync(marker, lock)
}
