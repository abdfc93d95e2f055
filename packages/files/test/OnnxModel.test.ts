// ONNX in and out, read through ONNX's own schema (onnx-proto) rather than through our writer:
// the graph is the one the module's header promises, float64 files keep every bit, float32
// files hold each parameter rounded to nearest, graphs made the way other tools make them
// (MatMul + Add, Gemm without transB, alpha and beta, float_data) read as the same network,
// and anything else is refused with one line naming the node or tensor.
import { Network, Params, Rng } from "@descent/core"
import { OnnxModel, RunRecord } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import onnxProto from "onnx-proto"
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { refusal } from "./conversion.js"

const { onnx } = onnxProto
const folder = () => mkdtempSync(join(tmpdir(), "descent-onnx-"))
const network = Network.make({ sizes: [784, 16, 16, 10] })
const [params] = Params.init(network.layout, Rng.make(3))
const model = { network, params }


// A graph as another tool would write it: `layers` in order, each [weights as (in, out) or
// (out, in), biases, activation].
const FLOAT = 1
const tensor = (name: string, dims: Array<number>, values: ArrayLike<number>, how: "raw" | "floatData" = "raw"): onnxProto.onnx.ITensorProto =>
  how === "raw"
    ? { name, dims, dataType: FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) }
    : { name, dims, dataType: FLOAT, floatData: Array.from(values) }
const graphOf = (nodes: Array<onnxProto.onnx.INodeProto>, initializer: Array<onnxProto.onnx.ITensorProto>, output = "y", inputs = 4): Uint8Array =>
  onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "other",
      node: nodes,
      initializer,
      input: [{ name: "x", type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: "N" }, { dimValue: inputs }] } } } }],
      output: [{ name: output }]
    }
  })).finish()

// A 4-3-2 network: W1 (out=3, in=4), b1, W2 (2, 3), b2, in descent's order.
const small = Network.make({ sizes: [4, 3, 2], hidden: "relu", output: "softmax", cost: "cross-entropy" })
const w1 = [0.5, -1, 0.25, 2, 1.5, 0.75, -0.5, 0.125, -2, 1, 0.5, 0.25]
const b1 = [0.1, -0.2, 0.3]
const w2 = [1, -1, 0.5, -0.25, 2, 0.75]
const b2 = [0.05, -0.05]
const transposed = (w: Array<number>, rows: number, cols: number) => Array.from({ length: w.length }, (_, i) => w[(i % rows) * cols + Math.floor(i / rows)]!)
const expected = Params.fromArray(small.layout, [...w1, ...b1, ...w2, ...b2].map(Math.fround))

describe("OnnxModel", () => {
  it("writes opset 13: Gemm(transB=1) and the activation per layer, a symbolic batch, and the metadata", () => {
    const source = { seed: 7, epochs: 30, paramsSha256: "a".repeat(64) }
    const message = onnx.ModelProto.decode(OnnxModel.encode(model, { source, producerVersion: "0.4.0" }))
    expect(Number(message.irVersion)).toBe(7)
    expect(message.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([["", 13]])
    expect(message.producerName).toBe("descent")
    const graph = message.graph as onnxProto.onnx.GraphProto
    expect(graph.node.map((n) => n.opType)).toEqual(["Gemm", "Sigmoid", "Gemm", "Sigmoid", "Gemm", "Sigmoid"])
    for (const gemm of graph.node.filter((n) => n.opType === "Gemm")) {
      expect(gemm.attribute!.map((a) => [a.name, Number(a.i)])).toEqual([["transB", 1]])
    }
    expect(graph.initializer.map((t) => [t.name, t.dims!.map(Number), t.dataType])).toEqual([
      ["layer1.weights", [16, 784], 1], ["layer1.biases", [16], 1],
      ["layer2.weights", [16, 16], 1], ["layer2.biases", [16], 1],
      ["layer3.weights", [10, 16], 1], ["layer3.biases", [10], 1]
    ])
    const dims = (v: onnxProto.onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))
    expect([graph.input.map((i) => i.name), graph.input.map(dims)]).toEqual([["input"], [["batch", 784]]])
    expect([graph.output.map((o) => o.name), graph.output.map(dims)]).toEqual([["output"], [["batch", 10]]])
    expect(Object.fromEntries(message.metadataProps.map((p) => [p.key, p.value]))).toEqual({
      "descent.layers": "784-16-16-10",
      "descent.activation": "sigmoid",
      "descent.output": "sigmoid",
      "descent.cost": "quadratic",
      "descent.precision": "f64",
      "descent.params_sha256": RunRecord.paramsSha256(params),
      "descent.seed": "7",
      "descent.epochs": "30",
      "descent.run_params_sha256": "a".repeat(64)
    })
    const softmax = Network.make({ sizes: [784, 10], output: "softmax", cost: "cross-entropy" })
    const last = (onnx.ModelProto.decode(OnnxModel.encode({ network: softmax, params: Params.init(softmax.layout, Rng.make(1))[0] })).graph as onnxProto.onnx.GraphProto).node[1] as onnxProto.onnx.NodeProto
    expect([last.opType, last.attribute.map((a) => [a.name, Number(a.i)])]).toEqual(["Softmax", [["axis", -1]]])
  })

  it("float32 tensors hold each parameter rounded to nearest; float64 ones every bit, weights (out, in) row-major", () => {
    for (const dtype of OnnxModel.dtypes) {
      const graph = onnx.ModelProto.decode(OnnxModel.encode(model, { dtype })).graph as onnxProto.onnx.GraphProto
      const raw = graph.initializer[0]!.rawData!
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
      const weights = Params.weights(params, 0)
      expect(graph.initializer[0]!.dataType).toBe(dtype === "float64" ? 11 : 1)
      expect(raw.byteLength).toBe(weights.length * (dtype === "float64" ? 8 : 4))
      for (let i = 0; i < weights.length; i++) {
        const stored = dtype === "float64" ? view.getFloat64(8 * i, true) : view.getFloat32(4 * i, true)
        expect(stored).toBe(dtype === "float64" ? weights[i] : Math.fround(weights[i]!))
      }
    }
  })

  it.effect("a float64 file reads back as the same model, bit for bit; a float32 one as its rounded parameters", () =>
    Effect.gen(function* () {
      const back = yield* OnnxModel.decode(OnnxModel.encode(model, { dtype: "float64" }), "m.onnx")
      expect(RunRecord.paramsSha256(back.params)).toBe(RunRecord.paramsSha256(params))
      expect([back.network.hidden.name, back.network.output.name, back.network.cost.name, back.network.precision]).toEqual(["sigmoid", "sigmoid", "quadratic", "f64"])
      const rounded = yield* OnnxModel.decode(OnnxModel.encode(model), "m.onnx")
      expect(Params.equals(rounded.params, Params.fromArray(network.layout, Array.from(params.vector, Math.fround)))).toBe(true)
      const dir = folder()
      yield* OnnxModel.write(join(dir, "m.onnx"), model, { dtype: "float64" })
      expect(readdirSync(dir)).toEqual(["m.onnx"])
      expect(Params.equals((yield* OnnxModel.read(join(dir, "m.onnx"))).params, params)).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("reads graphs as other tools write them: MatMul + Add with (in, out) weights, Gemm without transB, alpha and beta, float_data", () =>
    Effect.gen(function* () {
      const matmul = graphOf([
        { name: "fc1", opType: "MatMul", input: ["x", "W1"], output: ["m1"] },
        { name: "fc1.add", opType: "Add", input: ["m1", "b1"], output: ["z1"] },
        { name: "act1", opType: "Relu", input: ["z1"], output: ["a1"] },
        { name: "fc2", opType: "MatMul", input: ["a1", "W2"], output: ["m2"] },
        { name: "fc2.add", opType: "Add", input: ["b2", "m2"], output: ["z2"] },
        { name: "act2", opType: "Softmax", input: ["z2"], output: ["y"], attribute: [{ name: "axis", type: 2, i: 1 }] }
      ], [tensor("W1", [4, 3], transposed(w1, 3, 4)), tensor("b1", [3], b1), tensor("W2", [3, 2], transposed(w2, 2, 3), "floatData"), tensor("b2", [1, 2], b2)])
      const a = yield* OnnxModel.decode(matmul, "torch.onnx")
      expect(Params.equals(a.params, expected)).toBe(true)
      expect([a.network.layout.sizes, a.network.hidden.name, a.network.output.name, a.network.cost.name, a.network.precision]).toEqual([[4, 3, 2], "relu", "softmax", "cross-entropy", "f32"])
      // Gemm(transB=0) keeps (in, out); alpha scales the weights, beta the biases.
      const gemm = graphOf([
        { opType: "Gemm", input: ["x", "W1", "b1"], output: ["z1"], attribute: [{ name: "alpha", type: 1, f: 2 }, { name: "beta", type: 1, f: 0.5 }] },
        { opType: "Relu", input: ["z1"], output: ["a1"] },
        { opType: "Gemm", input: ["a1", "W2", "b2"], output: ["z2"], attribute: [{ name: "transB", type: 2, i: 1 }] },
        { opType: "Softmax", input: ["z2"], output: ["y"] }
      ], [tensor("W1", [4, 3], transposed(w1, 3, 4).map((w) => w / 2)), tensor("b1", [3], b1.map((b) => b * 2)), tensor("W2", [2, 3], w2), tensor("b2", [2], b2)])
      expect(Params.equals((yield* OnnxModel.decode(gemm, "keras.onnx")).params, expected)).toBe(true)
      // A sigmoid network without descent's metadata takes the chapter's cost unless told.
      const sigmoid = graphOf([
        { opType: "Gemm", input: ["x", "W1", "b1"], output: ["z1"], attribute: [{ name: "transB", type: 2, i: 1 }] },
        { opType: "Sigmoid", input: ["z1"], output: ["y"] }
      ], [tensor("W1", [3, 4], w1), tensor("b1", [3], b1)])
      expect((yield* OnnxModel.decode(sigmoid, "s.onnx")).network.cost.name).toBe("quadratic")
      expect((yield* OnnxModel.decode(sigmoid, "s.onnx", { cost: "cross-entropy" })).network.cost.name).toBe("cross-entropy")
    }))

  it.effect("refuses what is not a stack of dense layers, or not a network at all, naming the node or tensor", () =>
    Effect.gen(function* () {
      const gemm = (input: string, w: string, b: string, out: string, name?: string): onnxProto.onnx.INodeProto => ({ ...(name === undefined ? {} : { name }), opType: "Gemm", input: [input, w, b], output: [out], attribute: [{ name: "transB", type: 2, i: 1 }] })
      const weights = [tensor("W1", [3, 4], w1), tensor("b1", [3], b1), tensor("W2", [2, 3], w2), tensor("b2", [2], b2)]
      const good = [gemm("x", "W1", "b1", "z1"), { opType: "Sigmoid", input: ["z1"], output: ["a1"] }, gemm("a1", "W2", "b2", "z2"), { opType: "Sigmoid", input: ["z2"], output: ["y"] }]
      const bytes = OnnxModel.encode(model)
      const cases: ReadonlyArray<readonly [Uint8Array, RegExp]> = [
        [bytes.slice(0, bytes.length >> 1), /^m\.onnx: not an ONNX model: its protobuf is truncated or damaged \(.*\); export the model again$/],
        [new Uint8Array(0), /it has no graph of nodes/],
        [graphOf([{ name: "conv0", opType: "Conv", input: ["x", "W1"], output: ["c"] }, ...good.slice(1)], weights), /node "conv0" \(Conv\) is not a layer descent has; descent reads a chain of Gemm/],
        [graphOf([good[0]!, { name: "tanh1", opType: "Tanh", input: ["z1"], output: ["a1"] }, ...good.slice(2)], weights), /node "tanh1" \(Tanh\) follows layer 1 .* and is not an activation descent has/],
        [graphOf([gemm("x", "W1", "b1", "y")], weights), /layer 1 .* ends in no activation/],
        [graphOf(good, [tensor("W1", [3, 5], [...w1, 0, 0, 0]), ...weights.slice(1)]), /layer 1 .* takes 5 inputs, but the layer before it has 4 neurons/],
        [graphOf(good, [weights[0]!, tensor("b1", [2], [0, 0]), ...weights.slice(2)]), /its biases have dimensions \[2\]; the weights need \[3\]/],
        [graphOf(good, [tensor("W1", [3, 4], w1.map((w, i) => (i === 5 ? NaN : w))), ...weights.slice(1)]), /tensor "W1" holds NaN at entry 5; every weight and bias must be a finite number/],
        [graphOf(good, [{ name: "W1", dims: [3, 4], dataType: 3, rawData: new Uint8Array(12) }, ...weights.slice(1)]), /tensor "W1" is of ONNX data type 3; descent reads FLOAT \(1\) and DOUBLE \(11\)/],
        [graphOf(good, [{ name: "W1", dims: [3, 4], dataType: 1, rawData: new Uint8Array(20) }, ...weights.slice(1)]), /tensor "W1" has 20 bytes of data; its dimensions \[3, 4\] need 48/],
        [graphOf(good, weights.slice(1)), /"W1" is not a weight tensor of the file/],
        [graphOf([...good, { opType: "Relu", input: ["a1"], output: ["r"] }], weights), /"a1" \(layer 1's activations\) goes to 2 nodes/],
        [graphOf([gemm("x", "W1", "b1", "z1"), { opType: "Softmax", input: ["z1"], output: ["a1"] }, ...good.slice(2)], weights), /is a softmax in a hidden layer/],
        [graphOf([...good.slice(0, 3), { opType: "Softmax", input: ["z2"], output: ["y"], attribute: [{ name: "axis", type: 2, i: 0 }] }], weights), /takes the softmax over axis 0/]
      ]
      for (const [file, pattern] of cases) expect(yield* refusal(OnnxModel.decode(file, "m.onnx"))).toMatch(pattern)
      const path = join(folder(), "half.onnx")
      writeFileSync(path, bytes.slice(0, 1000))
      expect(yield* refusal(OnnxModel.read(path))).toMatch(new RegExp(`^${path}: not an ONNX model`))
    }).pipe(Effect.provide(NodeContext.layer)))
})
