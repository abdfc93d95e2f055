/**
 * Michael Nielsen's network2 JSON — the file `network2.py`'s `Network.save` writes and `load`
 * reads, from the book the chapter's numbers come from — as a descent model, and back:
 *
 *   {"sizes": [784, 30, 10], "weights": [w.tolist() for w in self.weights],
 *    "biases": [b.tolist() for b in self.biases], "cost": "CrossEntropyCost"}
 *
 * Each weight matrix is a list of rows, (rows=out, cols=in), as descent keeps them; each bias
 * vector a column, one one-element row per neuron (`[[0.1], [-0.3], …]`). Every layer is a
 * sigmoid; the cost is `QuadraticCost` or `CrossEntropyCost`. Written as Python's `json.dump`
 * writes it: `", "` and `": "` between items, and each float as Python's `repr` spells it
 * (`1e-05`, `2.0`), so a file descent exports is byte for byte the one network2 would save.
 *
 * Not for: networks network2 cannot hold (ReLU or softmax layers): those are refused, and
 * travel as ONNX or TensorFlow.js instead.
 *
 * @since 0.4.0
 */
import { Layout, type Memory, Network, Params } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import * as AtomicFile from "./AtomicFile.js"
import * as BoundedFile from "./BoundedFile.js"
import { ConversionError } from "./ConversionError.js"
import type { FileError, FileFormatError } from "./FileError.js"
import * as JsonFile from "./JsonFile.js"
import * as ModelFile from "./ModelFile.js"
import { pythonFloat } from "./internal/python.js"

/**
 * network2's cost classes, by descent's names.
 *
 * @since 0.4.0
 * @category constants
 */
export const costClass = { quadratic: "QuadraticCost", "cross-entropy": "CrossEntropyCost" } as const

/**
 * Why `model` cannot be written as network2 JSON, or `undefined` when it can.
 *
 * @since 0.4.0
 * @category checks
 */
export const unfit = (model: ModelFile.Model): string | undefined => {
  const { hidden, output } = model.network
  const odd = hidden.name !== "sigmoid" && model.network.layout.layers.length > 1 ? `${hidden.name} hidden layers` : output.name !== "sigmoid" ? `a ${output.name} output layer` : undefined
  return odd === undefined
    ? undefined
    : `has ${odd}, and network2's layers are all sigmoid; export it as onnx or tfjs instead`
}

// The text of the file in pieces, a row of weights at a time.
function* pieces(model: ModelFile.Model): Generator<string> {
  const { layout } = model.network
  yield `{"sizes": [${layout.sizes.join(", ")}], "weights": [`
  for (let l = 0; l < layout.layers.length; l++) {
    const slot = layout.layers[l]!
    const weights = Params.weights(model.params, l) // (rows=out, cols=in)
    yield l === 0 ? "[" : ", ["
    for (let j = 0; j < slot.outputs; j++) {
      const row: Array<string> = []
      for (let k = 0; k < slot.inputs; k++) row.push(pythonFloat(weights[j * slot.inputs + k]!))
      yield `${j === 0 ? "" : ", "}[${row.join(", ")}]`
    }
    yield "]"
  }
  yield `], "biases": [`
  for (let l = 0; l < layout.layers.length; l++) {
    const biases = Params.biases(model.params, l) // (out), written as a column
    yield `${l === 0 ? "" : ", "}[${Array.from(biases, (b) => `[${pythonFloat(b)}]`).join(", ")}]`
  }
  yield `], "cost": "${costClass[model.network.cost.name]}"}`
}

/**
 * The text of `model` as network2 JSON, or why it cannot be.
 *
 * @since 0.4.0
 * @category encoding
 */
export const encode = (model: ModelFile.Model, path: string): Effect.Effect<string, ConversionError> =>
  Effect.suspend(() => {
    const problem = unfit(model)
    return problem === undefined
      ? Effect.succeed(Array.from(pieces(model)).join(""))
      : Effect.fail(new ConversionError({ path, format: "nielsen", problem }))
  })

/**
 * Writes `model` (read from `from`, named in errors) as network2 JSON at `path`, atomically, a
 * row at a time.
 *
 * @since 0.4.0
 * @category writing
 */
export const write = (
  path: string,
  model: ModelFile.Model,
  from: string = path
): Effect.Effect<void, ConversionError | FileError, FileSystem.FileSystem | Path.Path> =>
  Effect.suspend((): Effect.Effect<void, ConversionError | FileError, FileSystem.FileSystem | Path.Path> => {
    const problem = unfit(model)
    if (problem !== undefined) return Effect.fail(new ConversionError({ path: from, format: "nielsen", problem }))
    return AtomicFile.write(path, pieces(model))
  })

/**
 * The longest network2 file read: `ModelFile.maxParams` numbers of up to 25 characters with
 * their separators, and each bias's brackets.
 *
 * @since 0.4.0
 * @category constants
 */
export const maxBytes = Math.min(ModelFile.maxParams * 30 + 64 * 1024, JsonFile.maxStringLength)

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? `a list of ${value.length}` : typeof value === "string" ? "a string" : `a ${typeof value}`

/**
 * The descent model in a parsed network2 file, or why it is not one.
 *
 * @since 0.4.0
 * @category decoding
 */
export const fromJson = (json: unknown): ModelFile.Model | string => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return `expected network2's object of "sizes", "weights", "biases" and "cost", found ${describe(json)}`
  const data = json as Record<string, unknown>
  for (const key of ["sizes", "weights", "biases", "cost"]) {
    if (!Object.hasOwn(data, key)) return `field "${key}" is missing; network2's save() writes sizes, weights, biases and cost`
  }
  const sizes = data.sizes
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 1_000_000)) {
    return `field "sizes": expected a list of at least 2 layer sizes, each a whole number from 1 to 1,000,000`
  }
  const layout = Layout.make(sizes as Array<number>)
  const large = ModelFile.tooLarge(layout)
  if (large !== undefined) return `field "sizes": ${large}`
  const cost = data.cost
  const costName = cost === costClass.quadratic ? "quadratic" : cost === costClass["cross-entropy"] ? "cross-entropy" : undefined
  if (costName === undefined) return `field "cost": expected "QuadraticCost" or "CrossEntropyCost", found ${typeof cost === "string" ? JSON.stringify(cost.slice(0, 40)) : describe(cost)}`
  const { weights, biases } = data
  const layers = layout.layers.length
  if (!Array.isArray(weights) || weights.length !== layers) return `field "weights": expected ${layers} matrices for sizes ${sizes.join(", ")}, found ${describe(weights)}`
  if (!Array.isArray(biases) || biases.length !== layers) return `field "biases": expected ${layers} columns for sizes ${sizes.join(", ")}, found ${describe(biases)}`
  const vector = new Float64Array(layout.size)
  const number = (value: unknown, field: string): number | string =>
    typeof value === "number" && Number.isFinite(value) ? value : `field "${field}": expected a finite number, found ${typeof value === "number" ? String(value) : describe(value)}`
  for (let l = 0; l < layers; l++) {
    const slot = layout.layers[l]!
    const matrix = weights[l] as unknown
    if (!Array.isArray(matrix) || matrix.length !== slot.outputs) return `field "weights[${l}]": expected ${slot.outputs} rows (sizes[${l + 1}]), found ${describe(matrix)}`
    for (let j = 0; j < slot.outputs; j++) {
      const row = matrix[j] as unknown
      if (!Array.isArray(row) || row.length !== slot.inputs) return `field "weights[${l}][${j}]": expected a row of ${slot.inputs} weights (sizes[${l}]), found ${describe(row)}`
      for (let k = 0; k < slot.inputs; k++) {
        const w = number(row[k], `weights[${l}][${j}][${k}]`)
        if (typeof w === "string") return w
        vector[slot.weightsOffset + j * slot.inputs + k] = w
      }
    }
    const column = biases[l] as unknown
    if (!Array.isArray(column) || column.length !== slot.outputs) return `field "biases[${l}]": expected ${slot.outputs} biases (sizes[${l + 1}]), found ${describe(column)}`
    for (let j = 0; j < slot.outputs; j++) {
      const cell = column[j] as unknown
      if (!Array.isArray(cell) || cell.length !== 1) return `field "biases[${l}][${j}]": expected a one-element row [b], as numpy writes a column, found ${describe(cell)}`
      const b = number(cell[0], `biases[${l}][${j}][0]`)
      if (typeof b === "string") return b
      vector[slot.biasesOffset + j] = b
    }
  }
  const network = Network.make({ sizes: layout.sizes, hidden: "sigmoid", output: "sigmoid", cost: costName })
  return { network, params: Params.unsafeFromArray(layout, vector) }
}

/**
 * The descent model in the text of a network2 file.
 *
 * @since 0.4.0
 * @category decoding
 */
export const decode = (text: string, path: string): Effect.Effect<ModelFile.Model, ConversionError> =>
  Effect.suspend(() => {
    const refuse = (problem: string) => Effect.fail(new ConversionError({ path, format: "nielsen", problem }))
    if (JsonFile.depth(text) > JsonFile.maxDepth) return refuse(`its JSON nests more than ${JsonFile.maxDepth} levels deep; give a file written by network2's save()`)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      // NaN and Infinity are what Python's json writes for a diverged network: not JSON.
      const nan = /\bNaN\b|\bInfinity\b/.test(text.slice(0, 1 << 20)) ? "; it holds NaN or Infinity, so the network it saved had diverged" : ""
      const why = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 120)
      return refuse(`not valid JSON (${why})${nan}`)
    }
    const model = fromJson(json)
    return typeof model === "string" ? refuse(model) : Effect.succeed(model)
  })

/**
 * Reads the network2 file at `path` as a descent model: its size checked before a byte is read
 * (at most `maxBytes`, and within `limit`), then its shapes and numbers.
 *
 * @since 0.4.0
 * @category reading
 */
export const read = (
  path: string,
  limit?: Memory.Limit
): Effect.Effect<ModelFile.Model, ConversionError | FileFormatError | FileError | Memory.MemoryLimitError, FileSystem.FileSystem> =>
  BoundedFile.read(path, "network2 JSON file", { maxBytes, limit, memory: JsonFile.memoryToRead }).pipe(
    Effect.flatMap((bytes) => decode(new TextDecoder().decode(bytes), path))
  )
