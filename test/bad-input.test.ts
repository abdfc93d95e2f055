// Bad input never crashes and never writes a partial file: one line on stderr naming what is
// wrong and what to do, and exit 2 for a usage error, 1 for any other failure.
import { describe, expect, it } from "vitest"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { descent, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(50, 20)

const expectOneLine = (stderr: string, pattern: RegExp) => {
  expect(stderr.trim().split("\n")).toHaveLength(1)
  expect(stderr).toMatch(/^descent: /)
  expect(stderr).toMatch(pattern)
  expect(stderr).not.toMatch(/\s+at .*:\d+|_tag|\{"/)
}

describe("flags are checked before any work", () => {
  const cases: Array<[string, Array<string>, RegExp]> = [
    ["η ≤ 0", ["--eta", "0"], /--eta 0: the learning rate must be a number above 0/],
    ["negative η", ["--eta", "-1"], /--eta -1/],
    ["batch size 0", ["--batch-size", "0"], /--batch-size 0/],
    ["epochs < 1", ["--epochs", "0"], /--epochs 0/],
    ["layers not ending at 10", ["--layers", "784,16,9"], /last layer must have 10 neurons/],
    ["layers not starting at the pixels", ["--layers", "100,16,10"], /first layer must have one neuron per pixel: 784/],
    ["layers that are not numbers", ["--layers", "784,x,10"], /whole numbers separated by commas/],
    ["unknown activation", ["--activation", "tanh"], /sigmoid, relu/],
    ["unknown cost", ["--cost", "hinge"], /quadratic, cross-entropy/],
    ["a flag that does not exist", ["--learning-rate", "3"], /unknown argument/]
  ]
  for (const [what, flags, message] of cases) {
    it(`${what}: exit 2, one line, nothing written`, () => {
      const out = join(temporary("bad"), "run")
      const result = descent(["train", "--data", data.dir, "--out", out, ...flags])
      expect(result.code).toBe(2)
      expectOneLine(result.stderr, message)
      expect(result.stdout).toBe("")
      expect(existsSync(out)).toBe(false)
    })
  }
})

describe("data errors reach the user as one line", () => {
  it("a missing folder", () => {
    const result = descent(["train", "--data", "/no/such/folder", "--out", join(temporary("x"), "run")])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /\/no\/such\/folder\/train-images-idx3-ubyte: file not found/)
  })

  it("a truncated images file, naming the file and the byte", () => {
    const broken = tinyMnist(50, 20)
    const file = join(broken.dir, "train-images-idx3-ubyte")
    writeFileSync(file, readFileSync(file).subarray(0, 1000))
    const out = join(temporary("x"), "run")
    const result = descent(["train", "--data", broken.dir, "--out", out])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /train-images-idx3-ubyte at byte 1000: the data is cut short/)
    expect(existsSync(out)).toBe(false)
  })
})

describe("model files", () => {
  const dir = temporary("models")
  const trained = join(dir, "run")
  descent(["train", "--data", data.dir, "--layers", "784,10", "--epochs", "1", "--out", trained])
  const model = JSON.parse(readFileSync(join(trained, "model.json"), "utf8"))
  const evaluate = (content: string) => {
    const file = join(dir, `model-${Math.random().toString(36).slice(2)}.json`)
    writeFileSync(file, content)
    return descent(["eval", "--model", file, "--data", data.dir])
  }

  it("a cut file is not valid JSON", () => {
    const result = evaluate(JSON.stringify(model).slice(0, 500))
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /not valid JSON/)
  })

  it("another version names the field at fault", () => {
    const result = evaluate(JSON.stringify({ ...model, version: 2 }))
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /field "version"/)
  })

  it("a bad activation names the field", () => {
    const result = evaluate(JSON.stringify({ ...model, activation: "tanh" }))
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /field "activation"/)
  })

  it("parameters that do not fit the layers", () => {
    const result = evaluate(JSON.stringify({ ...model, params: model.params.slice(1) }))
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /field "params": has 7849 entries; layers 784-10 need 7850/)
  })

  it("a missing model file", () => {
    const result = descent(["eval", "--model", join(dir, "nope.json")])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /nope\.json: no such file/)
  })
})

describe("a diverging run", () => {
  it("stops with the epoch and batch, suggests a smaller η, and keeps the last good checkpoint", () => {
    const out = join(temporary("diverge"), "run")
    const result = descent(["train", "--data", data.dir, "--layers", "784,16,10", "--activation", "relu", "--cost", "cross-entropy", "--eta", "1e300", "--epochs", "2", "--out", out])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr.split("\n").filter((l) => l.startsWith("descent:")).join("\n"), /diverged in epoch 1, batch \d+: .*try a smaller --eta/)
    const checkpoint = JSON.parse(readFileSync(join(out, "checkpoint.json"), "utf8"))
    expect(checkpoint.epochs).toEqual([])
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).status).toBe("diverged")
  })
})
