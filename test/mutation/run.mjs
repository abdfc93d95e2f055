// `pnpm mutate [core|data|files|PART …] [-- STRYKER FLAGS]`: installs StrykerJS into test/mutation
// from this folder's own lockfile (once; the README's first command never does), then mutates
// each part named — a package stands for all its parts (stryker.config.mjs's `parts`), and no
// name for every part — one after another. Flags after `--` go to StrykerJS as they are
// (`-- --force` retests every mutant rather than reusing the last run's results).
// Reports: reports/mutation/<package>-<part>.{json,html}; then a table on stdout of the parts
// run, and of each package as the reports on disk stand (a part not run yet is named).
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { installFolder } from "../folder-install.mjs"
import { parts, partsOf, reportOf } from "../../stryker.config.mjs"

const here = fileURLToPath(new URL(".", import.meta.url))
const root = fileURLToPath(new URL("../..", import.meta.url))
const packagesOf = [...new Set(Object.keys(parts).map((part) => part.split(":")[0]))]
const dash = process.argv.indexOf("--", 2)
const asked = process.argv.slice(2, dash === -1 ? undefined : dash)
const passed = dash === -1 ? [] : process.argv.slice(dash + 1)
const unknown = asked.filter((name) => !packagesOf.includes(name) && !(name in parts))
if (unknown.length > 0) {
  console.error(`pnpm mutate: ${unknown.join(", ")} is neither a package nor a part; choose from ${[...packagesOf, ...Object.keys(parts)].join(", ")} (none: all of them)`)
  process.exit(2)
}

// Every source file of a package (but its index) is in exactly one of its parts: a file added
// later is mutated somewhere, or this says where it is missing.
const globRegExp = (glob) =>
  new RegExp(`^${glob.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\{([^}]*)\}/g, (_, names) => `(?:${names.split(",").join("|")})`)}$`)
const sourcesOf = (pkg) => {
  const dir = `${root}packages/${pkg}/src`
  return readdirSync(dir, { recursive: true }).filter((file) => file.endsWith(".ts") && !file.endsWith(".wasm.ts") && file !== "index.ts")
}
for (const pkg of packagesOf) {
  for (const file of sourcesOf(pkg)) {
    const holders = partsOf(pkg).filter((part) => parts[part].some((glob) => globRegExp(glob).test(file)))
    if (holders.length !== 1) {
      console.error(`pnpm mutate: packages/${pkg}/src/${file} is in ${holders.length === 0 ? "no part" : `${holders.join(" and ")}`}; give it one in stryker.config.mjs's parts`)
      process.exit(2)
    }
  }
}

installFolder(here, "StrykerJS")

const toRun = asked.length === 0 ? Object.keys(parts) : asked.flatMap((name) => (name in parts ? [name] : partsOf(name)))
const stryker = `${here}node_modules/@stryker-mutator/core/bin/stryker.js`
const statuses = ["Killed", "Timeout", "Survived", "NoCoverage", "CompileError", "RuntimeError", "Ignored"]
// A part's mutants by status, from its report on disk.
const countsOf = (part) => {
  const report = JSON.parse(readFileSync(`${root}${reportOf(part)}.json`, "utf8"))
  const count = Object.fromEntries(statuses.map((status) => [status, 0]))
  for (const file of Object.values(report.files)) for (const mutant of file.mutants) count[mutant.status] = (count[mutant.status] ?? 0) + 1
  return count
}
const add = (a, b) => Object.fromEntries(statuses.map((status) => [status, a[status] + b[status]]))
// Timed-out mutants count as detected (they hang or crawl), as StrykerJS scores them.
const scoreOf = (count) => {
  const detected = count.Killed + count.Timeout
  const valid = detected + count.Survived + count.NoCoverage
  return valid === 0 ? 100 : (100 * detected) / valid
}

const minutes = {}
for (const part of toRun) {
  const started = Date.now()
  const run = spawnSync(process.execPath, [stryker, "run", "stryker.config.mjs", ...passed], { cwd: root, stdio: "inherit", env: { ...process.env, DESCENT_MUTATE: part } })
  minutes[part] = (Date.now() - started) / 60_000
  if (run.status !== 0) {
    console.error(`pnpm mutate: StrykerJS failed on ${part} (exit ${run.status ?? run.signal})`)
    process.exit(1)
  }
}

const row = (label, count, time) =>
  `${label.padEnd(16)} ${scoreOf(count).toFixed(1).padStart(5)}%  ${String(count.Killed).padStart(6)}  ${String(count.Timeout).padStart(7)}  ${String(count.Survived).padStart(8)}  ${String(count.NoCoverage).padStart(11)}  ${time}`
console.log("\npart / package    score   killed  timeout  survived  no coverage  minutes")
// A run that mutated nothing (`-- --dryRunOnly`) leaves no report.
const reported = (part) => existsSync(`${root}${reportOf(part)}.json`)
for (const part of toRun) {
  console.log(reported(part) ? row(part, countsOf(part), minutes[part].toFixed(1).padStart(7)) : `${part.padEnd(16)} (no report)`)
}
for (const pkg of packagesOf) {
  const present = partsOf(pkg).filter(reported)
  if (present.length === 0) continue
  const total = present.map(countsOf).reduce(add)
  const missing = partsOf(pkg).filter((part) => !present.includes(part))
  console.log(row(pkg, total, missing.length === 0 ? "  (every part)" : `  (not yet: ${missing.join(", ")})`))
}
