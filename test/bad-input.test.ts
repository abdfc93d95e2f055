// Bad input never crashes and never writes a partial file: one line on stderr naming what is
// wrong and what to do, and exit 2 for a usage error, 1 for any other failure.
import { describe, expect, it } from "vitest"
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, openSync, readdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { cliPath, descent, descentAsync, expectOneErrorLine, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(50, 20)

const expectOneLine = expectOneErrorLine

describe("flags are checked before any work", () => {
  const cases: Array<[string, Array<string>, RegExp]> = [
    ["η ≤ 0", ["--eta", "0"], /--eta 0: the learning rate must be a number above 0/],
    ["negative η", ["--eta", "-1"], /--eta -1/],
    ["batch size 0", ["--batch-size", "0"], /--batch-size 0/],
    ["epochs < 1", ["--epochs", "0"], /--epochs 0/],
    ["layers not ending at 10", ["--layers", "784,16,9"], /last layer must have 10 neurons/],
    ["layers not starting at the pixels", ["--layers", "100,16,10"], /first layer must have one neuron per pixel: 784/],
    ["layers that are not numbers", ["--layers", "784,x,10"], /whole numbers separated by commas/],
    ["unknown activation", ["--activation", "tanh"], /--activation tanh: give sigmoid or relu/],
    ["unknown cost", ["--cost", "hinge"], /--cost hinge: give quadratic or cross-entropy/],
    ["a flag that does not exist", ["--learning-rate", "3"], /--learning-rate is not a flag of descent train/]
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
    expectOneLine(result.stderr, /\/no\/such\/folder: no such folder; check the path/)
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
    expectOneLine(result.stderr.split("\n").filter((l) => l.startsWith("descent:")).join("\n"), /diverged in epoch 1, batch \d+: .*start again, in another --out, with a smaller --eta than 1e\+300: resumed, it would diverge the same way/)
    const checkpoint = JSON.parse(readFileSync(join(out, "checkpoint.json"), "utf8"))
    expect(checkpoint.epochs).toEqual([])
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).status).toBe("diverged")
  })
})

// The reproductions of issue 12: each used to crash, echo its input, mislead or be accepted.
describe("inputs that used to crash", () => {
  const dir = temporary("crash")
  const trained = join(dir, "run")
  descent(["train", "--data", data.dir, "--layers", "784,10", "--epochs", "1", "--out", trained])
  const model = join(trained, "model.json")

  it("a model file of deeply nested arrays or objects, in every command that reads a model", () => {
    const deep: ReadonlyArray<readonly [string, string]> = [
      ["arrays", "[".repeat(100_000) + "]".repeat(100_000)],
      ["objects", '{"a":'.repeat(50_000) + "1" + "}".repeat(50_000)]
    ]
    for (const [name, text] of deep) {
      const file = join(dir, `deep-${name}.json`)
      writeFileSync(file, text)
      for (const command of [
        ["eval", "--model", file, "--data", data.dir],
        ["predict", "--model", file, "--index", "0", "--data", data.dir],
        ["noise", "--model", file, "--data", data.dir],
        ["mistakes", "--model", file, "--out", join(dir, "m.png"), "--data", data.dir],
        ["weights", "--model", file, "--out", join(dir, "w.png")]
      ]) {
        const result = descent(command)
        expect(result.code, command.join(" ")).toBe(1)
        expectOneLine(result.stderr, /deep-\w+\.json: its JSON nests more than 64 levels deep/)
      }
    }
    expect(existsSync(join(dir, "m.png")) || existsSync(join(dir, "w.png"))).toBe(false)
  })

  it("noise and eval on an empty test set", () => {
    const empty = tinyMnist(50, 0)
    for (const command of [["noise", "--model", model, "--data", empty.dir], ["eval", "--model", model, "--data", empty.dir]]) {
      const result = descent(command)
      expect(result.code).toBe(1)
      expectOneLine(result.stderr, /t10k-images-idx3-ubyte: holds no test images/)
      expect(result.stdout).toBe("")
    }
  })

  it("train on an empty training set names the file, not a flag never given", () => {
    const empty = tinyMnist(0, 20)
    const result = descent(["train", "--data", empty.dir, "--out", join(temporary("x"), "run")])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /train-images-idx3-ubyte: holds no training images/)
    expect(result.stderr).not.toMatch(/--validation/)
  })

  it("networks too large to keep or to train are refused before any work", () => {
    for (const [layers, pattern] of [
      ["784,100000,10", /784-100000-10 has 79,500,010 weights and biases; a model file holds at most 20,000,000/],
      ["784,1000000,10", /784-1000000-10 has 795,000,010 weights and biases/],
      ["784,25000,10", /training 784-25000-10 in batches of 10 would need about 2\.\d GiB of memory, more than the limit of 2\.0 GiB; raise it with --max-memory/]
    ] as const) {
      const out = join(temporary("large"), "run")
      const result = descent(["train", "--data", data.dir, "--layers", layers, "--out", out])
      expect(result.code, layers).toBe(2)
      expectOneLine(result.stderr, pattern)
      expect(existsSync(out)).toBe(false)
      expect(result.peakRssMb!).toBeLessThan(250)
    }
    const batch = descent(["train", "--data", data.dir, "--layers", "784,3000,10", "--batch-size", "60000", "--max-memory", "64G", "--out", join(temporary("x"), "run")])
    expect(batch.code).toBe(2)
    expectOneLine(batch.stderr, /one batch of 784-3000-10 in batches of 60000 needs [\d.]+ GiB of WebAssembly memory, which holds at most 4\.0 GiB; use a smaller --batch-size/)
  })

  it("--max-memory raises and lowers the limit, and is checked itself", () => {
    const low = descent(["train", "--data", data.dir, "--layers", "784,3000,10", "--max-memory", "300M", "--out", join(temporary("x"), "run")])
    expect(low.code).toBe(2)
    expectOneLine(low.stderr, /more than the limit of 300\.0 MiB; raise it with --max-memory/)
    const bad = descent(["train", "--data", data.dir, "--max-memory", "lots"])
    expect(bad.code).toBe(2)
    expectOneLine(bad.stderr, /--max-memory lots: give a size like 512M, 2G or 8G/)
    const evaluated = descent(["eval", "--model", model, "--data", data.dir, "--max-memory", "100M"])
    expect(evaluated.code).toBe(1)
    expectOneLine(evaluated.stderr, /more than the limit of/)
  })
})

describe("memory that followed a header's word", () => {
  it("a 2^31−1-label header in a small gzip is refused from the headers, without inflating it", () => {
    const bomb = tinyMnist(50, 20)
    const header = new Uint8Array([0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff])
    writeFileSync(join(bomb.dir, "train-labels-idx1-ubyte"), gzipSync(Buffer.concat([header, Buffer.alloc(64 * 1024 * 1024)])))
    const result = descent(["train", "--data", bomb.dir, "--out", join(temporary("x"), "run")])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /train-labels-idx1-ubyte: images and labels disagree in count \(50 images in .*, 2147483647 labels\)/)
    expect(result.peakRssMb!).toBeLessThan(250)
  })

  it("a model file too large to be one is refused from its size, in a short line", () => {
    const dir = temporary("large-model")
    const huge = join(dir, "model.json")
    writeFileSync(huge, "")
    truncateSync(huge, 600 * 1000 * 1000) // sparse: no 600 MB written
    const result = descent(["eval", "--model", huge, "--data", data.dir])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /model\.json: is 600 MB, more than the 500 MB a model file can be/)
    expect(result.peakRssMb!).toBeLessThan(250)
  })

  it("a 30 MB model whose fields are wrong makes a short error line, not one that echoes it", () => {
    const dir = temporary("echo")
    const file = join(dir, "model.json")
    const filler = "x".repeat(30 * 1024 * 1024)
    for (const [name, value] of [
      ["layers", { format: "descent-model", version: 1, layers: filler, activation: "sigmoid", output: "sigmoid", cost: "quadratic", params: [] }],
      ["top", [filler]],
      ["params", { format: "descent-model", version: 1, layers: [784, 10], activation: "sigmoid", output: "sigmoid", cost: "quadratic", params: [filler] }]
    ] as const) {
      writeFileSync(file, JSON.stringify(value))
      const result = descent(["eval", "--model", file, "--data", data.dir])
      expect(result.code, name).toBe(1)
      expectOneLine(result.stderr, /model\.json: /)
      expect(result.stderr.length, name).toBeLessThan(400)
    }
  })
})

describe("accepted nonsense", () => {
  const dir = temporary("nonsense")
  const trained = join(dir, "run")
  descent(["train", "--data", data.dir, "--layers", "784,10", "--epochs", "1", "--out", trained])
  const model = JSON.parse(readFileSync(join(trained, "model.json"), "utf8"))

  it("a model with 1, 5 or 11 outputs is not evaluated on digits", () => {
    for (const outputs of [1, 5, 11]) {
      const file = join(dir, `outputs-${outputs}.json`)
      writeFileSync(file, JSON.stringify({ ...model, layers: [784, outputs], params: new Array(785 * outputs).fill(0) }))
      for (const command of [["eval", "--model", file, "--data", data.dir], ["predict", "--model", file, "--index", "1", "--data", data.dir]]) {
        const result = descent(command)
        expect(result.code).toBe(1)
        expectOneLine(result.stderr, new RegExp(`the model has ${outputs} output neurons?, but the data's labels are the 10 digits`))
        expect(result.stdout).toBe("")
      }
    }
  })

  for (const [what, flags] of [
    ["η 1e6", ["--eta", "1e6"]],
    ["ReLU with η 30", ["--activation", "relu", "--cost", "cross-entropy", "--eta", "30"]]
  ] as const) {
    it(`${what}: a saturated run is reported, and --stop-when-stalled stops it`, () => {
      const common = ["train", "--data", data.dir, "--layers", "784,16,10", ...flags, "--epochs", "3"]
      const warned = descent([...common, "--out", join(temporary("stall"), "run")])
      expect(warned.code).toBe(0)
      const warnings = warned.stderr.split("\n").filter((line) => line.startsWith("warning:"))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/^warning: learning has stalled in epoch 1: test accuracy [\d.]+% is chance; .*(pinned|dead).*η = \d+ is probably too large; try a smaller --eta/)
      const out = join(temporary("stall"), "run")
      const stopped = descent([...common, "--stop-when-stalled", "--out", out])
      expect(stopped.code).toBe(1)
      expectOneLine(stopped.stderr.split("\n").filter((line) => line.startsWith("descent:")).join("\n"), /training stalled in epoch 1 and was stopped \(--stop-when-stalled\): .*try a smaller --eta/)
      const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"))
      expect(record.status).toBe("stalled")
      expect(record.epochs).toHaveLength(1)
    })
  }

  it("a run that learns is not reported as stalled (nor is a memorisation run, at chance by design)", () => {
    const learning = descent(["train", "--data", data.dir, "--layers", "784,16,10", "--epochs", "2", "--out", join(temporary("ok"), "run")])
    expect(learning.code).toBe(0)
    expect(learning.stderr).not.toMatch(/stalled/)
    const noise = tinyMnist(200, 50, true)
    const memorising = descent(["train", "--data", noise.dir, "--layers", "784,30,10", "--epochs", "3", "--shuffle-labels", "--subset", "100", "--out", join(temporary("ok"), "run")])
    expect(memorising.code).toBe(0)
    expect(memorising.stderr).not.toMatch(/stalled/)
  })
})

describe("messages that misled", () => {
  it("a folder where the model file should be says so", () => {
    const dir = temporary("folder-model")
    const result = descent(["eval", "--model", dir])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /: is a folder, not a file; give the path of a model file/)
  })

  it("a JSON error is one line, however the text around it is laid out", () => {
    const file = join(temporary("json"), "model.json")
    writeFileSync(file, '{\n  "format": "descent-model",\n\n  "layers": [784,\n 10,,\n]\n}')
    const result = descent(["eval", "--model", file])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /model\.json: not valid JSON/)
  })
})

describe("run folders, shared and moved", () => {
  it("runs started together with no --out each get a folder of their own", async () => {
    const cwd = temporary("together")
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => descentAsync(["train", "--data", data.dir, "--layers", "784,10", "--epochs", "2", "--eta", `0.${i}`], undefined, cwd))
    )
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0])
    const folders = readdirSync(join(cwd, "runs")).filter((name) => !name.startsWith("."))
    expect(folders).toHaveLength(4)
    const etas = folders.map((folder) => JSON.parse(readFileSync(join(cwd, "runs", folder, "run.json"), "utf8")).options.eta).sort()
    expect(etas).toEqual([0.1, 0.2, 0.3, 0.4])
  })

  it("a run goes into a new or an empty folder only", () => {
    const busy = temporary("busy")
    writeFileSync(join(busy, "notes.txt"), "mine")
    const result = descent(["train", "--data", data.dir, "--layers", "784,10", "--epochs", "1", "--out", busy])
    expect(result.code).toBe(2)
    expectOneLine(result.stderr, /--out .*: the folder is not empty .*give a new or an empty folder/)
    expect(readdirSync(busy)).toEqual(["notes.txt"])
  })

  it("--resume --data finds data that has moved, checked by its SHA-256", () => {
    const moving = tinyMnist(50, 20)
    const out = join(temporary("moved"), "run")
    expect(descent(["train", "--data", moving.dir, "--layers", "784,10", "--epochs", "2", "--out", out]).code).toBe(0)
    // The same run, as if it had been started for three epochs and stopped after two.
    const checkpoint = JSON.parse(readFileSync(join(out, "checkpoint.json"), "utf8"))
    const unfinished = (name: string) => {
      const dir = join(temporary("moved"), name)
      cpSync(out, dir, { recursive: true })
      writeFileSync(join(dir, "checkpoint.json"), JSON.stringify({ ...checkpoint, options: { ...checkpoint.options, epochs: 3 } }))
      return dir
    }
    const moved = `${moving.dir}-moved`
    renameSync(moving.dir, moved)
    const lost = descent(["train", "--resume", unfinished("lost")])
    expect(lost.code).toBe(1)
    expectOneLine(lost.stderr, /no such folder.*if it has moved, resume with --resume .* --data NEW_PLACE/)
    const other = tinyMnist(50, 20, true)
    const wrong = descent(["train", "--resume", unfinished("wrong"), "--data", other.dir])
    expect(wrong.code).toBe(1)
    expectOneLine(wrong.stderr, /train-images-idx3-ubyte is not the file this run started with \(its SHA-256 differs\)/)
    const dir = unfinished("found")
    const found = descent(["train", "--resume", dir, "--data", moved, "--json"])
    expect(found.code, found.stderr).toBe(0)
    const record = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"))
    expect(record.status).toBe("complete")
    expect(record.epochs).toHaveLength(3)
    expect(record.options.data.path).toBe(moved)
  })

  it("a checkpoint whose parameters were changed is refused, not trained on", () => {
    const out = join(temporary("tampered"), "run")
    expect(descent(["train", "--data", data.dir, "--layers", "784,10", "--epochs", "1", "--out", out]).code).toBe(0)
    const checkpoint = JSON.parse(readFileSync(join(out, "checkpoint.json"), "utf8"))
    const bytes = Buffer.from(checkpoint.params, "base64")
    bytes.writeDoubleLE(1e6, 8 * 100)
    writeFileSync(join(out, "checkpoint.json"), JSON.stringify({ ...checkpoint, params: bytes.toString("base64"), options: { ...checkpoint.options, epochs: 2 } }))
    const result = descent(["train", "--resume", out])
    expect(result.code).toBe(1)
    expectOneLine(result.stderr, /checkpoint\.json: field "params": the parameters do not hash to the SHA-256 recorded for epoch 1: the checkpoint is damaged/)
  })

  it("a record whose layers do not fit the data is refused in one line by replay and --resume, naming the file", () => {
    const out = join(temporary("layers"), "run")
    expect(descent(["train", "--data", data.dir, "--layers", "784,10", "--epochs", "1", "--out", out]).code).toBe(0)
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"))
    const file = join(out, "other.json")
    writeFileSync(file, JSON.stringify({ ...record, options: { ...record.options, layers: [100, 16, 10] } }))
    const replayed = descent(["replay", file])
    expect(replayed.code).toBe(1)
    expectOneLine(replayed.stderr, /other\.json: its layers 100,16,10: the first layer must have one neuron per pixel: 784/)
    const checkpoint = JSON.parse(readFileSync(join(out, "checkpoint.json"), "utf8"))
    const params = Buffer.alloc(8 * (100 * 16 + 16 + 16 * 10 + 10)).toString("base64")
    writeFileSync(join(out, "checkpoint.json"), JSON.stringify({ ...checkpoint, epochs: [], params, options: { ...checkpoint.options, layers: [100, 16, 10] } }))
    const resumed = descent(["train", "--resume", out])
    expect(resumed.code).toBe(1)
    expectOneLine(resumed.stderr, /checkpoint\.json: its layers 100,16,10: the first layer must have one neuron per pixel: 784/)
  })
})

describe("the terminal", () => {
  it("results that cannot be written (a full disk) are an error, after the work is done", () => {
    const out = join(temporary("full"), "run")
    const result = spawnSync(process.execPath, [cliPath, "train", "--data", data.dir, "--layers", "784,10", "--epochs", "2", "--out", out], {
      encoding: "utf8",
      stdio: ["ignore", openSync("/dev/full", "w"), "pipe"]
    })
    expect(result.status).toBe(1)
    expect(result.stderr.trim().split("\n").pop()).toBe("descent: cannot write the results to standard output (the disk is full); the work itself was done")
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).status).toBe("complete")
  })

  it("a reader that stops early (| head -1) leaves a finished run and exit 0", () => {
    const out = join(temporary("pipe"), "run")
    const result = spawnSync("sh", ["-c", `"${process.execPath}" "${cliPath}" train --data "${data.dir}" --layers 784,10 --epochs 30 --out "${out}" | head -1; exit \${PIPESTATUS:-0}`], {
      encoding: "utf8"
    })
    expect(result.stdout.trim().split("\n")).toHaveLength(1)
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"))
    expect(record.status).toBe("complete")
    expect(record.epochs).toHaveLength(30)
    expect(readdirSync(out).sort()).toEqual(["checkpoint.json", "model.json", "run.json"])
  })

  it("a folder that no longer exists as the current one, a flag given twice, an empty path, a URL of another kind", () => {
    const gone = temporary("gone")
    const inGone = spawnSync("sh", ["-c", `cd "${gone}" && rmdir "${gone}" && "${process.execPath}" "${cliPath}" eval --model m.json`], { encoding: "utf8" })
    expect(inGone.status).toBe(1)
    expectOneLine(inGone.stderr, /the current folder no longer exists/)
    const cases: Array<[Array<string>, RegExp]> = [
      [["train", "--epochs", "1", "--epochs", "2"], /--epochs is given twice; give each flag once/],
      [["train", "--out", ""], /--out is empty; give a path/],
      [["eval", "--model", ""], /--model is empty; give a path/],
      [["train", "--data", "file:///tmp/mnist"], /--data file:\/\/…: give a folder, or an http:\/\/ or https:\/\/ URL/],
      [["noise", "--model", "m.json", "--seed", "4294967297"], /--seed 4294967297: give a 32-bit integer/],
      [["train", "--epochs", "1000000000000"], /--epochs 1000000000000: at most 100000/]
    ]
    for (const [args, pattern] of cases) {
      const result = descent(args)
      expect(result.code, args.join(" ")).toBe(2)
      expectOneLine(result.stderr, pattern)
    }
  })
})

describe("memory of the analyses", () => {
  const dir = temporary("analyses")
  const trained = join(dir, "run")
  descent(["train", "--data", data.dir, "--layers", "784,10", "--epochs", "1", "--out", trained])

  it("noise of 100,000 images stays far below what it used to take (4 GB)", () => {
    const result = descent(["noise", "--model", join(trained, "model.json"), "--data", data.dir, "--count", "100000", "--json"])
    expect(result.code, result.stderr).toBe(0)
    expect(result.peakRssMb!).toBeLessThan(400)
  })

  it("plot refuses a chart over the limit, and draws one within it", () => {
    const record = JSON.parse(readFileSync(join(trained, "run.json"), "utf8"))
    const long = join(dir, "long.json")
    writeFileSync(long, JSON.stringify({ ...record, options: { ...record.options, epochs: 50000 }, epochs: Array.from({ length: 50000 }, (_, i) => ({ ...record.epochs[0], epoch: i + 1 })) }))
    const refused = descent(["plot", long, "--out", join(dir, "long.svg"), "--max-memory", "300M"])
    expect(refused.code).toBe(1)
    expectOneLine(refused.stderr, /long\.json: charting 50000 epochs would need about [\d.]+ MiB of memory, more than the limit of 300\.0 MiB/)
    expect(existsSync(join(dir, "long.svg"))).toBe(false)
  })
})
