// `pnpm mutate [core|data|files …] [-- STRYKER FLAGS]`: installs StrykerJS into test/mutation
// from this folder's own lockfile (once; the README's first command never does), then mutates
// each package named (all three when none is), one after another; flags after `--` go to
// StrykerJS as they are (`-- --mutate packages/data/src/Gzip.ts` for one file). Reports:
// reports/mutation/<package>.{json,html}, and a summary table on stdout.
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { installFolder } from "../folder-install.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))
const root = fileURLToPath(new URL("../..", import.meta.url))
const known = ["core", "data", "files"]
const dash = process.argv.indexOf("--", 2)
const asked = process.argv.slice(2, dash === -1 ? undefined : dash)
const passed = dash === -1 ? [] : process.argv.slice(dash + 1)
const unknown = asked.filter((name) => !known.includes(name))
if (unknown.length > 0) {
  console.error(`pnpm mutate: ${unknown.join(", ")} is not a package to mutate; choose from ${known.join(", ")} (none: all of them)`)
  process.exit(2)
}

installFolder(here, "StrykerJS")

const stryker = `${here}node_modules/@stryker-mutator/core/bin/stryker.js`
const rows = []
for (const name of asked.length > 0 ? asked : known) {
  const started = Date.now()
  const run = spawnSync(process.execPath, [stryker, "run", "stryker.config.mjs", ...passed], { cwd: root, stdio: "inherit", env: { ...process.env, DESCENT_MUTATE: name } })
  const minutes = (Date.now() - started) / 60_000
  if (run.status !== 0) {
    console.error(`pnpm mutate: StrykerJS failed on ${name} (exit ${run.status ?? run.signal})`)
    process.exit(1)
  }
  const report = JSON.parse(readFileSync(`${root}reports/mutation/${name}.json`, "utf8"))
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0 }
  for (const file of Object.values(report.files)) for (const mutant of file.mutants) count[mutant.status] = (count[mutant.status] ?? 0) + 1
  const detected = count.Killed + count.Timeout
  const valid = detected + count.Survived + count.NoCoverage
  rows.push({ name, score: valid === 0 ? 100 : (100 * detected) / valid, ...count, minutes })
}
console.log("\npackage  score   killed  timeout  survived  no coverage  minutes")
for (const r of rows) {
  console.log(`${r.name.padEnd(8)} ${r.score.toFixed(1).padStart(5)}%  ${String(r.Killed).padStart(6)}  ${String(r.Timeout).padStart(7)}  ${String(r.Survived).padStart(8)}  ${String(r.NoCoverage).padStart(11)}  ${r.minutes.toFixed(1).padStart(7)}`)
}
