/**
 * How a step goes downhill from a gradient. The chapter's is plain descent, params − η∇C
 * (`sgd`); the others keep state beside the parameters — a running average of past gradients,
 * of their squares, or both — and step along that instead:
 * - `momentum`: v ← μ·v + g, p ← p − η·v (PyTorch's SGD with momentum and no dampening, which
 *   is also TF.js's `momentum`);
 * - `nesterov`: the same v, and p ← p − η·(g + μ·v) (PyTorch's `nesterov=True`, TF.js's
 *   `useNesterov`);
 * - `rmsprop`: s ← α·s + (1 − α)·g², p ← p − η·g / (√s + ε) (PyTorch's, not centred: ε outside
 *   the root; TF.js puts it inside, √(s + ε));
 * - `adam`: m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g², p ← p − η/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
 *   at step t = 1, 2, … (Kingma & Ba's bias correction, in PyTorch's order of operations: ε
 *   is added after the correction, as in PyTorch and TF.js);
 * - `adamw`: Adam with decoupled weight decay (Loshchilov & Hutter): each weight is first
 *   multiplied by 1 − η·decay, as PyTorch's AdamW does; biases are not decayed.
 *
 * L2 regularisation (`Descent.Options.weightDecay`, λ/n) is added to every optimiser's
 * gradient of the weights as l2·p (PyTorch's `weight_decay`), except plain descent's, which
 * keeps its own form, (1 − ηλ/n)·w − η·g (Nielsen's network2; the same in exact arithmetic),
 * so that every run recorded before optimisers existed replays.
 *
 * Every factor and every operation rounds to the network's precision (see `Precision`), in the
 * order written here; the fast kernels follow the same order, so both give the same bits.
 *
 * Not for: the learning rate's schedule over epochs (see `@descent/files`' TrainingOptions).
 *
 * @since 0.4.0
 */
import * as Gradient from "./Gradient.js"
import * as Layout from "./Layout.js"
import * as Numerics from "./Numerics.js"
import * as Params from "./Params.js"
import * as Precision from "./Precision.js"

/**
 * @since 0.4.0
 * @category models
 */
export type Name = "sgd" | "momentum" | "nesterov" | "rmsprop" | "adam" | "adamw"

/**
 * Every optimiser, plain descent (the default) first.
 *
 * @since 0.4.0
 * @category models
 */
export const names: readonly [Name, ...Array<Name>] = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]

/**
 * An optimiser and its settings. Each uses only some of them (`uses`); the others keep their
 * defaults and mean nothing for it.
 *
 * @since 0.4.0
 * @category models
 */
export interface Optimizer {
  readonly name: Name
  /** μ of momentum and Nesterov's. */
  readonly momentum: number
  /** β₁ of Adam: how much of the average of gradients each step keeps. */
  readonly beta1: number
  /** β₂ of Adam, α of RMSprop: how much of the average of squared gradients each step keeps. */
  readonly beta2: number
  /** ε of RMSprop and Adam, keeping the division finite. */
  readonly epsilon: number
  /** AdamW's decoupled weight decay: each step multiplies every weight by 1 − η·decay. */
  readonly decay: number
}

/**
 * The settings that an optimiser reads, by name.
 *
 * @since 0.4.0
 * @category models
 */
export const uses: Readonly<Record<Name, ReadonlyArray<"momentum" | "beta1" | "beta2" | "epsilon" | "decay">>> = {
  sgd: [],
  momentum: ["momentum"],
  nesterov: ["momentum"],
  rmsprop: ["beta2", "epsilon"],
  adam: ["beta1", "beta2", "epsilon"],
  adamw: ["beta1", "beta2", "epsilon", "decay"]
}

/**
 * Each optimiser's settings by default: PyTorch's (μ 0.9 as is usual for momentum; RMSprop's α
 * 0.99; Adam's β₁ 0.9, β₂ 0.999, ε 10⁻⁸; AdamW's decay 0.01).
 *
 * @since 0.4.0
 * @category constructors
 */
export const make = (name: Name, settings: Partial<Omit<Optimizer, "name">> = {}): Optimizer => ({
  name,
  momentum: settings.momentum ?? 0.9,
  beta1: settings.beta1 ?? 0.9,
  beta2: settings.beta2 ?? (name === "rmsprop" ? 0.99 : 0.999),
  epsilon: settings.epsilon ?? 1e-8,
  decay: settings.decay ?? (name === "adamw" ? 0.01 : 0)
})

/**
 * Plain descent, the chapter's: params − η∇C.
 *
 * @since 0.4.0
 * @category constructors
 */
export const sgd: Optimizer = make("sgd")

/**
 * How many vectors of state an optimiser keeps beside the parameters: none for plain descent,
 * one for momentum, Nesterov's and RMSprop, two (m and v) for Adam and AdamW.
 *
 * @since 0.4.0
 * @category getters
 */
export const momentsOf = (optimizer: Optimizer): 0 | 1 | 2 =>
  optimizer.name === "sgd" ? 0 : optimizer.name === "adam" || optimizer.name === "adamw" ? 2 : 1

/**
 * An optimiser's state between steps: how many steps it has taken, and its vectors, each laid
 * out like the parameters (see `momentsOf`).
 *
 * @since 0.4.0
 * @category models
 */
export interface State {
  readonly steps: number
  readonly moments: ReadonlyArray<Float64Array>
}

/**
 * The state before the first step: no steps, every vector zero.
 *
 * @since 0.4.0
 * @category constructors
 */
export const initial = (optimizer: Optimizer, layout: Layout.Layout): State => ({
  steps: 0,
  moments: Array.from({ length: momentsOf(optimizer) }, () => new Float64Array(layout.size))
})

/**
 * Throws `RangeError` unless `state` is one `optimizer` keeps for parameters of `layout`: as
 * many vectors as `momentsOf` says, each of `layout.size` entries.
 *
 * @since 0.4.0
 * @category validation
 */
export const checkState = (optimizer: Optimizer, layout: Layout.Layout, state: State): void => {
  if (state.moments.length !== momentsOf(optimizer) || state.moments.some((moment) => moment.length !== layout.size)) {
    throw new RangeError(`${optimizer.name} needs ${momentsOf(optimizer)} vectors of state of ${layout.size} entries`)
  }
}

/**
 * The factors of a step, each in the network's precision: what the kernels are passed, and what
 * `update` uses, so both compute with the same numbers. `step` is η for every optimiser but
 * Adam's, whose step is η/(1 − β₁ᵗ) (t the step being taken, counted from 1) and `root`
 * √(1 − β₂ᵗ); `keep` is AdamW's 1 − η·decay (1 otherwise); `rest1`, `rest2` are 1 − β₁, 1 − β₂.
 *
 * @since 0.4.0
 * @category math
 */
export const factors = (optimizer: Optimizer, eta: number, t: number, precision: Precision.Precision) => {
  const r = Precision.rounding(precision)
  const beta1 = r(optimizer.beta1)
  const beta2 = r(optimizer.beta2)
  const adam = optimizer.name === "adam" || optimizer.name === "adamw"
  const h = r(eta)
  return {
    eta: h,
    step: adam ? r(h / r(1 - r(Numerics.pow(beta1, t)))) : h,
    root: adam ? r(Math.sqrt(r(1 - r(Numerics.pow(beta2, t))))) : 1,
    keep: optimizer.name === "adamw" ? r(1 - r(h * r(optimizer.decay))) : 1,
    momentum: r(optimizer.momentum),
    beta1,
    rest1: r(1 - beta1),
    beta2,
    rest2: r(1 - beta2),
    epsilon: r(optimizer.epsilon)
  }
}

/**
 * One step of `optimizer` from the mean gradient `gradient`, by plain loops (the reference the
 * kernels are held to): new parameters and a new state; nothing given is changed. `l2` is the
 * weight decay λ/n of L2 regularisation (0: none).
 *
 * @since 0.4.0
 * @category learning
 */
export const update = (
  optimizer: Optimizer,
  state: State,
  params: Params.Params,
  gradient: Gradient.Gradient,
  eta: number,
  l2 = 0,
  precision: Precision.Precision = "f64"
): { readonly params: Params.Params; readonly state: State } => {
  const layout = params.layout
  if (!Layout.equals(layout, gradient.layout)) {
    throw new RangeError(`a gradient of ${Layout.format(gradient.layout)} cannot step parameters of ${Layout.format(layout)}`)
  }
  checkState(optimizer, layout, state)
  const r = Precision.rounding(precision)
  const t = state.steps + 1
  const f = factors(optimizer, eta, t, precision)
  const c = r(l2)
  // With no decay the factor is exactly 1, and 1·w is w.
  const shrink = r(1 - eta * l2)
  const p = Float64Array.from(params.vector, r)
  const g = gradient.vector
  const moments = state.moments.map((moment) => Float64Array.from(moment, r))
  const [first, second] = moments
  for (const slot of layout.layers) {
    const end = slot.biasesOffset + slot.outputs
    for (let i = slot.weightsOffset; i < end; i++) {
      const weight = i < slot.biasesOffset
      let gi = r(g[i]!)
      if (weight && l2 !== 0 && optimizer.name !== "sgd") gi = r(gi + r(c * p[i]!))
      switch (optimizer.name) {
        case "sgd":
          // Plain descent keeps its own form of L2 (see the module's comment): `Descent.step`'s.
          p[i] = r(r((weight ? shrink : 1) * p[i]!) - r(f.eta * r(g[i]!)))
          break
        case "momentum":
        case "nesterov": {
          const v = r(r(f.momentum * first![i]!) + gi)
          first![i] = v
          const d = optimizer.name === "nesterov" ? r(gi + r(f.momentum * v)) : v
          p[i] = r(p[i]! - r(f.eta * d))
          break
        }
        case "rmsprop": {
          const s = r(r(f.beta2 * first![i]!) + r(f.rest2 * r(gi * gi)))
          first![i] = s
          p[i] = r(p[i]! - r(f.eta * r(gi / r(r(Math.sqrt(s)) + f.epsilon))))
          break
        }
        case "adam":
        case "adamw": {
          const kept = weight ? r(p[i]! * f.keep) : p[i]!
          const m = r(r(f.beta1 * first![i]!) + r(f.rest1 * gi))
          const v = r(r(f.beta2 * second![i]!) + r(f.rest2 * r(gi * gi)))
          first![i] = m
          second![i] = v
          p[i] = r(kept - r(f.step * r(m / r(r(r(Math.sqrt(v)) / f.root) + f.epsilon))))
          break
        }
      }
    }
  }
  return { params: Params.unsafeFromArray(layout, p), state: { steps: t, moments } }
}
