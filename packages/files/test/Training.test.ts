// A training run, one epoch at a time, checked against the chapter's steps taken one by one with
// the library (Params.init, Batches.epoch, Descent.descendWithState, Evaluate.evaluate): the sets
// a run begins with, each epoch's parameters and metrics, the generator it leaves, and what its
// observer hears and can stop. The CLI runs this module bundled, where a mutant of its source
// does not reach, so these are the tests that see Training.ts itself.
import { Augment, Batches, Dataset, Descent, Evaluate, Layout, Numerics, Optimizer, Params, Rng, Saturation } from "@descent/core"
import { RunRecord, Training, TrainingOptions } from "@descent/files"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Exit } from "effect"

/**
 * `count` 4×4 images a small network learns within an epoch or two: one row bright (160 and
 * up), the rest dark (below 96), the label the bright row's index (0–3). Drawn from `seed`.
 */
const rows = (seed: number, count: number): Dataset.Dataset => {
  const [draws] = Rng.uniforms(Rng.make(seed), count * 17)
  const labels = Uint8Array.from({ length: count }, (_, i) => Math.floor(draws[i * 17]! * 4))
  const pixels = Uint8Array.from({ length: count * 16 }, (_, p) => {
    const image = Math.floor(p / 16)
    const bright = Math.floor((p % 16) / 4) === labels[image]
    return (bright ? 160 : 0) + Math.floor(draws[image * 17 + 1 + (p % 16)]! * 96)
  })
  return Dataset.make({ rows: 4, cols: 4, pixels, labels })
}

const data = { train: rows(1, 100), test: rows(2, 40) }
const small = (patch: Partial<TrainingOptions.TrainingOptions>): TrainingOptions.TrainingOptions => ({
  ...TrainingOptions.defaults,
  layers: [16, 6, 10],
  eta: 1,
  epochs: 3,
  seed: 3,
  ...patch
})

/** A clock whose every reading is 1.5 s after the last: an epoch reads it twice, so takes 1.5 s. */
const ticking = (): Clock.Clock => {
  let nanos = 0n
  const system = Clock.make()
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => Number(nanos / 1_000_000n),
    currentTimeMillis: Effect.sync(() => Number(nanos / 1_000_000n)),
    unsafeCurrentTimeNanos: () => nanos,
    currentTimeNanos: Effect.sync(() => (nanos += 1_500_000_000n)),
    sleep: (duration) => system.sleep(duration)
  }
}

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect.pipe(Effect.withClock(ticking())))
const runExit = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromiseExit(effect.pipe(Effect.withClock(ticking())))

/** An observer that writes down every step, and asks to stop when `stopAfter` steps are heard. */
const listener = (stopAfter = Infinity) => {
  const steps: Array<readonly [number, number, number, number]> = []
  let turns = 0
  const observer: Training.Observer = {
    onStep: (epoch, done, total, cost) => void steps.push([epoch, done, total, cost]),
    stopRequested: () => steps.length >= stopAfter,
    turn: Effect.sync(() => void turns++)
  }
  return { observer, steps, turns: () => turns }
}

const pixelsOf = (dataset: Dataset.Dataset) => Array.from(dataset.pixels)

describe("Training.begin", () => {
  it("draws the parameters from the seed, then the labels' permutation; holds out the last images; keeps the first `subset`", () => {
    const options = small({ validation: 20, subset: 50, shuffleLabels: true })
    const { sets, state } = Training.begin(options, data)
    const network = TrainingOptions.network(options)
    const [params, afterInit] = Params.init(network.layout, Rng.make(3), "normal")
    const [order, afterOrder] = Rng.permutation(afterInit, 50)

    expect(Array.from(state.params.vector)).toEqual(Array.from(params.vector))
    expect(Rng.equals(state.rng, afterOrder)).toBe(true)
    expect(state.epochs).toEqual([])
    expect(state.options).toBe(options)
    expect(state.network.layout.sizes).toEqual([16, 6, 10])
    expect(state.optimizer).toEqual(Optimizer.initial(Optimizer.sgd, network.layout))
    expect(sets.test).toBe(data.test)
    expect(sets.augmented).toBeUndefined()

    expect(sets.train.count).toBe(50)
    expect(pixelsOf(sets.train)).toEqual(pixelsOf(Dataset.take(data.train, 50)))
    expect(Array.from(sets.train.labels)).toEqual(Array.from(order, (i) => data.train.labels[i]))
    // The permutation moved labels (else the check above could not tell it from none).
    expect(Array.from(sets.train.labels)).not.toEqual(Array.from(data.train.labels).slice(0, 50))

    expect(sets.validation?.count).toBe(20)
    expect(pixelsOf(sets.validation!)).toEqual(pixelsOf(Dataset.slice(data.train, 80, 100)))
    expect(Array.from(sets.validation!.labels)).toEqual(Array.from(data.train.labels).slice(80, 100))
  })

  it("without a subset learns from every image not held out, with the labels as they are and the generator as init left it", () => {
    const options = small({ validation: 30, init: "scaled" })
    const { sets, state } = Training.begin(options, data)
    const [params, afterInit] = Params.init(TrainingOptions.network(options).layout, Rng.make(3), "scaled")
    expect(Array.from(state.params.vector)).toEqual(Array.from(params.vector))
    expect(Rng.equals(state.rng, afterInit)).toBe(true)
    expect(sets.train.count).toBe(70)
    expect(Array.from(sets.train.labels)).toEqual(Array.from(data.train.labels).slice(0, 70))
    expect(sets.validation?.count).toBe(30)
  })

  it("holds nothing out when validation is 0, and learns from every image", () => {
    const { sets } = Training.begin(small({}), data)
    expect(sets.validation).toBeUndefined()
    expect(sets.train.count).toBe(100)
    expect(pixelsOf(sets.train)).toEqual(pixelsOf(data.train))
  })

  it("with augment, gives the buffer each epoch's images are written into: one image per training image", () => {
    const { sets } = Training.begin(small({ augment: true, subset: 40 }), data)
    expect(sets.augmented).toBeInstanceOf(Uint8Array)
    expect(sets.augmented!.length).toBe(40 * 16)
  })

  it("starts the optimiser the options name", () => {
    const options = small({ optimizer: "adam" })
    const { state } = Training.begin(options, data)
    expect(state.optimizer).toEqual(Optimizer.initial(TrainingOptions.optimizerOf(options), state.network.layout))
    expect(state.optimizer).not.toEqual(Optimizer.initial(Optimizer.sgd, state.network.layout))
  })
})

describe("Training.epoch", () => {
  it("is Batches.epoch → Descent.descendWithState → Evaluate, epoch after epoch, with the generator each shuffle leaves", async () => {
    // Momentum, L2, a step schedule and batches of 7 that do not divide the 80 training images.
    const options = small({
      optimizer: "momentum", momentum: 0.8, l2: 2, schedule: "step", eta: 0.5, etaDecay: 0.5, decayEvery: 2, batchSize: 7, validation: 20
    })
    const begun = Training.begin(options, data)
    let state = begun.state
    for (let i = 0; i < 3; i++) state = await run(Training.epoch(state, begun.sets, Training.silent))

    const network = TrainingOptions.network(options)
    const train = Dataset.take(data.train, 80)
    const validation = Dataset.slice(data.train, 80, 100)
    let [params, rng] = Params.init(network.layout, Rng.make(3), "normal")
    const optimizer = Optimizer.make("momentum", { momentum: 0.8 })
    let moments = Optimizer.initial(optimizer, network.layout)
    for (let epoch = 1; epoch <= 3; epoch++) {
      const shuffled = Batches.epoch(train, rng, 7)
      let costSum = 0
      const eta = 0.5 * 0.5 ** Math.floor((epoch - 1) / 2)
      const result = await Effect.runPromise(Descent.descendWithState(
        shuffled.batches,
        { network, params, eta, weightDecay: 2 / 80, optimizer, state: moments },
        (step) => Effect.sync(() => void (costSum += step.cost * step.examples))
      ))
      params = result.params
      moments = result.state
      rng = shuffled.rng
      const test = Evaluate.evaluate(network, params, data.test)
      expect(state.epochs[epoch - 1]).toEqual({
        epoch,
        trainCost: costSum / 80,
        testAccuracy: test.accuracy,
        testCost: test.cost,
        seconds: 1.5,
        paramsSha256: RunRecord.paramsSha256(params),
        validationAccuracy: Evaluate.evaluate(network, params, validation).accuracy
      })
    }
    expect(Array.from(state.params.vector)).toEqual(Array.from(params.vector))
    expect(state.optimizer).toEqual(moments)
    expect(Rng.equals(state.rng, rng)).toBe(true)
    // Each epoch moved the parameters (a fold that stepped nothing would agree with itself).
    expect(new Set(state.epochs.map((e) => e.paramsSha256)).size).toBe(3)
    // The run learnt: better than chance on the test images by the third epoch.
    expect(state.epochs[2]!.testAccuracy).toBeGreaterThan(Saturation.chanceOf(data.test.labels) + 0.1)
  })

  it("measures accuracy on the training labels when they were made special (a subset, or shuffled labels), and only then", async () => {
    for (const patch of [{ subset: 60 }, { shuffleLabels: true }]) {
      const begun = Training.begin(small(patch), data)
      const state = await run(Training.epoch(begun.state, begun.sets, Training.silent))
      const expected = Evaluate.evaluate(begun.state.network, state.params, begun.sets.train).accuracy
      expect(state.epochs[0]!.trainAccuracy, JSON.stringify(patch)).toBe(expected)
    }
    const begun = Training.begin(small({}), data)
    const state = await run(Training.epoch(begun.state, begun.sets, Training.silent))
    expect(state.epochs[0]).not.toHaveProperty("trainAccuracy")
    expect(state.epochs[0]).not.toHaveProperty("validationAccuracy")
  })

  it("with augment, learns from the images Augment draws from the run's generator, then shuffles with what it leaves", async () => {
    const options = small({ augment: true, augmentStrength: 0.5, batchSize: 5 })
    const begun = Training.begin(options, data)
    const state = await run(Training.epoch(begun.state, begun.sets, Training.silent))

    const network = TrainingOptions.network(options)
    const [params, afterInit] = Params.init(network.layout, Rng.make(3), "normal")
    const [augmented, afterAugment] = Augment.dataset(data.train, afterInit, Augment.scaled(0.5))
    const shuffled = Batches.epoch(augmented, afterAugment, 5)
    const expected = await Effect.runPromise(shuffled.batches.pipe(Descent.descend({ network, params, eta: 1 })))
    expect(state.epochs[0]!.paramsSha256).toBe(RunRecord.paramsSha256(expected))
    expect(Rng.equals(state.rng, shuffled.rng)).toBe(true)
    // The augmented images are not the originals (else this would be the plain epoch).
    const plain = await run(Training.epoch(Training.begin(small({ batchSize: 5 }), data).state, begun.sets, Training.silent))
    expect(plain.epochs[0]!.paramsSha256).not.toBe(state.epochs[0]!.paramsSha256)
  })

  it("tells the observer each step: the epoch, the examples done so far, the total and the batch's cost", async () => {
    const begun = Training.begin(small({ batchSize: 30 }), data)
    const heard = listener()
    const first = await run(Training.epoch(begun.state, begun.sets, heard.observer))
    await run(Training.epoch(first, begun.sets, heard.observer))
    expect(heard.steps.map(([epoch, done, total]) => [epoch, done, total])).toEqual([
      [1, 30, 100], [1, 60, 100], [1, 90, 100], [1, 100, 100],
      [2, 30, 100], [2, 60, 100], [2, 90, 100], [2, 100, 100]
    ])
    const costs = heard.steps.slice(0, 4).map(([, , , cost]) => cost)
    expect(first.epochs[0]!.trainCost).toBeCloseTo((30 * costs[0]! + 30 * costs[1]! + 30 * costs[2]! + 10 * costs[3]!) / 100, 12)
    expect(costs.every((cost) => cost > 0 && Number.isFinite(cost))).toBe(true)
  })

  it("gives the host a turn each time another 256 examples are done, and not between", async () => {
    const many = { train: rows(4, 1000), test: rows(5, 20) }
    const begun = Training.begin(small({ batchSize: 100 }), many)
    const heard = listener()
    await run(Training.epoch(begun.state, begun.sets, heard.observer))
    // 1,000 examples cross 256, 512 and 768 once each.
    expect(heard.turns()).toBe(3)
  })

  it("runs through without a turn when the observer has none to give, to the same parameters", async () => {
    const many = { train: rows(4, 1000), test: rows(5, 20) }
    const begun = Training.begin(small({ batchSize: 100 }), many)
    const quiet = await run(Training.epoch(begun.state, begun.sets, { onStep: () => {}, stopRequested: () => false }))
    const heard = await run(Training.epoch(begun.state, begun.sets, listener().observer))
    expect(quiet.epochs[0]!.paramsSha256).toBe(heard.epochs[0]!.paramsSha256)
  })

  it("with every training image held out, steps nothing and records a training cost of 0", async () => {
    const begun = Training.begin(small({ validation: 100 }), data)
    const state = await run(Training.epoch(begun.state, begun.sets, Training.silent))
    expect(begun.sets.train.count).toBe(0)
    expect(state.epochs[0]!.trainCost).toBe(0)
    expect(state.epochs[0]!.paramsSha256).toBe(RunRecord.paramsSha256(begun.state.params))
  })

  it("stops before the epoch when asked before it, stepping nothing", async () => {
    const begun = Training.begin(small({}), data)
    const heard = listener(0)
    const exit = await runExit(Training.epoch(begun.state, begun.sets, heard.observer))
    expect(exit).toEqual(Exit.fail(new Training.Stopped({ epoch: 1 })))
    expect(heard.steps).toEqual([])
  })

  it("stops after the batch during which it was asked, and names the epoch it abandoned", async () => {
    const begun = Training.begin(small({ batchSize: 10 }), data)
    const first = await run(Training.epoch(begun.state, begun.sets, Training.silent))
    const heard = listener(3)
    const exit = await runExit(Training.epoch(first, begun.sets, heard.observer))
    expect(exit).toEqual(Exit.fail(new Training.Stopped({ epoch: 2 })))
    expect(heard.steps.length).toBe(3)
  })

  it("fails with Divergence at the first batch whose cost is not a finite number", async () => {
    // A step of infinite length: the parameters it leaves give the next batch a cost of NaN.
    // (Costs themselves stay finite however large the step: cross-entropy clamps its logarithm.)
    const begun = Training.begin(small({ eta: Infinity, batchSize: 10 }), data)
    const heard = listener()
    const exit = await runExit(Training.epoch(begun.state, begun.sets, heard.observer))
    expect(exit).toEqual(Exit.fail(new Training.Divergence({ epoch: 1, batch: 2 })))
    // The observer heard the batch before it, with its finite cost, and not that one.
    expect(heard.steps.length).toBe(1)
    expect(Number.isFinite(heard.steps[0]![3])).toBe(true)
  })

  it("fails with Divergence at the epoch's last batch when a parameter is no longer finite though every cost was", async () => {
    // One batch, and a step of infinite length: its cost was measured before the step.
    const begun = Training.begin(small({ eta: Infinity, batchSize: 100 }), data)
    const heard = listener()
    const exit = await runExit(Training.epoch(begun.state, begun.sets, heard.observer))
    expect(exit).toEqual(Exit.fail(new Training.Divergence({ epoch: 1, batch: 1 })))
    expect(heard.steps.length).toBe(1)
  })
})

describe("Training.stall", () => {
  it("is nothing before the first epoch, and nothing for a run that learns", async () => {
    const begun = Training.begin(small({}), data)
    expect(Training.stall(begun.state, begun.sets)).toBeUndefined()
    let state = begun.state
    for (let i = 0; i < 3; i++) state = await run(Training.epoch(state, begun.sets, Training.silent))
    expect(state.epochs[2]!.testAccuracy).toBeGreaterThan(Saturation.chanceOf(data.test.labels) + 0.1)
    expect(Training.stall(state, begun.sets)).toBeUndefined()
  })

  it("diagnoses a saturated network whose last epoch is at chance, as Saturation does", () => {
    const begun = Training.begin(small({}), data)
    // Every weight and bias 1000: each sigmoid pinned at 1 for every image.
    const params = Params.fromArray(begun.state.network.layout, new Float64Array(begun.state.network.layout.size).fill(1000))
    const chance = Saturation.chanceOf(data.test.labels)
    const state: Training.State = {
      ...begun.state,
      params,
      epochs: [{ epoch: 1, trainCost: 1, testAccuracy: chance, testCost: 1, seconds: 1, paramsSha256: RunRecord.paramsSha256(params) }]
    }
    const stall = Training.stall(state, begun.sets)
    expect(stall).toBeDefined()
    expect(stall).toEqual(Saturation.diagnose(state.network, Saturation.measure(state.network, params, data.test), chance, chance))
    // The same network judged above chance by its last epoch is not stalled.
    const better = { ...state, epochs: [{ ...state.epochs[0]!, testAccuracy: chance + 0.06 }] }
    expect(Training.stall(better, begun.sets)).toBeUndefined()
  })
})

describe("Training.memory", () => {
  const layout = Layout.make([784, 100, 10])
  const options = { ...TrainingOptions.defaults, layers: [784, 100, 10], batchSize: 50 }

  it("is the fold's workspace, evaluation of the largest set, the parameters kept three times, and a quarter more", () => {
    const parts = Descent.memory(layout, 50, Optimizer.sgd) + Evaluate.memory(layout, 10_000) + 8 * layout.size * 3
    expect(Training.memory(options, 10_000)).toBe(Math.ceil(1.25 * parts))
  })

  it("counts an optimiser's moments twice each (kept and saved), and its workspace", () => {
    const adam = { ...options, optimizer: "adam" as const }
    const parts = Descent.memory(layout, 50, TrainingOptions.optimizerOf(adam)) + Evaluate.memory(layout, 10_000) + 8 * layout.size * (3 + 2 * 2)
    expect(Training.memory(adam, 10_000)).toBe(Math.ceil(1.25 * parts))
  })

  it("with augment, adds each epoch's augmented images (a byte a pixel) and what augmenting them takes, for 28×28 images", () => {
    const plain = Training.memory(options, 60_000)
    const augmented = Training.memory({ ...options, augment: true }, 60_000)
    const extra = 60_000 * 784 + Augment.memory(60_000, 28, 28)
    expect(augmented).toBeGreaterThanOrEqual(plain + Math.floor(1.25 * extra))
    expect(augmented).toBeLessThanOrEqual(plain + Math.ceil(1.25 * extra) + 1)
  })

  it("grows with the batch and with the set evaluated", () => {
    expect(Training.memory({ ...options, batchSize: 500 }, 10_000)).toBeGreaterThan(Training.memory(options, 10_000))
    expect(Training.memory(options, 60_000)).toBeGreaterThan(Training.memory(options, 10_000))
  })
})

describe("Training.record", () => {
  it("is the run as run.json holds it: options, numerics, data, epochs, status and environment", async () => {
    const begun = Training.begin(small({}), data)
    const state = await run(Training.epoch(begun.state, begun.sets, Training.silent))
    const fingerprint = { file: "f", sha256: "0".repeat(64) }
    const fingerprints = { trainImages: fingerprint, trainLabels: fingerprint, testImages: fingerprint, testLabels: fingerprint }
    const environment = { engine: "node", node: "v20", platform: "linux-x64", packages: {} }
    const record = Training.record(state, fingerprints, "interrupted", environment)
    expect(record).toEqual({
      format: "descent-run",
      version: 1,
      status: "interrupted",
      options: state.options,
      numerics: Numerics.version,
      data: fingerprints,
      epochs: state.epochs,
      environment
    })
  })
})
