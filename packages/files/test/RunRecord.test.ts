// run.json: every record descent writes reads back, every record it reads is one a run could
// have made — finite numbers, accuracies in [0, 1], the epochs 1 to n in order — and a record
// that is not is refused with the field and the first entry at fault.
import { Memory } from "@descent/core"
import { RunRecord, TrainingOptions } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileOf, folder, metrics, runRecord } from "./records.js"

const refusal = (content: unknown) =>
  Effect.gen(function* () {
    const path = fileOf("run.json", content)
    const error = yield* Effect.flip(RunRecord.read(path))
    expect(error._tag).toBe("FileFormatError")
    expect(error.message.startsWith(`${path}: `)).toBe(true)
    expect(error.message.endsWith("; is it a run record written by descent?")).toBe(true)
    return error.message.slice(path.length + 2, -"; is it a run record written by descent?".length)
  }).pipe(Effect.provide(NodeContext.layer))

describe("RunRecord.read", () => {
  it.effect("reads a record as descent writes it, and one of descent 0.1 (no numerics, no newer options)", () =>
    Effect.gen(function* () {
      const record = runRecord()
      expect(yield* RunRecord.read(fileOf("run.json", record))).toEqual(record)
      const { numerics: _n, ...old } = record
      const { output: _o, etaDecay: _d, l2: _l, validation: _v, subset: _s, shuffleLabels: _x, ...oldOptions } = record.options
      const { engine: _e, ...oldEnvironment } = record.environment
      const back = yield* RunRecord.read(fileOf("run.json", { ...old, options: oldOptions, environment: oldEnvironment }))
      expect(back.numerics).toBe(RunRecord.engineNumerics)
      expect(back.options).toEqual(record.options)
      // Optional metrics, and a record of no epochs yet (a run that has just begun).
      const withAccuracies = { ...record, epochs: record.epochs.map((m) => ({ ...m, trainAccuracy: 1, validationAccuracy: 0 })) }
      expect((yield* RunRecord.read(fileOf("run.json", withAccuracies))).epochs[2]).toMatchObject({ trainAccuracy: 1, validationAccuracy: 0 })
      expect((yield* RunRecord.read(fileOf("run.json", { ...record, status: "running", epochs: [] }))).epochs).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("refuses 1e999 (Infinity) wherever a number is recorded, naming the field", () =>
    Effect.gen(function* () {
      const text = JSON.stringify(runRecord())
      const cases: ReadonlyArray<readonly [string, string]> = [
        ['"eta":3', 'field "options.eta"'],
        ['"l2":0', 'field "options.l2"'],
        ['"etaDecay":1', 'field "options.etaDecay"'],
        ['"seconds":1.5', 'field "epochs.0.seconds"'],
        ['"trainCost":0.25', 'field "epochs.0.trainCost"'],
        ['"testCost":0.05', 'field "epochs.0.testCost"']
      ]
      for (const [field, name] of cases) {
        expect(text.includes(field), field).toBe(true)
        const damaged = text.replace(field, `${field.split(":")[0]}:1e999`)
        expect(yield* refusal(damaged)).toBe(`${name}: expected a finite number, found the number Infinity`)
      }
      expect(yield* refusal(text.replace('"testAccuracy":0.9', '"testAccuracy":-1e999'))).toBe(
        'field "epochs.0.testAccuracy": expected a number between 0 and 1, found the number -Infinity'
      )
    }))

  it.effect("refuses metrics no epoch could report", () =>
    Effect.gen(function* () {
      const record = runRecord()
      const withMetric = (patch: Record<string, unknown>) => ({ ...record, epochs: [{ ...metrics(1), ...patch }, ...record.epochs.slice(1)] })
      const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
        [{ testAccuracy: 1.5 }, 'field "epochs.0.testAccuracy": expected a number between 0 and 1, found the number 1.5'],
        [{ trainAccuracy: -0.1 }, 'field "epochs.0.trainAccuracy": expected a number between 0 and 1, found the number -0.1'],
        [{ validationAccuracy: 2 }, 'field "epochs.0.validationAccuracy": expected a number between 0 and 1, found the number 2'],
        [{ seconds: -1 }, 'field "epochs.0.seconds": expected a number of 0 or more, found the number -1'],
        [{ paramsSha256: "AB".repeat(32) }, 'field "epochs.0.paramsSha256": expected a SHA-256: 64 hex digits, 0-9 and a-f, found a string of 64 characters'],
        [{ paramsSha256: "abc" }, 'field "epochs.0.paramsSha256": expected a SHA-256: 64 hex digits, 0-9 and a-f, found "abc"'],
        [{ epoch: 0 }, 'field "epochs.0.epoch": expected a positive whole number, found the number 0']
      ]
      for (const [patch, message] of cases) expect(yield* refusal(withMetric(patch))).toBe(message)
    }))

  it.effect("refuses epochs that are not 1 to n in order, naming the first entry at fault", () =>
    Effect.gen(function* () {
      const numbered = (epochs: ReadonlyArray<number>, planned = 10) => {
        const record = runRecord()
        return { ...record, options: { ...record.options, epochs: planned }, epochs: epochs.map(metrics) }
      }
      const cases: ReadonlyArray<readonly [ReadonlyArray<number>, string]> = [
        [[1, 2, 3, 4, 5, 6, 7, 1], 'field "epochs.7.epoch": is 1, but entry 8 must be epoch 8'],
        [[1, 1], 'field "epochs.1.epoch": is 1, but entry 2 must be epoch 2'],
        [[1, 3], 'field "epochs.1.epoch": is 3, but entry 2 must be epoch 2'],
        [[2, 3], 'field "epochs.0.epoch": is 2, but entry 1 must be epoch 1'],
        [[2, 1], 'field "epochs.0.epoch": is 2, but entry 1 must be epoch 1']
      ]
      for (const [epochs, message] of cases) expect(yield* refusal(numbered(epochs))).toBe(message)
      expect(yield* refusal(numbered([1, 2, 3, 4], 3))).toBe('field "epochs": holds 4 epochs, more than the 3 its options train (options.epochs)')
    }))

  it.effect("names every status a run can have", () =>
    Effect.gen(function* () {
      expect(yield* refusal({ ...runRecord(), status: "weird" })).toBe(
        'field "status": expected one of "running", "complete", "interrupted", "diverged", "stalled", found "weird"'
      )
    }))

  it.effect("says so when given the model or the checkpoint instead, and which file the record is", () =>
    Effect.gen(function* () {
      for (const [format, message] of [
        ["descent-model", "this is a model file (model.json), not a run record; the run record is run.json in the same folder"],
        ["descent-checkpoint", "this is a checkpoint (checkpoint.json), not a run record; the run record is run.json in the same folder"]
      ] as const) {
        const path = fileOf("x.json", { format, version: 1 })
        const error = yield* Effect.flip(RunRecord.read(path))
        expect(error._tag).toBe("FileFormatError")
        expect(error.message).toBe(`${path}: ${message}`)
      }
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("RunRecord.read within a memory limit", () => {
  it.effect("refuses a record whose reading would go over the limit", () =>
    Effect.gen(function* () {
      const path = fileOf("run.json", runRecord())
      const error = yield* Effect.flip(RunRecord.read(path, Memory.limit(1000, "raise it")))
      expect(error._tag).toBe("MemoryLimitError")
      expect(error.message.startsWith(`${path}: reading this `)).toBe(true)
      expect(error.message.endsWith("more than the limit of 1000 B; raise it")).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("RunRecord.fingerprints", () => {
  it("keeps the file name of each path or URL, not where it was", () => {
    const info = (path: string) => ({ path, sha256: "0".repeat(64) })
    const prints = RunRecord.fingerprints({
      trainImages: info("/home/me/mnist/train-images-idx3-ubyte"),
      trainLabels: info("C:\\mnist\\train-labels-idx1-ubyte"),
      testImages: info("https://example.org/mnist/t10k-images-idx3-ubyte"),
      testLabels: info("t10k-labels-idx1-ubyte")
    })
    expect(prints).toEqual({
      trainImages: { file: "train-images-idx3-ubyte", sha256: "0".repeat(64) },
      trainLabels: { file: "train-labels-idx1-ubyte", sha256: "0".repeat(64) },
      testImages: { file: "t10k-images-idx3-ubyte", sha256: "0".repeat(64) },
      testLabels: { file: "t10k-labels-idx1-ubyte", sha256: "0".repeat(64) }
    })
  })
})

describe("RunRecord.text", () => {
  it.effect("is the record as indented JSON ending in a newline", () =>
    Effect.gen(function* () {
      const record = yield* RunRecord.read(fileOf("run.json", runRecord()))
      expect(yield* RunRecord.text(record)).toBe(`${JSON.stringify(record, null, 2)}\n`)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("RunRecord.write", () => {
  it.effect("writes a record that reads back as it was", () =>
    Effect.gen(function* () {
      const path = join(folder(), "run.json")
      const record = yield* RunRecord.read(fileOf("run.json", runRecord()))
      yield* RunRecord.write(path, record)
      expect(yield* RunRecord.read(path)).toEqual(record)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("refuses to write a record descent could not read back, and leaves the old one", () =>
    Effect.gen(function* () {
      const path = join(folder(), "run.json")
      const record = yield* RunRecord.read(fileOf("run.json", runRecord()))
      yield* RunRecord.write(path, record)
      const before = readFileSync(path, "utf8")
      const bad: RunRecord.RunRecord = { ...record, epochs: [{ ...record.epochs[0]!, seconds: Infinity }] }
      const error = yield* Effect.flip(RunRecord.write(path, bad))
      expect(error.message).toBe(
        `${path}: cannot write a run record that would not read back: field "epochs.0.seconds": expected a finite number, found the number Infinity`
      )
      expect(readFileSync(path, "utf8")).toBe(before)
      const fresh = join(folder(), "run.json")
      yield* Effect.flip(RunRecord.write(fresh, { ...record, options: { ...TrainingOptions.defaults, eta: NaN } }))
      expect(existsSync(fresh)).toBe(false)
    }).pipe(Effect.provide(NodeContext.layer)))
})
