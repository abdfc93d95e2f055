// descent in a real terminal (tmux): Ctrl-C in the middle of an epoch leaves the screen clean —
// the progress bar taken down, the note and the resume line each on a line of their own.
import { afterAll, describe, expect, it } from "vitest"
import { execFileSync, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { cliPath, temporary, tinyMnist } from "./fixtures.js"

const hasTmux = spawnSync("tmux", ["-V"]).status === 0
if (!hasTmux && process.env.DESCENT_REQUIRE_TMUX !== undefined) throw new Error("tmux is required (DESCENT_REQUIRE_TMUX) but not installed")
if (!hasTmux) console.log("tmux is not installed: the terminal test is skipped (apt-get install tmux to run it)")

const session = `descent-test-${process.pid}`
const tmux = (...args: Array<string>) => execFileSync("tmux", args, { encoding: "utf8" })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const epochsDone = (dir: string) => {
  try {
    return JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8")).epochs.length as number
  } catch {
    return 0
  }
}

afterAll(() => {
  if (hasTmux) spawnSync("tmux", ["kill-session", "-t", session])
})

describe.skipIf(!hasTmux)("in a terminal", () => {
  it("Ctrl-C mid-epoch: the bar is gone, the note and the resume line stand on their own", async () => {
    const data = tinyMnist(12000, 100)
    const dir = join(temporary("terminal"), "run")
    const command = `${process.execPath} ${cliPath} train --data ${data.dir} --layers 784,16,10 --epochs 200 --out ${dir}; echo EXIT=$?; sleep 60`
    tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", command)
    for (let waited = 0; epochsDone(dir) < 2 && waited < 30_000; waited += 50) await sleep(50)
    await sleep(60) // into the next epoch, with its bar drawn
    tmux("send-keys", "-t", session, "C-c")
    let screen = ""
    for (let waited = 0; !screen.includes("EXIT=") && waited < 30_000; waited += 100) {
      await sleep(100)
      screen = tmux("capture-pane", "-t", session, "-p")
    }
    const lines = screen.split("\n").map((line) => line.trimEnd()).filter((line) => line.length > 0)
    const end = lines.indexOf("EXIT=130")
    expect(end, screen).toBeGreaterThan(1)
    // Long lines wrap at the terminal's width: join the last message back together.
    const note = lines.findIndex((line) => line.startsWith("SIGINT: "))
    expect(lines[note], screen).toBe("SIGINT: stopping after the current batch (again to quit now)")
    expect(lines.slice(note + 1, end).join(""), screen).toMatch(/^descent: stopped \(the checkpoint after epoch \d+ is kept in .*\); to continue: .* train --resume .*run$/)
    expect(screen, screen).not.toMatch(/examples \| batch cost/)
    expect(lines.slice(0, note).every((line) => /^(training |epoch +\d+\/200 )/.test(line)), screen).toBe(true)
  }, 90_000)
})
