// The options a run records: every value a run can take reads back from JSON as it was
// written, and nothing else does — a number JSON cannot hold (1e999 parses as Infinity, which
// JSON.stringify writes back as null), a size out of range, a seed no generator takes.
import { Activation, Augment, Numerics, Optimizer } from "@descent/core"
import { JsonFile, TrainingOptions } from "@descent/files"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"

const decode = Schema.decodeUnknownEither(TrainingOptions.TrainingOptions)
const problem = (patch: Record<string, unknown>): string => {
  const result = decode({ ...TrainingOptions.defaults, ...patch })
  if (Either.isRight(result)) throw new Error(`accepted ${JSON.stringify(patch)}`)
  return JsonFile.describeIssue(result.left)
}

describe("TrainingOptions", () => {
  it("refuses each number out of its range, naming the field and the range", () => {
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ eta: Infinity }, 'field "eta": expected a finite number, found the number Infinity'],
      [{ eta: 0 }, 'field "eta": expected a positive number, found the number 0'],
      [{ l2: Infinity }, 'field "l2": expected a finite number, found the number Infinity'],
      [{ l2: -0.5 }, 'field "l2": expected a number of 0 or more, found the number -0.5'],
      [{ etaDecay: 0 }, 'field "etaDecay": expected a positive number, found the number 0'],
      [{ etaDecay: 1.01 }, 'field "etaDecay": expected a number of 1 or less, found the number 1.01'],
      [{ etaDecay: -Infinity }, 'field "etaDecay": expected a finite number, found the number -Infinity'],
      [{ layers: [784] }, 'field "layers": expected at least 2 items, found an array of 1 item'],
      [{ layers: Array(1001).fill(10) }, 'field "layers": expected at most 1000 items, found an array of 1001 items'],
      [{ layers: [784, 0, 10] }, 'field "layers.1": expected a whole number between 1 and 1000000, found the number 0'],
      [{ layers: [784, 1_000_001, 10] }, 'field "layers.1": expected a whole number between 1 and 1000000, found the number 1000001'],
      [{ layers: [784, 2.5, 10] }, 'field "layers.1": expected a whole number, found the number 2.5'],
      [{ batchSize: 0 }, 'field "batchSize": expected a positive whole number, found the number 0'],
      [{ batchSize: 1e300 }, 'field "batchSize": expected a whole number, found the number 1e+300'],
      [{ epochs: 0 }, 'field "epochs": expected a whole number between 1 and 1000000, found the number 0'],
      [{ epochs: 1_000_001 }, 'field "epochs": expected a whole number between 1 and 1000000, found the number 1000001'],
      [{ seed: 2 ** 31 }, 'field "seed": expected a whole number between -2147483648 and 2147483647, found the number 2147483648'],
      [{ seed: -(2 ** 31) - 1 }, 'field "seed": expected a whole number between -2147483648 and 2147483647, found the number -2147483649'],
      [{ validation: -1 }, 'field "validation": expected a whole number of 0 or more, found the number -1'],
      [{ subset: 0 }, 'field "subset": expected a positive whole number or null, found the number 0'],
      [{ subset: "all" }, 'field "subset": expected a positive whole number or null, found "all"']
    ]
    for (const [patch, message] of cases) expect(problem(patch), JSON.stringify(patch).slice(0, 80)).toBe(message)
  })

  it("names every choice of a field that is one of several names", () => {
    expect(problem({ activation: "tanh" })).toBe(
      `field "activation": expected one of ${Activation.hiddenNames.map((name) => `"${name}"`).join(", ")}, found "tanh"`
    )
    expect(problem({ data: { kind: "ftp" } })).toBe('field "data.kind": expected one of "bundled", "directory", "url", found "ftp"')
    expect(problem({ data: "bundled" })).toBe('field "data": expected an object with kind, found "bundled"')
    expect(problem({ data: { kind: "directory" } })).toBe('field "data.path": is missing')
  })

  it("refuses a softmax output with another cost than cross-entropy (no network has it)", () => {
    expect(problem({ output: "softmax", cost: "quadratic" })).toBe('field "cost": a softmax output layer is trained with cross-entropy, not quadratic')
    expect(Either.isRight(decode({ ...TrainingOptions.defaults, output: "softmax", cost: "cross-entropy" }))).toBe(true)
  })

  it("accepts the ends of every range", () => {
    for (const patch of [
      { seed: -(2 ** 31) },
      { seed: 2 ** 31 - 1 },
      { eta: Number.MIN_VALUE, etaDecay: 1, l2: 0 },
      { etaDecay: Number.MIN_VALUE, l2: Number.MAX_VALUE },
      { layers: [1_000_000, 1], epochs: 1_000_000, batchSize: 1, validation: 0, subset: 1 },
      { layers: Array(1000).fill(1), subset: null }
    ]) {
      expect(Either.isRight(decode({ ...TrainingOptions.defaults, ...patch })), JSON.stringify(patch).slice(0, 80)).toBe(true)
    }
  })

  it("reads the options of descent 0.1, which had no output, etaDecay, l2, validation, subset, shuffleLabels or precision", () => {
    const {
      output: _o, etaDecay: _d, l2: _l, validation: _v, subset: _s, shuffleLabels: _x, precision: _p,
      optimizer: _z, warmup: _w, decayEvery: _e, etaMin: _m, ...old
    } = TrainingOptions.defaults
    expect(decode(old)).toEqual(Either.right(TrainingOptions.defaults))
  })

  it("reads the options of descent 0.3, which had no optimizer, schedule, precision or augment: sgd, and η·decayᵏ⁻¹ as then", () => {
    const {
      optimizer: _z, warmup: _w, decayEvery: _e, etaMin: _m, precision: _p, augment: _a, augmentStrength: _g, ...old
    } = { ...TrainingOptions.defaults, etaDecay: 0.95 }
    const options = Either.getOrThrow(decode(old))
    expect(options).toEqual({ ...TrainingOptions.defaults, etaDecay: 0.95 })
    expect(options.optimizer).toBe("sgd")
    expect(TrainingOptions.optimizerOf(options)).toEqual(Optimizer.sgd)
    expect(TrainingOptions.scheduleOf(options)).toBe("exponential")
    for (const epoch of [1, 2, 7, 30]) expect(TrainingOptions.etaOf(options, epoch)).toBe(3 * Numerics.pow(0.95, epoch - 1))
    expect(TrainingOptions.scheduleOf(TrainingOptions.defaults)).toBe("constant")
  })

  it("the learning rate of each epoch, by schedule and warm-up", () => {
    const base = { ...TrainingOptions.defaults, eta: 2, epochs: 10 }
    const etas = (patch: Partial<TrainingOptions.TrainingOptions>) =>
      Array.from({ length: 10 }, (_, k) => TrainingOptions.etaOf({ ...base, ...patch }, k + 1))
    expect(etas({})).toEqual(Array(10).fill(2))
    // Named, the constant schedule keeps η whatever etaDecay says.
    expect(etas({ schedule: "constant", etaDecay: 0.5 })).toEqual(Array(10).fill(2))
    expect(etas({ schedule: "step", etaDecay: 0.5, decayEvery: 3 })).toEqual([2, 2, 2, 1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    expect(etas({ schedule: "exponential", etaDecay: 0.5, warmup: 2 })).toEqual([1, 2, 2, 1, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625])
    const cosine = etas({ schedule: "cosine", etaMin: 0.2, warmup: 2 })
    expect(cosine.slice(0, 3)).toEqual([1, 2, 2])
    // Over the 8 epochs after the warm-up: 0.2 + 1.8·(1 + cos(π·j/8))/2 for j = 0…7.
    cosine.slice(2).forEach((eta, j) => expect(eta).toBeCloseTo(0.2 + (1.8 * (1 + Math.cos((Math.PI * j) / 8))) / 2, 14))
    expect(cosine[9]).toBeGreaterThan(0.2)
  })

  it("augments with the defaults times augmentStrength, and only when asked", () => {
    expect(TrainingOptions.augmentOf(TrainingOptions.defaults)).toBeUndefined()
    expect(TrainingOptions.augmentOf({ ...TrainingOptions.defaults, augment: true })).toEqual(Augment.defaults)
    const gentle = { ...TrainingOptions.defaults, augment: true, augmentStrength: 0.5 }
    expect(TrainingOptions.augmentOf(gentle)).toEqual(Augment.scaled(0.5))
    expect(TrainingOptions.commandLine(gentle)).toMatch(/ --augment --augment-strength 0\.5$/)
    expect(Either.isLeft(decode({ ...TrainingOptions.defaults, augmentStrength: 5 }))).toBe(true)
  })

  it("an optimiser's settings: the options' where given, else its defaults; the command line names only those given", () => {
    const adam = { ...TrainingOptions.defaults, optimizer: "adam" as const, beta2: 0.99 }
    expect(TrainingOptions.optimizerOf(adam)).toEqual(Optimizer.make("adam", { beta2: 0.99 }))
    expect(TrainingOptions.optimizerOf({ ...TrainingOptions.defaults, optimizer: "adamw", weightDecay: 0.1 }).decay).toBe(0.1)
    const every = { momentum: 0.8, beta1: 0.85, beta2: 0.99, epsilon: 1e-7, weightDecay: 0.1 }
    expect(TrainingOptions.optimizerOf({ ...TrainingOptions.defaults, optimizer: "adamw", ...every })).toEqual(
      Optimizer.make("adamw", { momentum: 0.8, beta1: 0.85, beta2: 0.99, epsilon: 1e-7, decay: 0.1 })
    )
    expect(TrainingOptions.commandLine(adam)).toMatch(/ --optimizer adam --beta2 0\.99 /)
    expect(TrainingOptions.commandLine({ ...TrainingOptions.defaults, schedule: "cosine", etaMin: 0.1, warmup: 3 })).toMatch(
      / --schedule cosine --eta-min 0\.1 --warmup 3 /
    )
    expect(TrainingOptions.flagsOf(TrainingOptions.defaults)).not.toContain("--optimizer")
    expect(Either.isLeft(decode({ ...TrainingOptions.defaults, optimizer: "adagrad" }))).toBe(true)
    expect(Either.isLeft(decode({ ...TrainingOptions.defaults, momentum: 1 }))).toBe(true)
  })

  it("trains in the precision it records: f64 unless it says f32, which the command line repeats", () => {
    const f32 = { ...TrainingOptions.defaults, precision: "f32" as const }
    expect(TrainingOptions.network(TrainingOptions.defaults).precision).toBe("f64")
    expect(TrainingOptions.network(f32).precision).toBe("f32")
    expect(TrainingOptions.flagsOf(TrainingOptions.defaults)).not.toContain("--precision")
    expect(TrainingOptions.commandLine(f32)).toMatch(/ --precision f32 /)
    expect(Either.isLeft(decode({ ...TrainingOptions.defaults, precision: "f16" }))).toBe(true)
  })

  it("writes as flags the options that differ from the defaults, in --help's order, and always the epochs and the seed", () => {
    expect(TrainingOptions.flagsOf(TrainingOptions.defaults)).toEqual(["--epochs", "30", "--seed", "1"])
    const url = { ...TrainingOptions.defaults, data: { kind: "url" as const, url: "https://example.org/mnist" } }
    expect(TrainingOptions.flagsOf(url)).toEqual(["--data", "https://example.org/mnist", "--epochs", "30", "--seed", "1"])
    const everything: TrainingOptions.TrainingOptions = {
      layers: [784, 30, 10], activation: "relu", output: "softmax", cost: "cross-entropy", precision: "f32", init: "scaled",
      eta: 0.5, schedule: "step", etaDecay: 0.5, decayEvery: 3, etaMin: 0.01, warmup: 2,
      optimizer: "adam", momentum: 0.8, beta1: 0.85, beta2: 0.99, epsilon: 1e-7, weightDecay: 0.1,
      l2: 5, batchSize: 20, epochs: 4, seed: 7, data: { kind: "directory", path: "/data/mnist" },
      validation: 1000, subset: 500, shuffleLabels: true, augment: true, augmentStrength: 2
    }
    expect(TrainingOptions.flagsOf(everything)).toEqual([
      "--data", "/data/mnist", "--layers", "784,30,10", "--activation", "relu", "--output", "softmax",
      "--cost", "cross-entropy", "--precision", "f32", "--init", "scaled", "--eta", "0.5", "--schedule", "step",
      "--eta-decay", "0.5", "--decay-every", "3", "--eta-min", "0.01", "--warmup", "2", "--optimizer", "adam",
      "--momentum", "0.8", "--beta1", "0.85", "--beta2", "0.99", "--epsilon", "1e-7", "--weight-decay", "0.1",
      "--l2", "5", "--batch-size", "20", "--epochs", "4", "--seed", "7", "--validation", "1000", "--subset", "500",
      "--shuffle-labels", "--augment", "--augment-strength", "2"
    ])
  })

  it("puts the command line together, single-quoting an argument the shell would split or expand", () => {
    const options = { ...TrainingOptions.defaults, data: { kind: "directory" as const, path: "my data/it's" } }
    expect(TrainingOptions.commandLine(options)).toBe("descent train --data 'my data/it'\\''s' --epochs 30 --seed 1")
    expect(TrainingOptions.commandLine(TrainingOptions.defaults)).toBe("descent train --epochs 30 --seed 1")
  })

  // The law the tightening is for: what the schema accepts is what descent can write and read back.
  it.prop(
    "every options value the schema accepts reads back from its JSON as the same value",
    { options: Arbitrary.make(TrainingOptions.TrainingOptions) },
    ({ options }) => {
      const text = JSON.stringify(Schema.encodeSync(TrainingOptions.TrainingOptions)(options))
      const back = decode(JSON.parse(text))
      expect(Either.isRight(back)).toBe(true)
      expect(JSON.stringify(Schema.encodeSync(TrainingOptions.TrainingOptions)(Either.getOrThrow(back)))).toBe(text)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop("no JSON number outside a field's range is accepted", { eta: fc.double(), seed: fc.double() }, ({ eta, seed }) => {
    const result = decode({ ...TrainingOptions.defaults, eta, seed })
    const fits = Number.isFinite(eta) && eta > 0 && Number.isInteger(seed) && seed >= -(2 ** 31) && seed < 2 ** 31
    expect(Either.isRight(result)).toBe(fits)
  })
})
