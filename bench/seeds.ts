/**
 * `descent train --seeds 1,2,3` (the chapter's network, 30 epochs each) side by side — each
 * seed's run in a process of its own — beside `--jobs 1`, the same runs one after another in
 * one process: wall time of each, their ratio, and whether the summaries agree (they must: each
 * seed's run is the one it gives alone). BENCH_EPOCHS sets the epochs (default 30).
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { report } from "./measure.js"

const cli = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../apps/cli/dist/descent.mjs")
const epochs = process.env.BENCH_EPOCHS ?? "30"
const dir = mkdtempSync(join(tmpdir(), "descent-bench-seeds-"))
const timed = (name: string, extra: ReadonlyArray<string>) => {
  const started = performance.now()
  const result = spawnSync(process.execPath, [cli, "train", "--seeds", "1,2,3", "--epochs", epochs, "--out", join(dir, name), "--json", ...extra], { encoding: "utf8" })
  if (result.status !== 0) throw new Error(`descent train --seeds ${extra.join(" ")}: ${result.stderr}`)
  return { seconds: (performance.now() - started) / 1000, summary: result.stdout.trim().split("\n").pop()! }
}
try {
  const inTurn = timed("in-turn", ["--jobs", "1"])
  const sideBySide = timed("side-by-side", [])
  report(`--seeds 1,2,3, ${epochs} epochs each (784-16-16-10)`, [
    ["one after another (--jobs 1)", `${inTurn.seconds.toFixed(1)} s`],
    ["side by side (default)", `${sideBySide.seconds.toFixed(1)} s`],
    ["side by side / one after another", `${(sideBySide.seconds / inTurn.seconds).toFixed(2)}× (goal on 2 cores: ≤ 0.6×)`],
    ["same summary", sideBySide.summary === inTurn.summary ? "yes" : `NO: ${sideBySide.summary} vs ${inTurn.summary}`]
  ])
} finally {
  rmSync(dir, { recursive: true, force: true })
}
