/**
 * A descent model as an ONNX file, and an ONNX file as a descent model.
 *
 * Written: opset 13, IR version 7, one `Gemm(transB=1)` per layer — descent's weights are
 * already (rows=out, cols=in), row-major, which is Gemm's B transposed — followed by that
 * layer's `Sigmoid`, `Relu` or `Softmax(axis=-1)`. The input is `input`, (batch, 784), with a
 * symbolic batch dimension; the output is `output`, (batch, 10). Tensors are float32 unless
 * float64 is asked for (ONNX's DOUBLE), little-endian in `raw_data`. The model's metadata
 * (`metadata_props`) names its layers, activations, cost and precision, the SHA-256 of its
 * float64 parameters (what `descent train` prints), and the seed and run it came from, when
 * known.
 *
 * Read: a chain of layers, each `Gemm` (with `transB` 0 or 1, `alpha` and `beta` folded into
 * the weights and biases) or `MatMul` then `Add`, each followed by `Sigmoid`, `Relu` or
 * `Softmax` on the last axis; weights and biases as FLOAT or DOUBLE initializers. Anything else
 * is refused, naming the node or tensor. The protobuf itself is ONNX's own schema
 * (`onnx-proto`, on protobufjs), never bytes by hand.
 *
 * Not for: running ONNX models (descent runs its own; ONNX Runtime runs these files), or graphs
 * that are not a stack of dense layers (convolutions, branches).
 *
 * @since 0.4.0
 */
import { Activation, Cost, Layout, type Memory, Network, Params, Precision } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import onnxProto from "onnx-proto"
import * as AtomicFile from "./AtomicFile.js"
import * as BoundedFile from "./BoundedFile.js"
import { ConversionError } from "./ConversionError.js"
import type { FileError, FileFormatError } from "./FileError.js"
import * as ModelFile from "./ModelFile.js"
import * as Provenance from "./Provenance.js"

const { onnx } = onnxProto

/**
 * The element type of the tensors written: ONNX's FLOAT or DOUBLE.
 *
 * @since 0.4.0
 * @category models
 */
export type DType = "float32" | "float64"

/**
 * @since 0.4.0
 * @category constants
 */
export const dtypes: readonly [DType, ...Array<DType>] = ["float32", "float64"]

/**
 * The operator set written (ONNX 1.8's), and the IR version that goes with it.
 *
 * @since 0.4.0
 * @category constants
 */
export const opset = 13

/**
 * @since 0.4.0
 * @category constants
 */
export const irVersion = 7

// TensorProto.DataType
const FLOAT = 1
const DOUBLE = 11
// AttributeProto.AttributeType
const INT = 2

/**
 * @since 0.4.0
 * @category models
 */
export interface WriteOptions {
  readonly dtype?: DType | undefined
  readonly source?: Provenance.Source | undefined
  /** descent's version, written as the producer's. */
  readonly producerVersion?: string | undefined
}

/**
 * The metadata an ONNX file of `model` carries: `Provenance.describe`'s fields as
 * `descent.<field in snake case>` ("descent.layers" = "784-16-16-10", "descent.params_sha256").
 *
 * @since 0.4.0
 * @category encoding
 */
export const metadataOf = (model: ModelFile.Model, source?: Provenance.Source): ReadonlyArray<readonly [string, string]> =>
  Object.entries(Provenance.describe(model, source)).map(([field, value]) => [
    `descent.${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`,
    String(value)
  ])

// Little-endian bytes of `values` in the element type (float32 rounds to nearest, as
// Math.fround does).
const rawData = (values: ArrayLike<number>, dtype: DType): Uint8Array => {
  const width = dtype === "float64" ? 8 : 4
  const bytes = new Uint8Array(values.length * width)
  const view = new DataView(bytes.buffer)
  if (dtype === "float64") for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true)
  else for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true)
  return bytes
}

const activationOp: { readonly [A in Activation.ActivationName]: string } = { sigmoid: "Sigmoid", relu: "Relu", softmax: "Softmax" }

/**
 * The bytes of an ONNX file of `model`.
 *
 * @since 0.4.0
 * @category encoding
 */
export const encode = (model: ModelFile.Model, options: WriteOptions = {}): Uint8Array => {
  const dtype = options.dtype ?? "float32"
  const elemType = dtype === "float64" ? DOUBLE : FLOAT
  const { layout } = model.network
  const depth = layout.layers.length
  const initializer: Array<onnxProto.onnx.ITensorProto> = []
  const node: Array<onnxProto.onnx.INodeProto> = []
  let value = "input"
  layout.layers.forEach((slot, l) => {
    const n = l + 1
    const weights = `layer${n}.weights`
    const biases = `layer${n}.biases`
    initializer.push(
      { name: weights, dims: [slot.outputs, slot.inputs], dataType: elemType, rawData: rawData(Params.weights(model.params, l), dtype) },
      { name: biases, dims: [slot.outputs], dataType: elemType, rawData: rawData(Params.biases(model.params, l), dtype) }
    )
    const z = `layer${n}.z`
    node.push({
      name: `layer${n}.gemm`,
      opType: "Gemm",
      input: [value, weights, biases],
      output: [z],
      attribute: [{ name: "transB", type: INT, i: 1 }]
    })
    const f = Network.activationOf(model.network, l)
    value = n === depth ? "output" : `layer${n}.a`
    node.push({
      name: `layer${n}.${f.name}`,
      opType: activationOp[f.name],
      input: [z],
      output: [value],
      attribute: f.name === "softmax" ? [{ name: "axis", type: INT, i: -1 }] : []
    })
  })
  const tensorOf = (size: number): onnxProto.onnx.ITypeProto => ({
    tensorType: { elemType, shape: { dim: [{ dimParam: "batch" }, { dimValue: size }] } }
  })
  const message = onnx.ModelProto.create({
    irVersion,
    opsetImport: [{ domain: "", version: opset }],
    producerName: "descent",
    producerVersion: options.producerVersion ?? "",
    docString: `${Layout.format(layout)} network trained by gradient descent with descent: ${model.network.hidden.name} hidden layers, ${model.network.output.name} output, ${model.network.cost.name} cost`,
    graph: {
      name: "descent",
      node,
      initializer,
      input: [{ name: "input", type: tensorOf(Layout.inputSize(layout)), docString: "pixels in [0, 1], one row per image" }],
      output: [{ name: "output", type: tensorOf(Layout.outputSize(layout)), docString: "the output layer's activations" }]
    },
    metadataProps: metadataOf(model, options.source).map(([key, value]) => ({ key, value }))
  })
  return onnx.ModelProto.encode(message).finish()
}

/**
 * Writes `model` as an ONNX file at `path`, atomically.
 *
 * @since 0.4.0
 * @category writing
 */
export const write = (
  path: string,
  model: ModelFile.Model,
  options: WriteOptions = {}
): Effect.Effect<void, FileError, FileSystem.FileSystem | Path.Path> =>
  Effect.suspend(() => AtomicFile.write(path, encode(model, options)))

/**
 * The longest ONNX file read: `ModelFile.maxParams` float64 numbers, and the rest.
 *
 * @since 0.4.0
 * @category constants
 */
export const maxBytes = ModelFile.maxParams * 8 + 1024 * 1024

/**
 * @since 0.4.0
 * @category models
 */
export interface ReadOptions {
  /** The cost to train the model with; when absent, the file's own (metadata), else cross-entropy for a softmax output and the chapter's quadratic cost for the rest. */
  readonly cost?: Cost.CostName | undefined
  readonly limit?: Memory.Limit | undefined
}

/**
 * The descent model an ONNX file describes.
 *
 * @since 0.4.0
 * @category decoding
 */
export const decode = (bytes: Uint8Array, path: string, options: ReadOptions = {}): Effect.Effect<ModelFile.Model, ConversionError> =>
  Effect.suspend(() => {
    const refuse = (problem: string) => Effect.fail(new ConversionError({ path, format: "onnx", problem }))
    let message: onnxProto.onnx.ModelProto
    try {
      message = onnx.ModelProto.decode(bytes)
    } catch (error) {
      const why = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 80)
      return refuse(`not an ONNX model: its protobuf is truncated or damaged (${why}); export the model again`)
    }
    const result = Graph.read(message, options.cost)
    return typeof result === "string" ? refuse(result) : Effect.succeed(result)
  })

/**
 * Reads the ONNX file at `path` as a descent model: its size checked first (at most `maxBytes`,
 * and within `limit` to read), then its graph, node by node.
 *
 * @since 0.4.0
 * @category reading
 */
export const read = (
  path: string,
  options: ReadOptions = {}
): Effect.Effect<ModelFile.Model, ConversionError | FileFormatError | FileError | Memory.MemoryLimitError, FileSystem.FileSystem> =>
  BoundedFile.read(path, "ONNX model", { maxBytes, limit: options.limit, memory: (n) => 4 * n }).pipe(
    Effect.flatMap((bytes) => decode(bytes, path, options))
  )

// Reading a graph: every check names what it refuses and what descent reads instead.
namespace Graph {
  type Int64 = number | { toNumber(): number } | null | undefined
  const int = (value: Int64): number => (value == null ? 0 : typeof value === "number" ? value : value.toNumber())

  interface Tensor {
    readonly dims: ReadonlyArray<number>
    readonly values: Float64Array
    /** DOUBLE, not FLOAT. */
    readonly double: boolean
  }

  const reads = "descent reads a chain of Gemm (or MatMul and Add) layers, each followed by Sigmoid, Relu or Softmax"

  const nodeName = (node: onnxProto.onnx.INodeProto, index: number): string =>
    `node ${node.name ? `"${node.name}" ` : `${index} `}(${node.opType ?? "no op_type"})`

  // An initializer's values as float64, or why it cannot be one.
  const tensorOf = (tensor: onnxProto.onnx.ITensorProto): Tensor | string => {
    const name = `tensor "${tensor.name ?? ""}"`
    const dims = (tensor.dims ?? []).map(int)
    if (dims.some((d) => !Number.isSafeInteger(d) || d < 1 || d > 1_000_000)) return `${name} has dimensions [${dims.join(", ")}]; a layer's are 1 to 1,000,000`
    const count = dims.reduce((a, b) => a * b, 1)
    if (count > ModelFile.maxParams) return `${name} has ${count.toLocaleString("en-US")} entries; a descent model holds at most ${ModelFile.maxParams.toLocaleString("en-US")}`
    const type = tensor.dataType ?? 0
    if (type !== FLOAT && type !== DOUBLE) {
      return `${name} is of ONNX data type ${type}; descent reads FLOAT (1) and DOUBLE (11) weights, so convert the model to float32 first`
    }
    if (tensor.dataLocation === 1 || (tensor.externalData?.length ?? 0) > 0) {
      return `${name} keeps its data in an external file; save the model with its weights inside (onnx.save_model(..., save_as_external_data=False))`
    }
    const values = new Float64Array(count)
    const raw = tensor.rawData ?? new Uint8Array(0)
    if (raw.length > 0) {
      const width = type === DOUBLE ? 8 : 4
      if (raw.length !== count * width) return `${name} has ${raw.length} bytes of data; its dimensions [${dims.join(", ")}] need ${count * width}`
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
      for (let i = 0; i < count; i++) values[i] = width === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true)
    } else {
      const data = (type === DOUBLE ? tensor.doubleData : tensor.floatData) ?? []
      if (data.length !== count) return `${name} has ${data.length} values; its dimensions [${dims.join(", ")}] need ${count}`
      for (let i = 0; i < count; i++) values[i] = data[i]!
    }
    for (let i = 0; i < count; i++) {
      if (!Number.isFinite(values[i]!)) return `${name} holds ${values[i]} at entry ${i}; every weight and bias must be a finite number`
    }
    return { dims, values, double: type === DOUBLE }
  }

  const attribute = (node: onnxProto.onnx.INodeProto, name: string): onnxProto.onnx.IAttributeProto | undefined =>
    (node.attribute ?? []).find((a) => a.name === name)
  const intAttribute = (node: onnxProto.onnx.INodeProto, name: string, fallback: number): number => {
    const found = attribute(node, name)
    return found === undefined ? fallback : int(found.i)
  }
  const floatAttribute = (node: onnxProto.onnx.INodeProto, name: string, fallback: number): number =>
    attribute(node, name)?.f ?? fallback

  interface Layer {
    // (rows=out, cols=in), row-major
    readonly weights: Float64Array
    readonly biases: Float64Array
    readonly inputs: number
    readonly outputs: number
    readonly activation: Activation.ActivationName
    readonly node: string
    /** Its weights were DOUBLE. */
    readonly double: boolean
  }

  const activations: Readonly<Record<string, Activation.ActivationName>> = { Sigmoid: "sigmoid", Relu: "relu", Softmax: "softmax" }

  /**
   * The model a decoded ONNX message describes, or why it describes none.
   */
  export const read = (message: onnxProto.onnx.ModelProto, cost: Cost.CostName | undefined): ModelFile.Model | string => {
    const graph = message.graph
    if (graph == null || (graph.node ?? []).length === 0) return "not an ONNX model of a network: it has no graph of nodes; export the model again"
    const domains = (message.opsetImport ?? []).filter((o) => o.domain == null || o.domain === "" || o.domain === "ai.onnx")
    if (domains.length === 0) return "imports no operator set of ONNX's own (ai.onnx); " + reads
    const metadata = new Map((message.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""]))

    const initializers = new Map<string, onnxProto.onnx.ITensorProto>()
    for (const tensor of graph.initializer ?? []) initializers.set(tensor.name ?? "", tensor)
    const tensor = (name: string | undefined): Tensor | string => {
      const found = initializers.get(name ?? "")
      return found === undefined ? `"${name ?? ""}" is not a weight tensor of the file (an initializer); ${reads}` : tensorOf(found)
    }
    const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ""))
    if (inputs.length !== 1) return `the graph has ${inputs.length} inputs besides its weights; descent reads a graph with one input, the images`
    const outputs = graph.output ?? []
    if (outputs.length !== 1) return `the graph has ${outputs.length} outputs; descent reads a graph with one output, the last layer's activations`
    const output = outputs[0]!.name ?? ""

    const nodes = graph.node ?? []
    const consumers = (value: string) => nodes.flatMap((node, index) => ((node.input ?? []).includes(value) ? [{ node, index }] : []))
    const next = (value: string, what: string): { node: onnxProto.onnx.INodeProto; index: number } | string => {
      const found = consumers(value)
      if (found.length === 0) return `"${value}" (${what}) goes to no node and is not the graph's output; ${reads}`
      if (found.length > 1) return `"${value}" (${what}) goes to ${found.length} nodes (${found.map((f) => nodeName(f.node, f.index)).join(", ")}); ${reads}, one after another`
      return found[0]!
    }
    const outputOf = (node: onnxProto.onnx.INodeProto, index: number): string | { readonly refused: string } =>
      (node.output ?? []).length === 1 ? node.output![0]! : { refused: `${nodeName(node, index)} has ${(node.output ?? []).length} outputs; descent's layers each have one` }

    const layers: Array<Layer> = []
    let value = inputs[0]!.name ?? ""
    let size = -1
    const shape = inputs[0]!.type?.tensorType?.shape?.dim ?? []
    if (shape.length === 2 && shape[1]!.dimValue != null) size = int(shape[1]!.dimValue)
    else if (shape.length !== 0 && shape.length !== 2) return `the graph's input "${value}" has ${shape.length} dimensions; descent reads (batch, pixels), so flatten the images before the first layer`

    while (value !== output || layers.length === 0) {
      if (value === output) return `the graph's output is its input; ${reads}`
      // The layer's linear part: Gemm, or MatMul then Add.
      const first = next(value, layers.length === 0 ? "the graph's input" : `layer ${layers.length}'s activations`)
      if (typeof first === "string") return first
      const { node, index } = first
      const name = nodeName(node, index)
      if (node.opType !== "Gemm" && node.opType !== "MatMul") return `${name} is not a layer descent has; ${reads}`
      if ((node.input ?? [])[0] !== value) return `${name} takes the activations as its second input; descent reads ${node.opType}(activations, weights${node.opType === "Gemm" ? ", biases" : ""})`
      const w = tensor(node.input![1])
      if (typeof w === "string") return `${name}: ${w}`
      if (w.dims.length !== 2) return `${name}: its weights have ${w.dims.length} dimensions, not 2`
      // (rows=out, cols=in) as descent keeps them: Gemm(transB=1)'s B as it is; MatMul's and
      // Gemm(transB=0)'s (in, out) transposed.
      const transB = node.opType === "Gemm" && intAttribute(node, "transB", 0) !== 0
      const [rows, cols] = transB ? [w.dims[0]!, w.dims[1]!] : [w.dims[1]!, w.dims[0]!]
      let weights = transB ? w.values : transpose(w.values, cols, rows)
      // The biases: a tensor of `rows` entries (any leading dimensions of 1), named by `where`.
      const biasesOf = (input: string | undefined, where: string): Float64Array | string => {
        const b = tensor(input)
        if (typeof b === "string") return `${where}: ${b}`
        return b.values.length === rows && b.dims.every((d, i) => d === 1 || i === b.dims.length - 1)
          ? b.values
          : `${where}: its biases have dimensions [${b.dims.join(", ")}]; the weights need [${rows}]`
      }
      let biases: Float64Array | string
      let z: string | { readonly refused: string }
      if (node.opType === "Gemm") {
        if (intAttribute(node, "transA", 0) !== 0) return `${name} transposes its input (transA=1); descent reads Gemm with transA=0`
        const alpha = floatAttribute(node, "alpha", 1)
        const beta = floatAttribute(node, "beta", 1)
        if (alpha !== 1) weights = weights.map((x) => alpha * x)
        const c = node.input![2]
        biases = c === undefined || c === "" ? new Float64Array(rows) : biasesOf(c, name)
        if (typeof biases !== "string" && beta !== 1) biases = biases.map((x) => beta * x)
        z = outputOf(node, index)
      } else {
        const product = outputOf(node, index)
        if (typeof product !== "string") return product.refused
        const add = next(product, `${name}'s output`)
        if (typeof add === "string") return add
        if (add.node.opType !== "Add") return `${name} is followed by ${nodeName(add.node, add.index)}; descent reads MatMul followed by Add (of the biases)`
        biases = biasesOf((add.node.input ?? []).find((input) => input !== product), nodeName(add.node, add.index))
        z = outputOf(add.node, add.index)
      }
      if (typeof biases === "string") return biases
      if (typeof z !== "string") return z.refused
      const layerName = `layer ${layers.length + 1} (${name})`
      if (size !== -1 && cols !== size) return `${layerName} takes ${cols} inputs, but the layer before it has ${size} neurons`
      // Its activation.
      if (z === output) return `${layerName} ends in no activation; descent's layers each end in Sigmoid, Relu or Softmax`
      const act = next(z, `${layerName}'s weighted input`)
      if (typeof act === "string") return act
      const activation = activations[act.node.opType ?? ""]
      if (activation === undefined) return `${nodeName(act.node, act.index)} follows ${layerName}, and is not an activation descent has (Sigmoid, Relu, Softmax)`
      if (activation === "softmax") {
        const axis = intAttribute(act.node, "axis", opsetOf(domains) >= 13 ? -1 : 1)
        if (axis !== -1 && axis !== 1) return `${nodeName(act.node, act.index)} takes the softmax over axis ${axis}; descent's is over the neurons (axis -1)`
      }
      const out = outputOf(act.node, act.index)
      if (typeof out !== "string") return out.refused
      layers.push({ weights, biases, inputs: cols, outputs: rows, activation, node: nodeName(act.node, act.index), double: w.double })
      size = rows
      value = out
    }

    const hidden = layers.slice(0, -1)
    const last = layers[layers.length - 1]!
    const hiddenName = hidden[0]?.activation ?? "sigmoid"
    const odd = hidden.find((layer) => layer.activation !== hiddenName || layer.activation === "softmax")
    if (odd !== undefined) {
      return odd.activation === "softmax"
        ? `${odd.node} is a softmax in a hidden layer; descent has softmax in the output layer only`
        : `${odd.node} is ${odd.activation}, but the first hidden layer is ${hiddenName}; descent's hidden layers share one activation`
    }
    const sizes = [layers[0]!.inputs, ...layers.map((layer) => layer.outputs)]
    const layout = Layout.make(sizes)
    const large = ModelFile.tooLarge(layout)
    if (large !== undefined) return large
    const named = metadata.get("descent.cost")
    const costName: Cost.CostName = cost ??
      (named !== undefined && (Cost.names as ReadonlyArray<string>).includes(named)
        ? named as Cost.CostName
        : last.activation === "softmax" ? "cross-entropy" : "quadratic")
    if (last.activation === "softmax" && costName !== "cross-entropy") return `a softmax output layer is trained with cross-entropy, not ${costName}`
    const precisionNamed = metadata.get("descent.precision")
    const precision: Precision.Precision = precisionNamed !== undefined && (Precision.all as ReadonlyArray<string>).includes(precisionNamed)
      ? precisionNamed as Precision.Precision
      : layers[0]!.double ? "f64" : "f32"
    const network = Network.make({ sizes, hidden: hiddenName, output: last.activation, cost: costName, precision })
    const vector = new Float64Array(layout.size)
    layers.forEach((layer, l) => {
      const slot = layout.layers[l]!
      vector.set(layer.weights, slot.weightsOffset)
      vector.set(layer.biases, slot.biasesOffset)
    })
    return { network, params: Params.unsafeFromArray(layout, vector) }
  }

  const opsetOf = (imports: ReadonlyArray<onnxProto.onnx.IOperatorSetIdProto>): number => Math.max(...imports.map((o) => int(o.version)))

  // (rows, cols) row-major → (cols, rows) row-major.
  const transpose = (values: Float64Array, rows: number, cols: number): Float64Array => {
    const out = new Float64Array(values.length)
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = values[i * cols + j]!
    return out
  }
}
