// checkpoint.json: a damaged checkpoint — its parameters' base64, their length, the generator's
// state, the epochs — is refused with the field at fault in words a user can act on, never in a
// decoder's; a checkpoint that could not be read back is never written.
import { Memory, Network, Params, Rng } from "@descent/core"
import { Checkpoint } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { checkpoint, data, fileOf, folder, metrics, options } from "./records.js"

const refusal = (content: unknown) =>
  Effect.gen(function* () {
    const path = fileOf("checkpoint.json", content)
    const error = yield* Effect.flip(Checkpoint.read(path))
    expect(error._tag).toBe("FileFormatError")
    expect(error.message.endsWith("; is it a checkpoint written by descent?"), error.message).toBe(true)
    return error.message.slice(path.length + 2, -"; is it a checkpoint written by descent?".length)
  }).pipe(Effect.provide(NodeContext.layer))

describe("Checkpoint.read", () => {
  it.effect("reads a checkpoint as descent writes it", () =>
    Effect.gen(function* () {
      const back = yield* Checkpoint.read(fileOf("checkpoint.json", checkpoint()))
      expect(back.params.vector.length).toBe(12_730)
      expect(Array.from(back.params.vector).every((p) => p === 0.5)).toBe(true)
      expect(back.rng.state).toEqual([-1, 7, 123456789, -2147483648])
      expect(back.epochs.map((m) => m.epoch)).toEqual([1, 2])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("calls parameters that are not base64 damage, not by the decoder's words", () =>
    Effect.gen(function* () {
      for (const params of ["abc", "ab=c", "AAA!", "A".repeat(101_838) + "="]) {
        const message = yield* refusal({ ...checkpoint(), params })
        expect(message, params.slice(0, 8)).toBe('field "params": is not valid base64 (the checkpoint is damaged)')
      }
      expect(yield* refusal({ ...checkpoint(), params: 12 })).toBe('field "params": expected a string, found the number 12')
    }))

  it.effect("names the length of parameters that do not fit the layers, in bytes and in numbers", () =>
    Effect.gen(function* () {
      expect(yield* refusal({ ...checkpoint(), params: Buffer.alloc(75).toString("base64") })).toBe(
        'field "params": holds 75 bytes, not a whole number of float64 values; layers 784-16-10 need 12730 numbers (101840 bytes)'
      )
      expect(yield* refusal({ ...checkpoint(), params: Buffer.alloc(8 * 12_729).toString("base64") })).toBe(
        'field "params": holds 12729 numbers; layers 784-16-10 need 12730 numbers (101840 bytes)'
      )
      expect(yield* refusal({ ...checkpoint(), params: Buffer.alloc(8).toString("base64") })).toBe(
        'field "params": holds 1 number; layers 784-16-10 need 12730 numbers (101840 bytes)'
      )
      expect(yield* refusal({ ...checkpoint(), params: "" })).toBe(
        'field "params": holds 0 numbers; layers 784-16-10 need 12730 numbers (101840 bytes)'
      )
    }))

  it.effect("refuses a generator's state that is not four 32-bit integers, or is all zeros", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [[0, 0, 0, 0], "field \"rng\": the generator's state is all zeros: the checkpoint is damaged"],
        [[1, 2, 3, 2 ** 31], 'field "rng.3": expected a whole number between -2147483648 and 2147483647, found the number 2147483648'],
        [[1, 2, 3, 0.5], 'field "rng.3": expected a whole number, found the number 0.5'],
        [[1, 2, 3], 'field "rng.3": is missing'],
        ["seed", 'field "rng": expected an array of 4 items, found "seed"']
      ]
      for (const [rng, message] of cases) expect(yield* refusal({ ...checkpoint(), rng })).toBe(message)
    }))

  it.effect("reads a generator's state with some words zero (only all four zero is damage)", () =>
    Effect.gen(function* () {
      const back = yield* Checkpoint.read(fileOf("checkpoint.json", { ...checkpoint(), rng: [0, 0, 0, 1] }))
      expect(back.rng.state).toEqual([0, 0, 0, 1])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("an optimiser of one vector missing its state says it keeps one vector, in the singular", () =>
    Effect.gen(function* () {
      expect(yield* refusal({ ...checkpoint(), options: { ...options, optimizer: "momentum" } })).toBe(
        'field "optimizer": momentum keeps 1 vector of 12730 numbers (101840 bytes each), found none'
      )
    }))

  it.effect("refuses a checkpoint whose reading would go over the memory limit", () =>
    Effect.gen(function* () {
      const path = fileOf("checkpoint.json", checkpoint())
      const error = yield* Effect.flip(Checkpoint.read(path, Memory.limit(100_000, "raise it")))
      expect(error._tag).toBe("MemoryLimitError")
      expect(error.message).toBe(`${path}: reading this 138 kB checkpoint would need about 535.6 KiB of memory, more than the limit of 97.7 KiB; raise it`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("refuses epochs out of order or more than its options train", () =>
    Effect.gen(function* () {
      expect(yield* refusal({ ...checkpoint(), epochs: [1, 2, 4].map(metrics) })).toBe('field "epochs.2.epoch": is 4, but entry 3 must be epoch 3')
      expect(yield* refusal({ ...checkpoint(), epochs: [1, 2, 3, 4].map(metrics) })).toBe(
        'field "epochs": holds 4 epochs, more than the 3 its options train (options.epochs)'
      )
      expect(yield* refusal({ ...checkpoint(), epochs: [{ ...metrics(1), seconds: "1" }] })).toBe('field "epochs.0.seconds": expected a number, found "1"')
    }))

  it.effect("refuses options no network can be made of, rather than failing on them", () =>
    Effect.gen(function* () {
      expect(yield* refusal({ ...checkpoint(), options: { ...options, output: "softmax", cost: "quadratic" } })).toBe(
        'field "options.cost": a softmax output layer is trained with cross-entropy, not quadratic'
      )
    }))

  it.effect("says so when given the run record or the model instead", () =>
    Effect.gen(function* () {
      const path = fileOf("run.json", { format: "descent-run", version: 1 })
      const error = yield* Effect.flip(Checkpoint.read(path))
      expect(error.message).toBe(`${path}: this is a run record (run.json), not a checkpoint; the checkpoint is checkpoint.json in the same folder`)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("Checkpoint.write", () => {
  const network = Network.make({ sizes: [784, 16, 10] })
  const [params, rng] = Params.init(network.layout, Rng.make(3), "normal")
  const state = { options, numerics: "wasm-libm-1", data, epochs: [metrics(1)], params, optimizer: { steps: 0, moments: [] }, rng }

  it.effect("an optimiser's state comes back bit for bit (steps and each vector); a missing or short one is damage", () =>
    Effect.gen(function* () {
      const dir = folder()
      const path = join(dir, "checkpoint.json")
      const size = network.layout.size
      const [m] = Rng.gaussians(Rng.make(8), size)
      const [v] = Rng.uniforms(Rng.make(9), size)
      // Values whose bits a decimal round trip could lose: NaN payloads aside, every double.
      m[0] = -0
      m[1] = Number.MIN_VALUE
      v[2] = 1 / 3
      const adam = { ...state, options: { ...options, layers: [784, 16, 10], optimizer: "adam" as const, beta2: 0.99 }, optimizer: { steps: 6001, moments: [m, v] } }
      yield* Checkpoint.write(path, adam)
      const back = yield* Checkpoint.read(path)
      expect(back.optimizer.steps).toBe(6001)
      expect(back.optimizer.moments.map((moment) => Buffer.from(moment.buffer).toString("hex"))).toEqual(
        [m, v].map((moment) => Buffer.from(moment.buffer).toString("hex"))
      )
      expect(Params.equals(back.params, params)).toBe(true)
      const text = readFileSync(path, "utf8")
      const file = JSON.parse(text) as { optimizer: { steps: number; moments: Array<string> } }
      expect(file.optimizer.moments[1]).toBe(Buffer.from(v.buffer).toString("base64"))
      for (const [damage, problem] of [
        [{ ...file, optimizer: undefined }, "adam keeps 2 vectors of 12730 numbers (101840 bytes each), found none"],
        [{ ...file, optimizer: { ...file.optimizer, moments: [file.optimizer.moments[0]] } }, "adam keeps 2 vectors of 12730 numbers (101840 bytes each), found 101840 bytes"],
        [{ ...file, optimizer: { ...file.optimizer, moments: [file.optimizer.moments[0], "AAAA"] } }, "found 101840 bytes and 3 bytes"]
      ] as const) {
        writeFileSync(path, JSON.stringify(damage))
        const error = yield* Effect.flip(Checkpoint.read(path))
        expect(error.message).toContain(problem)
        expect(error.message).toMatch(/found [^;]*; is it a checkpoint written by descent\?$/)
      }
      // Plain descent's checkpoint has no such field: as before optimisers existed.
      yield* Checkpoint.write(path, state)
      expect(Object.keys(JSON.parse(readFileSync(path, "utf8")) as object)).not.toContain("optimizer")
      expect((yield* Checkpoint.read(path)).optimizer).toEqual({ steps: 0, moments: [] })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("writes the pretty JSON of the whole, ending in a newline, whatever its text fields hold", () =>
    Effect.gen(function* () {
      const path = join(folder(), "checkpoint.json")
      // Empty strings and quotes in the fields before the parameters: the base64 still goes in its own place.
      const odd = { file: "", sha256: 'say "hi"' }
      const m = Float64Array.from({ length: network.layout.size }, (_, i) => i / 7)
      const written = {
        ...state,
        options: { ...options, optimizer: "momentum" as const },
        data: { ...data, trainImages: odd },
        optimizer: { steps: 3, moments: [m] }
      }
      yield* Checkpoint.write(path, written)
      const text = readFileSync(path, "utf8")
      expect(text === JSON.stringify(JSON.parse(text), null, 2) + "\n").toBe(true)
      const back = yield* Checkpoint.read(path)
      expect(back.data.trainImages).toEqual(odd)
      expect(Params.equals(back.params, params)).toBe(true)
      expect(Buffer.from(back.optimizer.moments[0]!.buffer).equals(Buffer.from(m.buffer))).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("refuses to write a checkpoint descent could not read back, and leaves the old one", () =>
    Effect.gen(function* () {
      const path = join(folder(), "checkpoint.json")
      yield* Checkpoint.write(path, state)
      const before = readFileSync(path, "utf8")
      for (const [bad, problem] of [
        [{ ...state, epochs: [{ ...metrics(1), testCost: Infinity }] }, 'field "epochs.0.testCost": expected a finite number, found the number Infinity'],
        [{ ...state, epochs: [metrics(2)] }, 'field "epochs.0.epoch": is 2, but entry 1 must be epoch 1'],
        [{ ...state, rng: Rng.fromState([0, 0, 0, 0]) }, "field \"rng\": the generator's state is all zeros: the checkpoint is damaged"]
      ] as const) {
        const error = yield* Effect.flip(Checkpoint.write(path, bad))
        expect(error._tag).toBe("FileError")
        expect(error.message).toBe(`${path}: cannot write a checkpoint that would not read back: ${problem}`)
        expect(readFileSync(path, "utf8")).toBe(before)
      }
      expect(Params.equals((yield* Checkpoint.read(path)).params, params)).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))
})
