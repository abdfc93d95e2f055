// The optimisers: each rule checked by hand on a network of three parameters, against
// PyTorch's and TF.js's published definitions (written out here independently, with their own
// order of operations: close, not equal), and the fast kernels' in-place fold against the
// reference (`Optimizer.update` after `Reference.backprop`): equal, bit for bit, in f64 and f32,
// on one thread or several, across epochs and batch sizes.
import { Batches, Descent, Gradient, Layout, Network, Optimizer, Params, Precision, Reference, Rng } from "@descent/core"
import * as NodeThreads from "@descent/core/NodeThreads"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mixedImages, sparseImages } from "./fixtures.js"

const bits = (v: ArrayLike<number>) => Array.from(new Uint8Array(Float64Array.from(v).buffer))

// 2 inputs into 1 neuron: weights w₀, w₁ (entries 0, 1), bias b (entry 2).
const tiny = Layout.make([2, 1])
const p0 = [0.5, -0.25, 0.125]
const g1 = [0.2, -0.4, 0.1]
const g2 = [-0.3, 0.1, 0.05]

const twoSteps = (optimizer: Optimizer.Optimizer, eta: number, l2 = 0) => {
  let params = Params.fromArray(tiny, p0)
  let state = Optimizer.initial(optimizer, tiny)
  for (const g of [g1, g2]) {
    const next = Optimizer.update(optimizer, state, params, Gradient.unsafeFromArray(tiny, Float64Array.from(g)), eta, l2)
    params = next.params
    state = next.state
  }
  return { params: Array.from(params.vector), state }
}

describe("Optimizer.update, by hand (two steps from p = (0.5, −0.25, 0.125))", () => {
  it("sgd: p − η·g", () => {
    expect(twoSteps(Optimizer.sgd, 0.5).params).toEqual([0.5 - 0.5 * 0.2 - 0.5 * -0.3, -0.25 + 0.5 * 0.4 - 0.5 * 0.1, 0.125 - 0.5 * 0.1 - 0.5 * 0.05])
  })

  it("momentum 0.9: v₁ = g₁, v₂ = 0.9·g₁ + g₂, p ← p − η·v", () => {
    const { params, state } = twoSteps(Optimizer.make("momentum"), 0.1)
    const v2 = [0.9 * 0.2 + -0.3, 0.9 * -0.4 + 0.1, 0.9 * 0.1 + 0.05]
    expect(params).toEqual(p0.map((p, i) => p - 0.1 * g1[i]! - 0.1 * v2[i]!))
    expect(Array.from(state.moments[0]!)).toEqual(v2)
    expect(state.steps).toBe(2)
  })

  it("nesterov 0.9: p ← p − η·(g + 0.9·v)", () => {
    const { params } = twoSteps(Optimizer.make("nesterov"), 0.1)
    const v1 = g1
    const v2 = v1.map((v, i) => 0.9 * v + g2[i]!)
    expect(params).toEqual(p0.map((p, i) => p - 0.1 * (g1[i]! + 0.9 * v1[i]!) - 0.1 * (g2[i]! + 0.9 * v2[i]!)))
  })

  it("rmsprop α 0.99: s ← 0.99·s + 0.01·g², p ← p − η·g/(√s + ε)", () => {
    const { params, state } = twoSteps(Optimizer.make("rmsprop"), 0.01)
    const s1 = g1.map((g) => 0.99 * 0 + (1 - 0.99) * (g * g))
    const s2 = s1.map((s, i) => 0.99 * s + (1 - 0.99) * (g2[i]! * g2[i]!))
    const after1 = p0.map((p, i) => p - 0.01 * (g1[i]! / (Math.sqrt(s1[i]!) + 1e-8)))
    expect(params).toEqual(after1.map((p, i) => p - 0.01 * (g2[i]! / (Math.sqrt(s2[i]!) + 1e-8))))
    expect(Array.from(state.moments[0]!)).toEqual(s2)
  })

  it("adam: the first step moves every parameter by about η·sign(g); the second as Kingma & Ba's algorithm 1", () => {
    const eta = 0.001
    const { params, state } = twoSteps(Optimizer.make("adam"), eta)
    const m1 = g1.map((g) => 0.9 * 0 + (1 - 0.9) * g)
    const v1 = g1.map((g) => 0.999 * 0 + (1 - 0.999) * (g * g))
    const m2 = m1.map((m, i) => 0.9 * m + (1 - 0.9) * g2[i]!)
    const v2 = v1.map((v, i) => 0.999 * v + (1 - 0.999) * (g2[i]! * g2[i]!))
    const pow = (x: number, t: number) => (t === 1 ? x : x * x)
    const stepOf = (t: number, m: number, v: number) =>
      (eta / (1 - pow(0.9, t))) * (m / (Math.sqrt(v) / Math.sqrt(1 - pow(0.999, t)) + 1e-8))
    const after1 = p0.map((p, i) => p - stepOf(1, m1[i]!, v1[i]!))
    // Step 1 is η·g/(|g| + ε'): η·sign(g), all but ε.
    after1.forEach((p, i) => expect(p0[i]! - p).toBeCloseTo(eta * Math.sign(g1[i]!), 8))
    const expected = after1.map((p, i) => p - stepOf(2, m2[i]!, v2[i]!))
    params.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 15))
    expect(Array.from(state.moments[0]!)).toEqual(m2)
    expect(Array.from(state.moments[1]!)).toEqual(v2)
  })

  it("adamw: each step first multiplies the weights by 1 − η·decay, not the bias; the moments are Adam's", () => {
    const eta = 0.001
    const decay = 0.5
    const keep = 1 - eta * decay
    const adam = twoSteps(Optimizer.make("adam"), eta)
    const adamw = twoSteps(Optimizer.make("adamw", { decay }), eta)
    // Without L2 the moments do not depend on p: each step moves p by Adam's amount, after the decay.
    const adamStep1 = p0.map((p, i) => p - Optimizer.update(
      Optimizer.make("adam"), Optimizer.initial(Optimizer.make("adam"), tiny), Params.fromArray(tiny, p0),
      Gradient.unsafeFromArray(tiny, Float64Array.from(g1)), eta
    ).params.vector[i]!)
    const adamStep2 = p0.map((p, i) => p - adamStep1[i]! - adam.params[i]!)
    const expected = p0.map((p, i) => (i < 2 ? (p * keep - adamStep1[i]!) * keep - adamStep2[i]! : adam.params[i]!))
    adamw.params.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 15))
    expect(adamw.params[2]).toBe(adam.params[2])
    expect(Array.from(adamw.state.moments[1]!)).toEqual(Array.from(adam.state.moments[1]!))
  })

  it("L2 adds l2·w to the weights' gradient (not the bias's) for every optimiser but sgd, which shrinks w", () => {
    const l2 = 0.1
    const { params } = twoSteps(Optimizer.make("momentum", { momentum: 0 }), 0.5, l2)
    // With μ = 0, momentum is p − η·(g + l2·p): the bias steps as without L2.
    let p = p0.slice()
    for (const g of [g1, g2]) p = p.map((x, i) => x - 0.5 * (g[i]! + (i < 2 ? l2 * x : 0)))
    expect(params).toEqual(p)
    const sgd = twoSteps(Optimizer.sgd, 0.5, l2).params
    let q = p0.slice()
    for (const g of [g1, g2]) q = q.map((x, i) => (i < 2 ? (1 - 0.5 * l2) * x : x) - 0.5 * g[i]!)
    expect(sgd).toEqual(q)
  })

  it("refuses a state that does not fit the optimiser or the layout", () => {
    const params = Params.fromArray(tiny, p0)
    const gradient = Gradient.unsafeFromArray(tiny, Float64Array.from(g1))
    expect(() => Optimizer.update(Optimizer.make("adam"), Optimizer.initial(Optimizer.make("momentum"), tiny), params, gradient, 1)).toThrow(
      /adam needs 2 vectors of state of 3 entries/
    )
    // The right number of vectors, but one of the wrong length.
    expect(() => Optimizer.update(Optimizer.make("momentum"), { steps: 0, moments: [new Float64Array(2)] }, params, gradient, 1)).toThrow(
      new RangeError("momentum needs 1 vectors of state of 3 entries")
    )
  })

  it("refuses a gradient of another layout", () => {
    const params = Params.fromArray(tiny, p0)
    const gradient = Gradient.unsafeFromArray(Layout.make([1, 1]), Float64Array.from([1, 1]))
    expect(() => Optimizer.update(Optimizer.sgd, Optimizer.initial(Optimizer.sgd, tiny), params, gradient, 1)).toThrow(
      new RangeError("a gradient of 1-1 cannot step parameters of 2-1")
    )
  })

  it("without L2 the moments never read the parameters: a weight that overflowed leaves them finite", () => {
    const adam = Optimizer.make("adam")
    const next = Optimizer.update(adam, Optimizer.initial(adam, tiny), Params.fromArray(tiny, [Infinity, -0.25, 0.125]), Gradient.unsafeFromArray(tiny, Float64Array.from(g1)), 0.001)
    expect(Array.from(next.state.moments[0]!)).toEqual(g1.map((g) => (1 - 0.9) * g))
    expect(next.params.vector[0]).toBe(Infinity)
  })
})

describe("Optimizer.make and Optimizer.factors", () => {
  it("make's defaults are PyTorch's; only AdamW decays by default", () => {
    expect(Optimizer.make("adam")).toEqual({ name: "adam", momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decay: 0 })
    expect(Optimizer.make("adamw")).toEqual({ name: "adamw", momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decay: 0.01 })
    expect(Optimizer.make("rmsprop")).toEqual({ name: "rmsprop", momentum: 0.9, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, decay: 0 })
  })

  it("only Adam's step is bias-corrected, and only AdamW's keep decays", () => {
    // At t = 1, Adam's step is η/(1 − β₁) and its root √(1 − β₂); the others' are η and 1.
    const momentum = Optimizer.factors(Optimizer.make("momentum"), 0.5, 1, "f64")
    expect([momentum.step, momentum.root, momentum.keep]).toEqual([0.5, 1, 1])
    const adam = Optimizer.factors(Optimizer.make("adam", { beta1: 0.5, beta2: 0.75, decay: 0.5 }), 0.5, 1, "f64")
    expect([adam.step, adam.root, adam.keep]).toEqual([1, 0.5, 1])
    const adamw = Optimizer.factors(Optimizer.make("adamw", { decay: 0.5 }), 0.5, 1, "f64")
    expect(adamw.keep).toBe(0.75)
  })

  it("adam ignores a decay: the same step as with none", () => {
    const decayed = twoSteps(Optimizer.make("adam", { decay: 0.5 }), 0.01)
    const without = twoSteps(Optimizer.make("adam"), 0.01)
    expect(bits(decayed.params)).toEqual(bits(without.params))
  })
})

// PyTorch's torch.optim (2.x, single-tensor code path) and TF.js's optimisers, as their
// sources write them, for one tensor of parameters with no L2.
const pytorch = {
  adam: (p: number, g: number, m: number, v: number, t: number, lr: number, b1: number, b2: number, eps: number, decay = 0) => {
    p = p * (1 - lr * decay)
    m = m + (g - m) * (1 - b1) // exp_avg.lerp_(grad, 1 - beta1)
    v = v * b2 + g * g * (1 - b2) // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    const stepSize = lr / (1 - b1 ** t)
    const denom = Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps
    return { p: p - stepSize * (m / denom), m, v }
  },
  rmsprop: (p: number, g: number, s: number, lr: number, alpha: number, eps: number) => {
    s = s * alpha + g * g * (1 - alpha)
    return { p: p - (lr * g) / (Math.sqrt(s) + eps), s }
  },
  momentum: (p: number, g: number, v: number, t: number, lr: number, mu: number, nesterov: boolean) => {
    v = t === 1 ? g : v * mu + g // the buffer starts as a copy of the first gradient
    return { p: p - lr * (nesterov ? g + mu * v : v), v }
  }
}
const tfjs = {
  adam: (p: number, g: number, m: number, v: number, t: number, lr: number, b1: number, b2: number, eps: number) => {
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return { p: p - (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps), m, v }
  }
}

describe("Optimizer.update against PyTorch's and TF.js's definitions (50 steps of a random gradient)", () => {
  const steps = 50
  const [gradients] = Rng.gaussians(Rng.make(3), steps * tiny.size)
  const run = (optimizer: Optimizer.Optimizer, eta: number) => {
    let params = Params.fromArray(tiny, p0)
    let state = Optimizer.initial(optimizer, tiny)
    for (let t = 0; t < steps; t++) {
      const g = Gradient.unsafeFromArray(tiny, gradients.slice(t * tiny.size, (t + 1) * tiny.size))
      ;({ params, state } = Optimizer.update(optimizer, state, params, g, eta))
    }
    return Array.from(params.vector)
  }
  const theirs = (step: (i: number, p: number, g: number, t: number, state: Array<number>) => number) =>
    p0.map((start, i) => {
      let p = start
      const state = [0, 0]
      for (let t = 1; t <= steps; t++) p = step(i, p, gradients[(t - 1) * tiny.size + i]!, t, state)
      return p
    })
  const close = (ours: Array<number>, expected: Array<number>) =>
    ours.forEach((x, i) => expect(Math.abs(x - expected[i]!)).toBeLessThan(1e-13 * Math.max(1, Math.abs(expected[i]!))))

  for (const [name, b1, b2, decay] of [["adam", 0.9, 0.999, 0], ["adamw", 0.8, 0.99, 0.1]] as const) {
    it(`${name}: PyTorch's ${name === "adam" ? "Adam" : "AdamW"}`, () => {
      const ours = run(Optimizer.make(name, { beta1: b1, beta2: b2, decay }), 0.01)
      close(ours, theirs((i, p, g, t, s) => {
        const next = pytorch.adam(p, g, s[0]!, s[1]!, t, 0.01, b1, b2, 1e-8, i < 2 ? decay : 0)
        s[0] = next.m
        s[1] = next.v
        return next.p
      }))
    })
  }
  it("adam: TF.js's tf.train.adam", () => {
    close(run(Optimizer.make("adam"), 0.01), theirs((_, p, g, t, s) => {
      const next = tfjs.adam(p, g, s[0]!, s[1]!, t, 0.01, 0.9, 0.999, 1e-8)
      s[0] = next.m
      s[1] = next.v
      return next.p
    }))
  })
  it("rmsprop: PyTorch's RMSprop", () => {
    close(run(Optimizer.make("rmsprop"), 0.01), theirs((_, p, g, _t, s) => {
      const next = pytorch.rmsprop(p, g, s[0]!, 0.01, 0.99, 1e-8)
      s[0] = next.s
      return next.p
    }))
  })
  for (const nesterov of [false, true]) {
    it(`${nesterov ? "nesterov" : "momentum"}: PyTorch's SGD with momentum${nesterov ? ", nesterov=True" : ""}`, () => {
      close(run(Optimizer.make(nesterov ? "nesterov" : "momentum"), 0.05), theirs((_, p, g, t, s) => {
        const next = pytorch.momentum(p, g, s[0]!, t, 0.05, 0.9, nesterov)
        s[0] = next.v
        return next.p
      }))
    })
  }
})

const optimizers = [
  Optimizer.make("momentum"),
  Optimizer.make("nesterov", { momentum: 0.7 }),
  Optimizer.make("rmsprop"),
  Optimizer.make("adam"),
  Optimizer.make("adamw", { decay: 0.05 })
]

// The reference's fold: Reference.backprop and Optimizer.update, batch by batch.
const referenceEpochs = (
  network: Network.Network, params: Params.Params, optimizer: Optimizer.Optimizer, data: ReturnType<typeof sparseImages>,
  batchSizes: ReadonlyArray<number>, eta: number, l2: number
) => {
  let state = Optimizer.initial(optimizer, network.layout)
  let rng = Rng.make(5)
  for (const batchSize of batchSizes) {
    const shuffled = Batches.epoch(data, rng, batchSize)
    rng = shuffled.rng
    for (const batch of Batches.inOrder(data, shuffled.order, batchSize)) {
      const { gradient } = Reference.backprop(network, params, batch)
      ;({ params, state } = Optimizer.update(optimizer, state, params, gradient, eta, l2, network.precision))
    }
  }
  return { params, state }
}

const fastEpochs = (
  network: Network.Network, params: Params.Params, optimizer: Optimizer.Optimizer, data: ReturnType<typeof sparseImages>,
  batchSizes: ReadonlyArray<number>, eta: number, l2: number, threads?: Parameters<typeof Descent.descend>[1]["threads"]
) =>
  Effect.gen(function* () {
    let state: Optimizer.State | undefined
    let rng = Rng.make(5)
    for (const batchSize of batchSizes) {
      const shuffled = Batches.epoch(data, rng, batchSize)
      rng = shuffled.rng
      ;({ params, state } = yield* Descent.descendWithState(shuffled.batches, { network, params, eta, weightDecay: l2, optimizer, state, threads }))
    }
    return { params, state: state! }
  })

for (const precision of Precision.all) describe(`the fast fold = the reference, bit for bit, for every optimiser, in ${precision}`, () => {
  const data = sparseImages(1, 61, 6)
  const mixed = mixedImages(2, 40, 6)
  const network = Network.make({ sizes: [36, 9, 7, 10], hidden: "sigmoid", cost: "cross-entropy", precision })
  const [params] = Params.init(network.layout, Rng.make(2), "scaled")
  for (const optimizer of optimizers) {
    it.effect(`${optimizer.name}: epochs in batches of 10, 7, then 1 (the state carried on), with and without L2`, () =>
      Effect.gen(function* () {
        for (const l2 of [0, 0.002]) {
          const slow = referenceEpochs(network, params, optimizer, data, [10, 7, 1], 0.05, l2)
          const fast = yield* fastEpochs(network, params, optimizer, data, [10, 7, 1], 0.05, l2)
          expect(bits(fast.params.vector)).toEqual(bits(slow.params.vector))
          expect(fast.state.steps).toBe(slow.state.steps)
          fast.state.moments.forEach((moment, i) => expect(bits(moment)).toEqual(bits(slow.state.moments[i]!)))
          expect(Params.equals(fast.params, params)).toBe(false)
        }
      }))
  }
  it.effect("adam on images without background (the dense path), and a batch larger than the last (a new workspace)", () =>
    Effect.gen(function* () {
      const adam = Optimizer.make("adam")
      const slow = referenceEpochs(network, params, adam, mixed, [3, 8], 0.01, 0)
      const fast = yield* fastEpochs(network, params, adam, mixed, [3, 8], 0.01, 0)
      expect(bits(fast.params.vector)).toEqual(bits(slow.params.vector))
    }))
})

describe("optimisers on threads: every count gives the reference's bits", () => {
  const data = sparseImages(3, 50, 6)
  // 19 neurons: panels with padding lanes, in both precisions.
  for (const precision of Precision.all) {
    const network = Network.make({ sizes: [36, 19, 10], cost: "cross-entropy", precision })
    const [params] = Params.init(network.layout, Rng.make(4), "scaled")
    for (const optimizer of [Optimizer.make("nesterov"), Optimizer.make("adamw")]) {
      it.effect(`${optimizer.name} in ${precision} on 1, 2 and 3 threads`, () =>
        Effect.gen(function* () {
          const slow = referenceEpochs(network, params, optimizer, data, [10, 10], 0.02, 0.001)
          for (const count of [1, 2, 3]) {
            const threads = yield* NodeThreads.scoped(count)
            const fast = yield* fastEpochs(network, params, optimizer, data, [10, 10], 0.02, 0.001, threads)
            expect(bits(fast.params.vector)).toEqual(bits(slow.params.vector))
          }
        }).pipe(Effect.scoped))
    }
  }
})
