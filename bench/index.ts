/**
 * `pnpm bench`: runs every benchmark in its own Node process — so each one's peak RSS is its
 * own — one after another, and prints their figures. Benchmarks are programs, not tests:
 * they measure and print; they assert nothing. They run the compiled packages (`dist`), as a
 * user's program would.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const benches: ReadonlyArray<readonly [string, ...Array<string>]> = [
  ["decode-mnist.js"],
  ["records-stream.js"],
  ["train-epoch.js", "default"],
  ["train-epoch.js", "batch100"],
  ["train-epoch.js", "noisy"],
  ["train-epoch.js", "784-100-10"],
  ["threads.js"],
  ["precision.js"],
  ["optimizers.js"],
  ["seeds.js"],
  ["page.js"]
]
const only = process.argv[2]

for (const [file, ...args] of benches.filter(([name]) => only === undefined || name.startsWith(only))) {
  const path = fileURLToPath(new URL(file, import.meta.url))
  const result = spawnSync(process.execPath, [path, ...args], { stdio: "inherit" })
  if (result.status !== 0) {
    console.error(`bench ${file} failed (exit ${result.status ?? result.signal})`)
    process.exit(1)
  }
  console.log("")
}
