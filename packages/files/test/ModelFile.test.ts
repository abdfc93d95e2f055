// A model written by the library reads back bit for bit, through the same Schema the CLI uses;
// damaged files fail with the field at fault; writes are atomic.
import { Layout, Memory, Network, Params, Rng } from "@descent/core"
import { AtomicFile, Checkpoint, ModelFile, RunRecord, TrainingOptions } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const folder = () => mkdtempSync(join(tmpdir(), "descent-files-"))
const network = Network.make({ sizes: [784, 16, 10], hidden: "relu", output: "softmax", cost: "cross-entropy" })
const [params] = Params.init(network.layout, Rng.make(4), "scaled")

describe("ModelFile", () => {
  it.effect("writes a model that reads back with every bit of every parameter", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      yield* ModelFile.write(path, { network, params })
      const back = yield* ModelFile.read(path)
      expect(Params.equals(back.params, params)).toBe(true)
      expect([back.network.hidden.name, back.network.output.name, back.network.cost.name]).toEqual(["relu", "softmax", "cross-entropy"])
      expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ format: "descent-model", version: 1, layers: [784, 16, 10] })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("keeps a parameter of −0 as −0 (JSON.stringify would write 0, and the hash would change)", () =>
    Effect.gen(function* () {
      const signed = Params.fromArray(network.layout, Array.from(params.vector, (v, i) => (i % 7 === 0 ? -0 : v)))
      const path = join(folder(), "model.json")
      yield* ModelFile.write(path, { network, params: signed })
      const back = yield* ModelFile.read(path)
      expect(Object.is(back.params.vector[0], -0)).toBe(true)
      expect(RunRecord.paramsSha256(back.params)).toBe(RunRecord.paramsSha256(signed))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("an f32 model says so and reads back as one; an f64 model's file is as before 0.4.0, without the field", () =>
    Effect.gen(function* () {
      const single = Network.make({ sizes: [784, 16, 10], precision: "f32" })
      const [raw] = Params.init(single.layout, Rng.make(4), "scaled")
      const rounded = Params.fromArray(single.layout, Array.from(raw.vector, Math.fround))
      const path = join(folder(), "model.json")
      yield* ModelFile.write(path, { network: single, params: rounded })
      const back = yield* ModelFile.read(path)
      expect(back.network.precision).toBe("f32")
      expect(Params.equals(back.params, rounded)).toBe(true)
      expect(JSON.parse(readFileSync(path, "utf8")).precision).toBe("f32")
      const double = join(folder(), "model.json")
      yield* ModelFile.write(double, { network, params })
      expect(Object.keys(JSON.parse(readFileSync(double, "utf8")))).toEqual(["format", "version", "layers", "activation", "output", "cost", "params"])
      expect((yield* ModelFile.read(double)).network.precision).toBe("f64")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a damaged file fails in one line naming the file and the field", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      const encoded = ModelFile.encode({ network, params })
      writeFileSync(path, JSON.stringify({ ...encoded, params: encoded.params.slice(1) }))
      const error = yield* Effect.flip(ModelFile.read(path))
      expect(error._tag).toBe("FileFormatError")
      expect(error.message).toBe(`${path}: field "params": has 12729 entries; layers 784-16-10 need 12730; is it a model file written by descent?`)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("AtomicFile", () => {
  it.effect("replaces the file with a new one (a new inode) and leaves nothing else in the folder", () =>
    Effect.gen(function* () {
      const dir = folder()
      const path = join(dir, "a.json")
      writeFileSync(path, "old\n")
      const before = statSync(path).ino
      yield* AtomicFile.write(path, "new\n")
      expect(readFileSync(path, "utf8")).toBe("new\n")
      expect(statSync(path).ino).not.toBe(before)
      expect(readdirSync(dir)).toEqual(["a.json"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a write that cannot happen fails with the file named, and leaves no temporary file", () =>
    Effect.gen(function* () {
      const dir = folder()
      // The target is a folder: the rename over it fails after the temporary file was written.
      const error = yield* Effect.flip(AtomicFile.write(dir, "x"))
      expect(error.message).toMatch(new RegExp(`^${dir}: cannot write: `))
      expect(readdirSync(join(dir, ".."))).not.toContain(expect.stringMatching(/\.tmp$/))
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("RunRecord.paramsSha256", () => {
  it("is the SHA-256 of the parameters' float64 bytes", () => {
    const bytes = Buffer.from(Params.toBytes(params))
    expect(RunRecord.paramsSha256(params)).toBe(createHash("sha256").update(bytes).digest("hex"))
  })
})

describe("files written a piece at a time", () => {
  // 784-100-10: 79,510 parameters, more than one piece of model.json and of the checkpoint.
  const wide = Network.make({ sizes: [784, 100, 10] })
  const [wideParams, rng] = Params.init(wide.layout, Rng.make(9), "normal")

  it.effect("model.json holds exactly the text JSON.stringify would make of the whole", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      yield* ModelFile.write(path, { network: wide, params: wideParams })
      expect(readFileSync(path, "utf8") === JSON.stringify(ModelFile.encode({ network: wide, params: wideParams })) + "\n").toBe(true)
      expect(Params.equals((yield* ModelFile.read(path)).params, wideParams)).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a checkpoint's parameters come back bit for bit, as one base64 text", () =>
    Effect.gen(function* () {
      const path = join(folder(), "checkpoint.json")
      const fingerprint = { file: "f", sha256: "0".repeat(64) }
      const options = { ...TrainingOptions.defaults, layers: [784, 100, 10] }
      yield* Checkpoint.write(path, {
        options,
        numerics: "wasm-libm-1",
        data: { trainImages: fingerprint, trainLabels: fingerprint, testImages: fingerprint, testLabels: fingerprint },
        epochs: [],
        params: wideParams,
        optimizer: { steps: 0, moments: [] },
        rng
      })
      const text = JSON.parse(readFileSync(path, "utf8")) as { params: string }
      expect(text.params === Buffer.from(Params.toBytes(wideParams)).toString("base64")).toBe(true)
      const back = yield* Checkpoint.read(path)
      expect(Params.equals(back.params, wideParams)).toBe(true)
      expect(back.rng.state).toEqual(rng.state)
    }).pipe(Effect.provide(NodeContext.layer)))

  it("a network too large for a model file is named, with the limit", () => {
    expect(ModelFile.tooLarge(Network.make({ sizes: [784, 25000, 10] }).layout)).toBeUndefined()
    expect(ModelFile.tooLarge(Network.make({ sizes: [784, 30000, 10] }).layout)).toBe(
      "784-30000-10 has 23,850,010 weights and biases; a model file holds at most 20,000,000 (it is read back as one JavaScript string)"
    )
  })

  it("holds a network of exactly the most weights and biases it allows, and not one more", () => {
    // 999,999·20 weights and 20 biases: 20,000,000.
    expect(ModelFile.tooLarge(Layout.make([999_999, 20]))).toBeUndefined()
    expect(ModelFile.tooLarge(Layout.make([999_999, 20, 1]))).toContain("999999-20-1 has 20,000,021 weights and biases")
  })

  it.effect("a file naming layers too large for a model file says so in its \"layers\" field, before counting its params", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      writeFileSync(path, JSON.stringify({ ...ModelFile.encode({ network, params }), layers: [784, 30000, 10], params: [] }))
      const error = yield* Effect.flip(ModelFile.read(path))
      expect(error.message).toBe(
        `${path}: field "layers": 784-30000-10 has 23,850,010 weights and biases; a model file holds at most 20,000,000 (it is read back as one JavaScript string); is it a model file written by descent?`
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a model of exactly one piece of 65,536 parameters is written without a stray comma after it", () =>
    Effect.gen(function* () {
      // 255·256 weights and 256 biases: 65,536, one whole piece and nothing after it.
      const square = Network.make({ sizes: [255, 256] })
      const [squareParams] = Params.init(square.layout, Rng.make(5), "scaled")
      const path = join(folder(), "model.json")
      yield* ModelFile.write(path, { network: square, params: squareParams })
      expect(readFileSync(path, "utf8")).toBe(JSON.stringify(ModelFile.encode({ network: square, params: squareParams })) + "\n")
      expect(Params.equals((yield* ModelFile.read(path)).params, squareParams)).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("refuses a model whose reading would go over the memory limit", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      yield* ModelFile.write(path, { network, params })
      const error = yield* Effect.flip(ModelFile.read(path, Memory.limit(100_000, "raise it")))
      expect(error._tag).toBe("MemoryLimitError")
      expect(error.message).toMatch(new RegExp(`^${path}: reading this .* model file would need about .* of memory, more than the limit of 97.7 KiB; raise it$`))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a parameter that is not a finite number is named by its index", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      const encoded = ModelFile.encode({ network, params })
      writeFileSync(path, JSON.stringify({ ...encoded, params: encoded.params.map((p, i) => (i === 1234 ? "NaN" : p)) }))
      const error = yield* Effect.flip(ModelFile.read(path))
      expect(error.message).toBe(`${path}: field "params.1234": expected a finite number, found a string; is it a model file written by descent?`)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("ModelFile.read of another file", () => {
  it.effect("a run record or a checkpoint given as the model says which file the model is", () =>
    Effect.gen(function* () {
      for (const [name, format, what] of [
        ["run.json", "descent-run", "a run record (run.json)"],
        ["checkpoint.json", "descent-checkpoint", "a checkpoint (checkpoint.json)"]
      ] as const) {
        const path = join(folder(), name)
        writeFileSync(path, JSON.stringify({ format, version: 1, status: "complete" }))
        const error = yield* Effect.flip(ModelFile.read(path))
        expect(error._tag).toBe("FileFormatError")
        expect(error.message).toBe(`${path}: this is ${what}, not a model file; the model is model.json in the same folder`)
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a format that is not descent's is named as the field at fault", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      writeFileSync(path, JSON.stringify({ ...ModelFile.encode({ network, params }), format: "keras" }))
      const error = yield* Effect.flip(ModelFile.read(path))
      expect(error.message).toBe(`${path}: field "format": expected "descent-model", found "keras"; is it a model file written by descent?`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a softmax output trained with anything but cross-entropy is refused in its \"cost\" field", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      writeFileSync(path, JSON.stringify({ ...ModelFile.encode({ network, params }), cost: "quadratic" }))
      const error = yield* Effect.flip(ModelFile.read(path))
      expect(error.message).toBe(`${path}: field "cost": a softmax output layer is trained with cross-entropy, not quadratic; is it a model file written by descent?`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("an activation not in core's table is refused naming every one that is", () =>
    Effect.gen(function* () {
      const path = join(folder(), "model.json")
      writeFileSync(path, JSON.stringify({ ...ModelFile.encode({ network, params }), activation: "tanh" }))
      const error = yield* Effect.flip(ModelFile.read(path))
      expect(error.message).toBe(`${path}: field "activation": expected one of "sigmoid", "relu", found "tanh"; is it a model file written by descent?`)
    }).pipe(Effect.provide(NodeContext.layer)))
})
