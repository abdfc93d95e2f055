/**
 * `pnpm bench`: runs every benchmark in its own Node process — so each one's peak RSS is its
 * own — one after another, and prints their figures. Benchmarks are programs, not tests:
 * they measure and print; they assert nothing.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const benches = ["train-epoch.ts"]

for (const file of benches) {
  const path = fileURLToPath(new URL(file, import.meta.url))
  const result = spawnSync(
    process.execPath,
    ["--conditions=@descent/source", "--import", "tsx", path, ...process.argv.slice(2)],
    { stdio: "inherit" }
  )
  if (result.status !== 0) {
    console.error(`bench ${file} failed (exit ${result.status ?? result.signal})`)
    process.exit(1)
  }
}
