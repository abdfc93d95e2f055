// A command line people read without help: help pages that say `descent <command>`, the real
// defaults and no boilerplate; misspelt commands, flags and choices answered with the nearest;
// completions that offer choices one by one; and `pnpm descent` that behaves as descent does.
import { spawnSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { cliPath, descent, expectOneErrorLine, jsonLines, temporary, tinyMnist } from "./fixtures.js"

const commands = ["train", "eval", "predict", "replay", "weights", "plot", "noise", "mistakes", "serve"]
const boilerplate = [/A user-defined piece of text/, /This setting is optional/, /A true or false value/, /An integer\./, /One of the following/, /Defaults to:/, /\$ /]

// The "(default: …)" a help page gives a flag, on the flag's own line.
const defaultOf = (help: string, flag: string) => new RegExp(`^  ${flag}\\b.*\\(default: (.*)\\)$`, "m").exec(help)?.[1]

describe("descent --help", () => {
  it("says what descent is, lists every command as it is typed, and where to start", () => {
    for (const args of [["--help"], ["-h"], []]) {
      const result = descent(args)
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^descent \d+\.\d+\.\d+: a neural network learns handwritten digits by gradient descent/)
      expect(result.stdout).toContain("descent <command> --help")
      for (const command of commands) expect(result.stdout).toMatch(new RegExp(`^  ${command} +\\S`, "m"))
      expect(result.stdout).toContain("descent weights --model M --out weights.png")
      for (const pattern of boilerplate) expect(result.stdout).not.toMatch(pattern)
      expect(result.stdout).not.toContain("\x1b[")
    }
  })

  for (const command of commands) {
    it(`descent ${command} --help: "descent ${command}" in its usage, every flag described, no boilerplate`, () => {
      const result = descent([command, "--help"])
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`^descent ${command}: [A-Z]`))
      expect(result.stdout).toMatch(new RegExp(`^Usage:\\n  descent ${command} `, "m"))
      for (const pattern of boilerplate) expect(result.stdout).not.toMatch(pattern)
      // Each flag of the usage line has its own entry, with a description under it.
      const usage = result.stdout.split("\n\n")[1]!
      for (const flag of usage.match(/--[a-z0-9-]+/g) ?? []) {
        expect(result.stdout, flag).toMatch(new RegExp(`^  ${flag}\\b.*\\n      \\S`, "m"))
      }
    })
  }

  it("shows each default as the code has it", () => {
    const train = descent(["train", "--help"]).stdout
    expect(["--layers", "--eta", "--batch-size", "--epochs", "--seed", "--activation", "--cost", "--data", "--max-memory"].map((f) => defaultOf(train, f))).toEqual([
      "784,16,16,10", "3", "10", "30", "1", "sigmoid", "quadratic", "the bundled MNIST", "2G"
    ])
    const noise = descent(["noise", "--help"]).stdout
    expect([defaultOf(noise, "--count"), defaultOf(noise, "--seed"), defaultOf(noise, "--data")]).toEqual(["1000", "1", "the bundled MNIST"])
    expect(defaultOf(descent(["mistakes", "--help"]).stdout, "--count")).toBe("30")
    expect(defaultOf(descent(["predict", "--help"]).stdout, "--set")).toBe("test")
    expect(descent(["eval", "--help"]).stdout).toMatch(/^  --model FILE +\(required\)$/m)
  })

  it("the defaults it shows are the ones used", () => {
    const data = tinyMnist(300, 100)
    const run = join(temporary("defaults"), "run")
    expect(descent(["train", "--data", data.dir, "--layers", "784,16,10", "--epochs", "1", "--out", run]).code).toBe(0)
    const model = join(run, "model.json")
    const noise = jsonLines(descent(["noise", "--model", model, "--data", data.dir, "--json"]).stdout)[0] as any
    expect(noise.noise.images).toBe(1000)
    const seeded = descent(["noise", "--model", model, "--data", data.dir, "--seed", "1", "--count", "1000", "--json"]).stdout
    expect(descent(["noise", "--model", model, "--data", data.dir, "--json"]).stdout).toBe(seeded)
    const mistakes = jsonLines(descent(["mistakes", "--model", model, "--data", data.dir, "--out", join(run, "m.svg"), "--json"]).stdout)[0] as any
    expect(mistakes.shown.length).toBe(Math.min(30, mistakes.wrong))
  })
})

describe("a misspelt command, flag or choice gets the nearest", () => {
  const cases: Array<[string, Array<string>, RegExp]> = [
    ["a command", ["trian"], /^descent: trian is not a command of descent; did you mean train\? \(the commands: train, eval, predict, replay, weights, plot, noise, mistakes, augment, sweep, export, import, serve; see descent --help\)\n$/],
    ["a command far from any", ["xyzzy"], /^descent: xyzzy is not a command of descent \(the commands: train, eval/],
    ["a flag", ["train", "--epoch", "3"], /^descent: --epoch is not a flag of descent train; did you mean --epochs\? \(see descent train --help\)\n$/],
    ["another flag", ["train", "--ehta", "3"], /did you mean --eta\?/],
    ["a flag of another command", ["eval", "--model", "m.json", "--epochs", "3"], /^descent: --epochs is not a flag of descent eval \(see descent eval --help\)\n$/],
    ["a flag given as --flag=value", ["weights", "--modle=m.json", "--out", "w.png"], /--modle is not a flag of descent weights; did you mean --model\?/],
    ["a choice", ["train", "--cost", "cross_entropy"], /^descent: --cost cross_entropy: give quadratic or cross-entropy \(did you mean cross-entropy\?\)\n$/],
    ["a choice far from any", ["train", "--activation", "tanh"], /^descent: --activation tanh: give sigmoid or relu\n$/],
    ["a choice with no value", ["predict", "--model", "m.json", "--set"], /^descent: --set needs a value: test or train/],
    ["a required flag left out", ["eval"], /^descent: --model FILE is missing: a model\.json written by descent train \(see descent eval --help\)\n$/],
    ["a flag before the command", ["--json", "train"], /--json is not something descent takes before a command; give a command first/],
    ["an argument the parser refuses", ["replay"], /^descent: Missing argument <RUN\.json> \(see descent replay --help\)\n$/]
  ]
  for (const [what, args, message] of cases) {
    it(`${what}: exit 2, one line`, () => {
      const result = descent(args)
      expect(result.code).toBe(2)
      expectOneErrorLine(result.stderr, message)
      expect(result.stdout).toBe("")
    })
  }
})

describe("train's optimiser and schedule flags that do not go together: exit 2, one line, before any work", () => {
  const cases: Array<[Array<string>, RegExp]> = [
    [["--momentum", "0.5"], /^descent: --momentum: only --optimizer momentum or nesterov uses it, not sgd\n$/],
    [["--optimizer", "momentum", "--beta1", "0.8"], /^descent: --beta1: only --optimizer adam or adamw uses it, not momentum\n$/],
    [["--optimizer", "adam", "--weight-decay", "0.1"], /^descent: --weight-decay: only --optimizer adamw uses it, not adam\n$/],
    [["--optimizer", "sgd", "--epsilon", "1e-6"], /^descent: --epsilon: only --optimizer rmsprop or adam or adamw uses it, not sgd\n$/],
    [["--optimizer", "adam", "--beta2", "1"], /^descent: --beta2 1: β₂ must be at least 0 and below 1, like 0\.999 \(see descent train --help\)\n$/],
    [["--optimizer", "adagrad"], /^descent: --optimizer adagrad: give sgd, momentum, nesterov, rmsprop, adam or adamw/],
    [["--schedule", "step"], /^descent: --schedule step: give the factor too, with --eta-decay FACTOR/],
    [["--schedule", "cosine", "--eta-decay", "0.9"], /^descent: --eta-decay: a cosine schedule does not use it \(--schedule exponential or step does\)\n$/],
    [["--decay-every", "5"], /^descent: --decay-every: only --schedule step uses it\n$/],
    [["--eta-min", "0.1"], /^descent: --eta-min: only --schedule cosine uses it\n$/],
    [["--schedule", "cosine", "--eta-min", "5"], /^descent: --eta-min 5: give a rate below --eta 3\n$/],
    [["--warmup", "30"], /^descent: --warmup 30: warm up for fewer epochs than --epochs 30\n$/],
    [["--augment-strength", "0.5"], /^descent: --augment-strength says how far --augment moves the images: give --augment too\n$/]
  ]
  for (const [args, message] of cases) {
    it(args.join(" "), () => {
      const result = descent(["train", ...args, "--out", join(temporary("refused"), "run")])
      expect(result.code).toBe(2)
      expectOneErrorLine(result.stderr, message)
      expect(result.stdout).toBe("")
    })
  }
})

describe("descent --completions", () => {
  const script = join(temporary("completions"), "descent.bash")
  writeFileSync(script, descent(["--completions", "bash"]).stdout)
  // What bash would offer after typing `words` (the last one being completed) and pressing Tab.
  const offered = (...words: Array<string>): Array<string> => {
    const quoted = ["descent", ...words].map((w) => `'${w}'`).join(" ")
    const result = spawnSync("bash", ["-c", `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _descent_bash_completions descent; printf '%s\\n' "\${COMPREPLY[@]}"`], {
      encoding: "utf8",
      cwd: import.meta.dirname
    })
    expect(result.stderr).toBe("")
    return result.stdout.split("\n").filter((w) => w !== "")
  }

  it("bash: a flag's choices one by one", () => {
    expect(offered("train", "--activation", "")).toEqual(["sigmoid", "relu"])
    expect(offered("train", "--cost", "c")).toEqual(["cross-entropy"])
    expect(offered("predict", "--set", "")).toEqual(["test", "train"])
  })

  it("bash: commands and flags by their start; file names only where a path goes", () => {
    expect(offered("tr")).toEqual(["train"])
    expect(offered("train", "--epo")).toEqual(["--epochs"])
    expect(offered("train", "--ep")).toEqual(["--epsilon", "--epochs"])
    expect(offered("train", "--epochs", "")).toEqual([])
    expect(offered("eval", "--model", "fixtures")).toEqual(["fixtures.ts"])
  })

  it("zsh and fish scripts name the choices apart too", () => {
    expect(descent(["--completions", "zsh"]).stdout).toContain("(sigmoid relu)")
    expect(descent(["--completions", "fish"]).stdout).toMatch(/-l activation .*-a "\{sigmoid'',relu''\}"/)
  })
})

describe("pnpm descent", () => {
  it("--silent: stdout is descent's alone (JSON that parses), and relative paths are from where it was typed", () => {
    const data = tinyMnist(300, 100)
    const here = temporary("pnpm")
    mkdirSync(join(here, "runs"))
    const root = resolve(import.meta.dirname, "..")
    const result = spawnSync("npx", ["-y", "pnpm@10", "--silent", "-C", root, "descent", "train", "--data", data.dir, "--layers", "784,16,10", "--epochs", "1", "--out", "runs/r", "--json"], {
      cwd: here,
      encoding: "utf8",
      env: { ...process.env, npm_lifecycle_event: "", NO_COLOR: "1" }
    })
    expect(result.status, result.stderr).toBe(0)
    const lines = jsonLines(result.stdout)
    expect(lines).toHaveLength(1)
    expect(lines[0]!.epoch).toBe(1)
    const evaluated = descent(["eval", "--model", join(here, "runs", "r", "model.json"), "--data", data.dir, "--json"])
    expect(evaluated.code, evaluated.stderr).toBe(0)
    expect(cliPath).toContain(root)
  })
})
