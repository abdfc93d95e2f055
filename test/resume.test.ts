// A run stopped at any moment — SIGKILL mid-epoch, or Ctrl-C — and resumed ends with
// parameters bit-identical to a run that was never stopped.
import { describe, expect, it } from "vitest"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { spawnSync } from "node:child_process"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { cliPath, descent, jsonLines, start, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(6000, 100)
const common = ["--data", data.dir, "--layers", "784,16,10", "--eta", "1.0", "--seed", "3"]
const options = [...common, "--epochs", "4"]
const straight = descent(["train", ...options, "--out", join(temporary("straight"), "run"), "--json"])
const finalHash = () => jsonLines(straight.stdout)[3]!.paramsSha256

const completedEpochs = (dir: string): number => {
  try {
    return JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8")).epochs.length
  } catch {
    return -1
  }
}

/** Starts a run, waits until it has finished `epochs` epochs, then sends `signal`. */
const stopDuring = async (dir: string, epochs: number, signal: NodeJS.Signals, flags = options) => {
  const child = start(["train", ...flags, "--out", dir, "--json"])
  let stderr = ""
  child.stderr.on("data", (chunk) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  while (completedEpochs(dir) < epochs) await new Promise((r) => setTimeout(r, 5))
  await new Promise((r) => setTimeout(r, 40))
  child.kill(signal)
  return { code: await exited, stderr: () => stderr }
}

describe("resume", () => {
  it("the uninterrupted run completes", () => {
    expect(straight.code, straight.stderr).toBe(0)
    expect(jsonLines(straight.stdout)).toHaveLength(4)
  })

  it("after SIGKILL during an epoch, --resume ends with the same hash", async () => {
    const dir = join(temporary("killed"), "run")
    const { code } = await stopDuring(dir, 1, "SIGKILL")
    expect(code).toBe(null)
    const done = completedEpochs(dir)
    expect(done).toBeGreaterThanOrEqual(1)
    expect(done).toBeLessThan(4)
    const resumed = descent(["train", "--resume", dir, "--json"])
    expect(resumed.code, resumed.stderr).toBe(0)
    const epochs = jsonLines(resumed.stdout)
    expect(epochs[epochs.length - 1]!.paramsSha256).toBe(finalHash())
    expect(descent(["replay", join(dir, "run.json")]).code).toBe(0)
  })

  // An f32 run resumes in f32 (not f64). Each optimiser keeps state across epochs (its averages,
  // Adam's step count), which the checkpoint must carry: every one, with each schedule, resumes
  // to the uninterrupted hash; so does a run that learns from augmented images.
  const recipes: ReadonlyArray<ReadonlyArray<string>> = [
    ["--precision", "f32", "--eta", "1.0"],
    ["--optimizer", "momentum", "--eta", "0.3", "--schedule", "step", "--eta-decay", "0.5", "--decay-every", "2"],
    ["--optimizer", "nesterov", "--momentum", "0.8", "--eta", "0.3", "--schedule", "cosine", "--warmup", "1"],
    ["--optimizer", "rmsprop", "--eta", "0.002", "--schedule", "exponential", "--eta-decay", "0.9"],
    ["--optimizer", "adam", "--eta", "0.003", "--warmup", "1"],
    ["--optimizer", "adamw", "--eta", "0.003", "--weight-decay", "0.05", "--schedule", "cosine", "--eta-min", "0.0005"],
    // Augmented images are drawn from the run's generator each epoch, before its shuffle.
    ["--optimizer", "sgd", "--augment", "--eta", "1.0"]
  ]
  for (const recipe of recipes) {
    it(`killed during an epoch, ${recipe.slice(0, 2).join(" ")} resumes to the hash of the run never stopped, not the f64 sgd run's (${recipe.slice(2).join(" ")})`, async () => {
      const flags = [...common.filter((_, i) => i < 4 || i > 5), ...recipe, "--epochs", "4"]
      const name = recipe[1]!
      const whole = descent(["train", ...flags, "--out", join(temporary(`straight-${name}`), "run"), "--json"])
      expect(whole.code, whole.stderr).toBe(0)
      const expected = jsonLines(whole.stdout)[3]!.paramsSha256
      expect(expected).not.toBe(finalHash())
      const dir = join(temporary(`killed-${name}`), "run")
      const { code } = await stopDuring(dir, 1, "SIGKILL", flags)
      expect(code).toBe(null)
      expect(completedEpochs(dir)).toBeLessThan(4)
      const resumed = descent(["train", "--resume", dir, "--json"])
      expect(resumed.code, resumed.stderr).toBe(0)
      expect(jsonLines(resumed.stdout).pop()!.paramsSha256).toBe(expected)
      expect(descent(["replay", join(dir, "run.json")]).code).toBe(0)
    })
  }

  it("Ctrl-C stops after a batch, keeps the checkpoint and prints the command that resumes", async () => {
    const dir = join(temporary("interrupted"), "run")
    const { code, stderr } = await stopDuring(dir, 2, "SIGINT")
    expect(code).toBe(130)
    // The printed command works when pasted, from another folder.
    const printed = /to continue: (.+)$/m.exec(stderr())![1]!
    expect(printed).toBe(`node ${cliPath} train --resume ${dir}`)
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).status).toBe("interrupted")
    const resumed = spawnSync("sh", ["-c", `${printed} --json`], { cwd: tmpdir(), encoding: "utf8", env: { PATH: dirname(process.execPath) } })
    expect(resumed.status, resumed.stderr).toBe(0)
    expect(jsonLines(resumed.stdout).pop()!.paramsSha256).toBe(finalHash())
  })

  it("refuses a checkpoint made with other numerics, leaving the run as it was", async () => {
    const dir = join(temporary("old-numerics"), "run")
    const { code } = await stopDuring(dir, 1, "SIGINT")
    expect(code).toBe(130)
    // As descent 0.1 wrote it: no "numerics" field.
    const checkpoint = JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8"))
    expect(checkpoint.numerics).toBe("wasm-libm-1")
    delete checkpoint.numerics
    writeFileSync(join(dir, "checkpoint.json"), JSON.stringify(checkpoint))
    const before = readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), "utf8")])
    const resumed = descent(["train", "--resume", dir])
    expect(resumed.code).toBe(1)
    expect(resumed.stderr).toBe(
      `descent: ${join(dir, "checkpoint.json")}: this checkpoint was made with engine-dependent numerics (descent 0.1 took exp and log from the JavaScript engine, whose last bits differ between engines and versions), and this descent computes with "wasm-libm-1", so it cannot be reproduced bit for bit; re-record the run with: descent train --data ${data.dir} --layers 784,16,10 --eta 1 --epochs 4 --seed 3\n`
    )
    expect(readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), "utf8")])).toEqual(before)
  })

  it("refuses every flag that shapes a run beside --resume, each by name; the rest are the ones --help lists as how to run", () => {
    const dir = join(temporary("beside"), "run")
    expect(descent(["train", ...common, "--epochs", "1", "--out", dir]).code).toBe(0)
    // A value for each flag that would be accepted on its own (boolean flags take none).
    const values: Readonly<Record<string, ReadonlyArray<string>>> = {
      "--layers": ["784,16,10"], "--activation": ["relu"], "--output": ["sigmoid"], "--cost": ["quadratic"], "--precision": ["f32"],
      "--init": ["scaled"], "--eta": ["2"], "--eta-decay": ["0.9"], "--schedule": ["constant"], "--decay-every": ["5"],
      "--eta-min": ["0"], "--warmup": ["1"], "--optimizer": ["sgd"], "--momentum": ["0.9"], "--beta1": ["0.9"], "--beta2": ["0.999"],
      "--epsilon": ["1e-8"], "--weight-decay": ["0.01"], "--l2": ["1"], "--batch-size": ["10"], "--epochs": ["4"], "--seed": ["3"],
      "--seeds": ["1,2"], "--validation": ["10"], "--subset": ["100"], "--shuffle-labels": [], "--augment": [], "--augment-strength": ["0.5"],
      "--out": [join(temporary("beside-out"), "run")]
    }
    // How to run, not what to run: these go with --resume (--data may say where the data is now).
    const howToRun = ["--data", "--jobs", "--threads", "--resume", "--stop-when-stalled", "--max-memory", "--json"]
    const listed = descent(["train", "--help"]).stdout.split("\n").flatMap((line) => /^ {2}(--[a-z0-9-]+)/.exec(line)?.[1] ?? [])
    expect(listed.length).toBeGreaterThan(30)
    expect(listed.filter((flag) => !howToRun.includes(flag)).sort()).toEqual(Object.keys(values).sort())
    const before = readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), "utf8")])
    for (const [flag, value] of Object.entries(values)) {
      const result = descent(["train", "--resume", dir, flag, ...value])
      expect(result.code, flag).toBe(2)
      expect(result.stderr, flag).toMatch(new RegExp(`drop ${flag}\\b`))
    }
    expect(readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), "utf8")])).toEqual(before)
  })

  it("refuses flags beside --resume, and an --out that already holds a run", () => {
    const dir = join(temporary("twice"), "run")
    expect(descent(["train", ...common, "--epochs", "1", "--out", dir]).code).toBe(0)
    const again = descent(["train", ...options, "--out", dir])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already holds a run; continue it with --resume/)
    const mixed = descent(["train", "--resume", dir, "--eta", "2"])
    expect(mixed.code).toBe(2)
    expect(mixed.stderr).toMatch(/drop --eta/)
    expect(existsSync(join(dir, "checkpoint.json"))).toBe(true)
  })
})
