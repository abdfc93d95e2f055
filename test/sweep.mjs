// `pnpm sweep [CASES] [SEED]`: the damage sweep of test/damage-sweep.test.ts at a larger count
// (default 2000 cases of each kind and 500 kills, seed 1), against the built CLI — run
// `pnpm build` first. It prints what it saw: exit codes by kind of damage and the peak RSS of
// every process; a case that breaks a rule fails with its seed and number, to be run again.
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const [cases = "2000", seed = "1"] = process.argv.slice(2)
if (!/^\d+$/.test(cases) || !/^-?\d+$/.test(seed)) {
  console.error("usage: pnpm sweep [CASES] [SEED]   (CASES of each kind of damage, a whole number; SEED an integer)")
  process.exit(2)
}
const root = fileURLToPath(new URL("..", import.meta.url))
const result = spawnSync(process.execPath, [fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url)), "run", "test/damage-sweep.test.ts"], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    DESCENT_SWEEP_CASES: cases,
    DESCENT_SWEEP_KILLS: String(Math.max(6, Math.round(Number(cases) / 4))),
    DESCENT_SWEEP_SEED: seed,
    // Each kind's cases run in one test: give them the time thousands of processes take.
    DESCENT_SWEEP_TIMEOUT: String(24 * 3600 * 1000)
  }
})
process.exit(result.status ?? 1)
