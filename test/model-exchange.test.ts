// Models that travel, checked where they land: `descent export` files run in real ONNX Runtime
// (onnxruntime-node) and real TensorFlow.js (tfjs-core + tfjs-layers on the pure-JavaScript CPU
// backend), installed into test/engines by the test command, on all 10,000 test images, with
// descent's own outputs as the reference; network2's JSON and ONNX come back in through
// `descent import`; bad files fail with one line, exit 1, and leave nothing behind.
import { Feedforward, Network, Params } from "@descent/core"
import * as NodeMnist from "@descent/data/NodeMnist"
import { ModelFile, RunRecord } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect } from "effect"
import onnxProto from "onnx-proto"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join, resolve } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { descent, expectOneErrorLine, jsonLines, temporary } from "./fixtures.js"

const engines = resolve(import.meta.dirname, "engines")
const fromEngines = createRequire(join(engines, "package.json"))
const { onnx } = onnxProto

interface OrtTensor { readonly data: Float32Array | Float64Array }
interface Ort {
  readonly InferenceSession: { create(bytes: Uint8Array): Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>> }> }
  readonly Tensor: new (type: string, data: Float32Array | Float64Array, dims: ReadonlyArray<number>) => unknown
}
const ort = (): Ort => fromEngines("onnxruntime-node") as Ort

const load = (path: string) => Effect.runPromise(ModelFile.read(path).pipe(Effect.provide(NodeContext.layer)))
const test = await Effect.runPromise(NodeMnist.loadBundled.pipe(Effect.provide(NodeContext.layer))).then((data) => data.test)
const images = test.count
const pixels = Float64Array.from(test.pixels, (p) => p / 255)

// descent's outputs for every test image, (images, 10).
const outputsOf = (network: Network.Network, params: Params.Params): Float64Array => {
  const out = new Float64Array(images * 10)
  for (let i = 0; i < images; i++) out.set(Feedforward.output(network, params, pixels.subarray(i * 784, (i + 1) * 784)), i * 10)
  return out
}
const answers = (outputs: ArrayLike<number>): Array<number> =>
  Array.from({ length: images }, (_, i) => Feedforward.argmax(outputs, i * 10, 10))
const accuracyOf = (outputs: ArrayLike<number>): number => answers(outputs).filter((digit, i) => digit === test.labels[i]).length / images
const largestDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length)
  let largest = 0
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]! - b[i]!))
  return largest
}
// What a file of float32 numbers can promise: descent's own outputs in f64 (`exact`), and in
// float32 arithmetic on the float32-rounded parameters (`float32`, descent's --precision f32).
// For the chapter's network, whose N(0, 1) weights sum 784 products of size ~1, float32 alone
// moves outputs by up to ~1e-5: a float32 runtime is checked to stay within twice that.
// Computed once per model file: the ONNX and TF.js tests compare against the same outputs.
const computed = new Map<string, { readonly exact: Float64Array; readonly float32: Float64Array }>()
const references = async (modelPath: string) => {
  const known = computed.get(modelPath)
  if (known !== undefined) return known
  const { network, params } = await load(modelPath)
  const { layout, hidden, output, cost } = network
  const make = (precision: "f64" | "f32") => Network.make({ sizes: layout.sizes, hidden: hidden.name, output: output.name, cost: cost.name, precision })
  const made = {
    exact: outputsOf(make("f64"), params),
    float32: outputsOf(make("f32"), Params.fromArray(layout, Array.from(params.vector, Math.fround)))
  }
  computed.set(modelPath, made)
  return made
}
const float32Error = (exact: Float64Array, float32: Float64Array): number => {
  const error = largestDifference(exact, float32)
  expect(error).toBeGreaterThan(0)
  return error
}
const evalAccuracy = (model: string): number => {
  const result = descent(["eval", "--model", model, "--json"])
  expect(result.code).toBe(0)
  return jsonLines(result.stdout)[0]!.accuracy as number
}

const runOnnx = async (file: string, dtype: "float32" | "float64"): Promise<Float32Array | Float64Array> => {
  const { InferenceSession, Tensor } = ort()
  const session = await InferenceSession.create(readFileSync(file))
  const input = dtype === "float64" ? pixels : Float32Array.from(pixels)
  return (await session.run({ input: new Tensor(dtype, input, [images, 784]) })).output!.data
}

// The chapter's network (sigmoid, quadratic cost, weights from N(0, 1)), and a ReLU-softmax one
// trained in f32: two runs, each with its run.json beside its model.
let folder: string
const chapter = () => join(folder, "chapter", "model.json")
const relu = () => join(folder, "relu", "model.json")
beforeAll(() => {
  folder = temporary("exchange")
  for (const [name, args] of [
    ["chapter", ["--epochs", "2"]],
    ["relu", ["--layers", "784,30,10", "--activation", "relu", "--output", "softmax", "--cost", "cross-entropy", "--init", "scaled", "--eta", "0.1", "--precision", "f32", "--epochs", "1", "--seed", "4"]]
  ] as const) {
    const trained = descent(["train", ...args, "--out", join(folder, name), "--json"])
    expect(trained.code, trained.stderr).toBe(0)
  }
}, 120_000)

describe("descent export --format onnx, in ONNX Runtime", () => {
  for (const which of ["chapter", "relu"] as const) {
    it(`${which}: float64 outputs within 1e-12 of descent's on all 10,000 test images, float32 the same answers, and both descent eval's accuracy`, async () => {
      const modelPath = which === "chapter" ? chapter() : relu()
      const model = await load(modelPath)
      const accuracy = evalAccuracy(modelPath)
      const { exact, float32 } = await references(modelPath)
      expect(accuracyOf(model.network.precision === "f64" ? exact : float32)).toBe(accuracy)
      for (const dtype of ["float64", "float32"] as const) {
        const file = join(folder, `${which}-${dtype}.onnx`)
        const exported = descent(["export", "--model", modelPath, "--format", "onnx", "--dtype", dtype, "--out", file, "--json"])
        expect(exported.code, exported.stderr).toBe(0)
        expect(jsonLines(exported.stdout)[0]).toMatchObject({ format: "onnx", dtype, opset: 13, layers: which === "chapter" ? "784-16-16-10" : "784-30-10" })
        const theirs = await runOnnx(file, dtype)
        expect(accuracyOf(theirs)).toBe(accuracy)
        expect(answers(theirs)).toEqual(answers(exact))
        if (dtype === "float64") expect(largestDifference(theirs, exact)).toBeLessThan(1e-12)
        else expect(largestDifference(theirs, exact)).toBeLessThan(2 * float32Error(exact, float32))
      }
    }, 120_000)
  }

  it("names the run it came from: seed, epochs and hash in the metadata; no seed for a model moved away from its run", () => {
    const file = join(folder, "named.onnx")
    expect(descent(["export", "--model", chapter(), "--format", "onnx", "--out", file]).code).toBe(0)
    const metadata = Object.fromEntries(onnx.ModelProto.decode(readFileSync(file)).metadataProps.map((p) => [p.key, p.value]))
    const record = JSON.parse(readFileSync(join(folder, "chapter", "run.json"), "utf8"))
    expect(metadata).toMatchObject({ "descent.seed": "1", "descent.epochs": "2", "descent.run_params_sha256": record.epochs[1].paramsSha256, "descent.params_sha256": record.epochs[1].paramsSha256 })
    const alone = join(folder, "alone")
    mkdirSync(alone)
    writeFileSync(join(alone, "model.json"), readFileSync(chapter()))
    const lone = descent(["export", "--model", join(alone, "model.json"), "--format", "onnx", "--out", join(alone, "m.onnx")])
    expect(lone.code).toBe(0)
    expect(lone.stdout).toMatch(/no run record beside the model matches it/)
    const keys = onnx.ModelProto.decode(readFileSync(join(alone, "m.onnx"))).metadataProps.map((p) => p.key)
    expect(keys).toContain("descent.params_sha256")
    expect(keys).not.toContain("descent.seed")
  })
})

describe("descent export --format tfjs, in TensorFlow.js", () => {
  it("loads with tf.io.fromMemory on the CPU backend and gives descent's answers on all 10,000 test images", async () => {
    const tf = fromEngines("@tensorflow/tfjs-core") as {
      setBackend(name: string): Promise<boolean>
      getBackend(): string
      tensor2d(values: Float32Array, shape: [number, number]): { dispose(): void }
      io: { fromMemory(artifacts: unknown): unknown }
    }
    fromEngines("@tensorflow/tfjs-backend-cpu")
    const layers = fromEngines("@tensorflow/tfjs-layers") as {
      loadLayersModel(handler: unknown): Promise<{ predict(x: unknown): { dataSync(): Float32Array; dispose(): void } }>
    }
    await tf.setBackend("cpu")
    expect(tf.getBackend()).toBe("cpu")
    for (const modelPath of [chapter(), relu()]) {
      const out = join(folder, `tfjs-${modelPath.includes("relu") ? "relu" : "chapter"}`)
      const exported = descent(["export", "--model", modelPath, "--format", "tfjs", "--out", out])
      expect(exported.code, exported.stderr).toBe(0)
      expect(readdirSync(out).sort()).toEqual(["group1-shard1of1.bin", "model.json"])
      const json = JSON.parse(readFileSync(join(out, "model.json"), "utf8"))
      const shard = readFileSync(join(out, "group1-shard1of1.bin"))
      const model = await layers.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength)
      }))
      const input = tf.tensor2d(Float32Array.from(pixels), [images, 784])
      const prediction = model.predict(input)
      const theirs = prediction.dataSync()
      prediction.dispose()
      input.dispose()
      const { exact, float32 } = await references(modelPath)
      expect(accuracyOf(theirs)).toBe(evalAccuracy(modelPath))
      expect(answers(theirs)).toEqual(answers(exact))
      expect(largestDifference(theirs, exact)).toBeLessThan(2 * float32Error(exact, float32))
    }
  }, 120_000)
})

describe("descent import", () => {
  it("network2 JSON: export, import, and the parameters hash unchanged", () => {
    const file = join(folder, "network2.json")
    expect(descent(["export", "--model", chapter(), "--format", "nielsen", "--out", file]).code).toBe(0)
    const back = join(folder, "from-network2.json")
    const imported = descent(["import", "--format", "nielsen", "--in", file, "--out", back, "--json"])
    expect(imported.code, imported.stderr).toBe(0)
    const record = JSON.parse(readFileSync(join(folder, "chapter", "run.json"), "utf8"))
    expect(jsonLines(imported.stdout)[0]).toMatchObject({ layers: "784-16-16-10", activation: "sigmoid", output: "sigmoid", cost: "quadratic", paramsSha256: record.epochs[1].paramsSha256 })
    expect(evalAccuracy(back)).toBe(evalAccuracy(chapter()))
  })

  it("a file as network2 writes it: its feedforward's outputs, computed here as network2 does, within 1e-12", async () => {
    // network2.py's save(): json.dump of {"sizes", "weights": [w.tolist()], "biases": [b.tolist()],
    // "cost": cost.__name__} — rows of weights, biases as columns, Python's separators and floats.
    const sizes = [784, 30, 10]
    let state = 12345
    const draw = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 2
    const weights = sizes.slice(1).map((rows, l) => Array.from({ length: rows }, () => Array.from({ length: sizes[l]! }, draw)))
    const biases = sizes.slice(1).map((rows) => Array.from({ length: rows }, () => [draw()]))
    const python = (value: unknown): string => (Array.isArray(value) ? `[${value.map(python).join(", ")}]` : String(value))
    const text = `{"sizes": [784, 30, 10], "weights": ${python(weights)}, "biases": ${python(biases)}, "cost": "CrossEntropyCost"}`
    const file = join(folder, "saved-by-network2.json")
    writeFileSync(file, text)
    const out = join(folder, "network2-model.json")
    const imported = descent(["import", "--format", "nielsen", "--in", file, "--out", out])
    expect(imported.code, imported.stderr).toBe(0)
    // network2's feedforward: a ← σ(w·a + b), layer by layer.
    const feedforward = (input: ArrayLike<number>): Array<number> => {
      let a = Array.from(input)
      for (let l = 0; l < weights.length; l++) a = weights[l]!.map((row, j) => 1 / (1 + Math.exp(-(row.reduce((s, w, k) => s + w * a[k]!, 0) + biases[l]![j]![0]!))))
      return a
    }
    const model = await load(out)
    expect(model.network.cost.name).toBe("cross-entropy")
    let largest = 0
    for (let i = 0; i < 500; i++) {
      const x = pixels.subarray(i * 784, (i + 1) * 784)
      largest = Math.max(largest, largestDifference(Feedforward.output(model.network, model.params, x), feedforward(x)))
    }
    expect(largest).toBeLessThan(1e-12)
  })

  it("ONNX of another tool's making (MatMul + Add, float64): descent's outputs are ONNX Runtime's for the same file", async () => {
    const DOUBLE = 11
    const w1 = Array.from({ length: 784 * 20 }, (_, i) => Math.sin(i * 12.9898) * 0.1) // (in, out), as PyTorch's exporter writes x @ W
    const b1 = Array.from({ length: 20 }, (_, i) => Math.cos(i) * 0.1)
    const w2 = Array.from({ length: 20 * 10 }, (_, i) => Math.sin(i * 78.233) * 0.5)
    const b2 = Array.from({ length: 10 }, (_, i) => i / 10 - 0.5)
    const tensor = (name: string, dims: Array<number>, values: Array<number>) => ({ name, dims, dataType: DOUBLE, rawData: new Uint8Array(Float64Array.from(values).buffer) })
    const value = (name: string, width: number) => ({ name, type: { tensorType: { elemType: DOUBLE, shape: { dim: [{ dimParam: "N" }, { dimValue: width }] } } } })
    const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 17 }],
      producerName: "pytorch",
      graph: {
        name: "main_graph",
        node: [
          { name: "/fc1/MatMul", opType: "MatMul", input: ["x", "fc1.weight"], output: ["/fc1/MatMul_output_0"] },
          { name: "/fc1/Add", opType: "Add", input: ["fc1.bias", "/fc1/MatMul_output_0"], output: ["/fc1/Add_output_0"] },
          { name: "/Relu", opType: "Relu", input: ["/fc1/Add_output_0"], output: ["/Relu_output_0"] },
          { name: "/fc2/MatMul", opType: "MatMul", input: ["/Relu_output_0", "fc2.weight"], output: ["/fc2/MatMul_output_0"] },
          { name: "/fc2/Add", opType: "Add", input: ["/fc2/MatMul_output_0", "fc2.bias"], output: ["/fc2/Add_output_0"] },
          { name: "/Softmax", opType: "Softmax", input: ["/fc2/Add_output_0"], output: ["probabilities"], attribute: [{ name: "axis", type: 2, i: 1 }] }
        ],
        initializer: [tensor("fc1.weight", [784, 20], w1), tensor("fc1.bias", [20], b1), tensor("fc2.weight", [20, 10], w2), tensor("fc2.bias", [10], b2)],
        input: [value("x", 784)],
        output: [value("probabilities", 10)]
      }
    })).finish()
    const file = join(folder, "torch.onnx")
    writeFileSync(file, bytes)
    const out = join(folder, "from-torch.json")
    const imported = descent(["import", "--format", "onnx", "--in", file, "--out", out, "--json"])
    expect(imported.code, imported.stderr).toBe(0)
    expect(jsonLines(imported.stdout)[0]).toMatchObject({ layers: "784-20-10", activation: "relu", output: "softmax", cost: "cross-entropy", precision: "f64" })
    const { InferenceSession, Tensor } = ort()
    const session = await InferenceSession.create(bytes)
    const theirs = (await session.run({ x: new Tensor("float64", pixels, [images, 784]) })).probabilities!.data
    const model = await load(out)
    expect(largestDifference(theirs, outputsOf(model.network, model.params))).toBeLessThan(1e-12)
    expect(accuracyOf(theirs)).toBe(evalAccuracy(out))
  }, 60_000)

  it("an ONNX export of descent's comes back as the same model: float64 every bit", () => {
    const file = join(folder, "chapter-float64.onnx")
    if (!existsSync(file)) expect(descent(["export", "--model", chapter(), "--format", "onnx", "--dtype", "float64", "--out", file]).code).toBe(0)
    const out = join(folder, "from-onnx.json")
    const imported = descent(["import", "--format", "onnx", "--in", file, "--out", out, "--json"])
    expect(imported.code, imported.stderr).toBe(0)
    const record = JSON.parse(readFileSync(join(folder, "chapter", "run.json"), "utf8"))
    expect(jsonLines(imported.stdout)[0]).toMatchObject({ cost: "quadratic", precision: "f64", paramsSha256: record.epochs[1].paramsSha256 })
  })
})

describe("bad files and flags", () => {
  it("a damaged or foreign file: one line naming it and what is wrong, exit 1, no model written", async () => {
    const dir = temporary("exchange-bad")
    const good = readFileSync(join(folder, "chapter-float64.onnx"))
    const changed = (edit: (graph: onnxProto.onnx.GraphProto) => void) => {
      const copy = onnx.ModelProto.decode(good)
      edit(copy.graph as onnxProto.onnx.GraphProto)
      return onnx.ModelProto.encode(copy).finish()
    }
    const nielsen = readFileSync(join(folder, "network2.json"), "utf8")
    const cases: ReadonlyArray<readonly [string, "onnx" | "nielsen", Uint8Array | string, RegExp]> = [
      ["truncated.onnx", "onnx", good.subarray(0, good.length - 5000), /truncated\.onnx: not an ONNX model: its protobuf is truncated or damaged/],
      ["conv.onnx", "onnx", changed((g) => (g.node[0]!.opType = "Conv")), /conv\.onnx: node "layer1\.gemm" \(Conv\) is not a layer descent has/],
      ["tanh.onnx", "onnx", changed((g) => (g.node[1]!.opType = "Tanh")), /node "layer1\.sigmoid" \(Tanh\) follows layer 1 .* not an activation descent has/],
      ["shape.onnx", "onnx", changed((g) => (g.initializer[2]!.dims = [16, 15])), /tensor "layer2\.weights" has \d+ bytes of data; its dimensions \[16, 15\] need 1920/],
      ["nan.onnx", "onnx", changed((g) => new DataView(g.initializer[0]!.rawData!.buffer, g.initializer[0]!.rawData!.byteOffset).setFloat64(80, NaN, true)), /tensor "layer1\.weights" holds NaN at entry 10/],
      ["nielsen-nan.json", "nielsen", nielsen.replace(/\[\[\[([-0-9.e]+),/, "[[[NaN,"), /nielsen-nan\.json: not valid JSON .*the network it saved had diverged/],
      ["nielsen-rows.json", "nielsen", nielsen.replace('"sizes": [784, 16, 16, 10]', '"sizes": [784, 16, 17, 10]'), /field "weights\[1\]": expected 17 rows/],
      ["nielsen-cut.json", "nielsen", nielsen.slice(0, 5000), /nielsen-cut\.json: not valid JSON/]
    ]
    for (const [name, format, content, pattern] of cases) {
      const file = join(dir, name)
      writeFileSync(file, content)
      const result = descent(["import", "--format", format, "--in", file, "--out", join(dir, "model.json")])
      expect(result.code, name).toBe(1)
      expectOneErrorLine(result.stderr, pattern)
    }
    const missing = descent(["import", "--format", "onnx", "--in", join(dir, "nowhere.onnx"), "--out", join(dir, "model.json")])
    expect(missing.code).toBe(1)
    expectOneErrorLine(missing.stderr, /nowhere\.onnx: no such file/)
    expect(readdirSync(dir).filter((f) => f === "model.json" || f.startsWith("."))).toEqual([])
  })

  it("exports the format cannot hold are refused before anything is written; flags that do not go together are usage errors", () => {
    const dir = temporary("exchange-flags")
    const softmax = descent(["export", "--model", relu(), "--format", "nielsen", "--out", join(dir, "n.json")])
    expect(softmax.code).toBe(1)
    expectOneErrorLine(softmax.stderr, /relu[\\/]model\.json: has relu hidden layers, and network2's layers are all sigmoid; export it as onnx or tfjs instead/)
    const dtype = descent(["export", "--model", chapter(), "--format", "tfjs", "--dtype", "float64", "--out", join(dir, "t")])
    expect(dtype.code).toBe(2)
    expectOneErrorLine(dtype.stderr, /--dtype is for --format onnx: TensorFlow\.js keeps weights as float32; drop --dtype/)
    const cost = descent(["import", "--format", "nielsen", "--cost", "quadratic", "--in", join(folder, "network2.json"), "--out", join(dir, "m.json")])
    expect(cost.code).toBe(2)
    expectOneErrorLine(cost.stderr, /--cost is for --format onnx/)
    const same = descent(["export", "--model", chapter(), "--format", "onnx", "--out", chapter()])
    expect(same.code).toBe(2)
    const format = descent(["export", "--model", chapter(), "--format", "keras", "--out", join(dir, "k")])
    expect(format.code).toBe(2)
    expect(format.stderr).toMatch(/onnx.*tfjs.*nielsen/)
    mkdirSync(join(dir, "full"))
    writeFileSync(join(dir, "full", "keep.txt"), "mine")
    const full = descent(["export", "--model", chapter(), "--format", "tfjs", "--out", join(dir, "full")])
    expect(full.code).toBe(1)
    expectOneErrorLine(full.stderr, /full: is a folder that is not empty/)
    expect(readdirSync(join(dir, "full"))).toEqual(["keep.txt"])
    expect(readdirSync(dir).sort()).toEqual(["full"])
  })
})

// The parameters a run record's last epoch hashes to are the model's: the chain above compares
// hashes made by the same function descent uses.
it("RunRecord.paramsSha256 is SHA-256 of the float64 bytes (the hash compared above)", async () => {
  const model = await load(chapter())
  const { createHash } = await import("node:crypto")
  expect(RunRecord.paramsSha256(model.params)).toBe(createHash("sha256").update(Params.toBytes(model.params)).digest("hex"))
})
