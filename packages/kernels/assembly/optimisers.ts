// The optimisers' update rules, element by element over a range of the parameters, in place:
// each entry's new value and state from its summed gradient — the operations of core's
// Optimizer.update (the reference), in its order, so the results are the same to the bit. The
// lanes of a v128 are entries, never terms of one sum; WebAssembly's sqrt and division are IEEE
// 754's, correctly rounded in T, like every other operation here.
//
// Every rule first takes the mean gradient g = sum·mean and, for weights under L2
// (`coupled`), adds l2·p to it (PyTorch's `weight_decay`: the gradient of (λ/2n)·‖w‖²); it
// leaves the summed gradient at 0 for the next batch. The host computes every factor in T
// (1 − β, the bias corrections) and passes it as f64, exactly representable in T.

/** Lanes of T in a v128: 2 for f64, 4 for f32. */
// @ts-ignore: decorator
@inline function lanes<T>(): i32 {
  return <i32>(16 / sizeof<T>())
}

/** Byte offset of entry i of an array of T. */
// @ts-ignore: decorator
@inline function entry<T>(i: i32): usize {
  return <usize>i << alignof<T>()
}

/** g = sum·mean (+ l2·p when coupled) of the lanes at o, the summed gradient cleared. */
// @ts-ignore: decorator
@inline function meanGradient<T>(params: usize, gradient: usize, o: usize, a: v128, l2: v128, coupled: bool): v128 {
  let g = v128.mul<T>(v128.load(gradient + o), a)
  if (coupled) g = v128.add<T>(g, v128.mul<T>(l2, v128.load(params + o)))
  v128.store(gradient + o, v128.splat<T>(0))
  return g
}

// @ts-ignore: decorator
@inline function meanGradientOne<T>(params: usize, gradient: usize, o: usize, mean: T, l2: T, coupled: bool): T {
  let g = load<T>(gradient + o) * mean
  if (coupled) g = g + l2 * load<T>(params + o)
  store<T>(gradient + o, <T>0)
  return g
}

/**
 * Momentum (PyTorch's SGD with momentum, dampening 0; TF.js's momentum): v ← μ·v + g, then
 * p ← p − η·v; Nesterov's: p ← p − η·(g + μ·v), with the new v.
 */
function momentum<T>(
  params: usize, gradient: usize, velocity: usize, from: i32, to: i32,
  mean: T, eta: T, l2: T, coupled: bool, mu: T, nesterov: bool
): void {
  const L = lanes<T>()
  const a = v128.splat<T>(mean), h = v128.splat<T>(eta), c = v128.splat<T>(l2), u = v128.splat<T>(mu)
  let i = from
  for (; i + L <= to; i += L) {
    const o = entry<T>(i)
    const g = meanGradient<T>(params, gradient, o, a, c, coupled)
    const v = v128.add<T>(v128.mul<T>(u, v128.load(velocity + o)), g)
    v128.store(velocity + o, v)
    const d = nesterov ? v128.add<T>(g, v128.mul<T>(u, v)) : v
    v128.store(params + o, v128.sub<T>(v128.load(params + o), v128.mul<T>(h, d)))
  }
  for (; i < to; i++) {
    const o = entry<T>(i)
    const g = meanGradientOne<T>(params, gradient, o, mean, l2, coupled)
    const v = mu * load<T>(velocity + o) + g
    store<T>(velocity + o, v)
    const d = nesterov ? g + mu * v : v
    store<T>(params + o, load<T>(params + o) - eta * d)
  }
}

/** RMSprop (PyTorch's, not centred): s ← α·s + (1 − α)·g², then p ← p − η·(g / (√s + ε)). */
function rmsprop<T>(
  params: usize, gradient: usize, square: usize, from: i32, to: i32,
  mean: T, eta: T, l2: T, coupled: bool, alpha: T, rest: T, epsilon: T
): void {
  const L = lanes<T>()
  const a = v128.splat<T>(mean), h = v128.splat<T>(eta), c = v128.splat<T>(l2)
  const al = v128.splat<T>(alpha), re = v128.splat<T>(rest), ep = v128.splat<T>(epsilon)
  let i = from
  for (; i + L <= to; i += L) {
    const o = entry<T>(i)
    const g = meanGradient<T>(params, gradient, o, a, c, coupled)
    const s = v128.add<T>(v128.mul<T>(al, v128.load(square + o)), v128.mul<T>(re, v128.mul<T>(g, g)))
    v128.store(square + o, s)
    const d = v128.div<T>(g, v128.add<T>(v128.sqrt<T>(s), ep))
    v128.store(params + o, v128.sub<T>(v128.load(params + o), v128.mul<T>(h, d)))
  }
  for (; i < to; i++) {
    const o = entry<T>(i)
    const g = meanGradientOne<T>(params, gradient, o, mean, l2, coupled)
    const s = alpha * load<T>(square + o) + rest * (g * g)
    store<T>(square + o, s)
    store<T>(params + o, load<T>(params + o) - eta * (g / (sqrt<T>(s) + epsilon)))
  }
}

/**
 * Adam (Kingma & Ba; PyTorch's order of operations): m ← β₁·m + (1 − β₁)·g,
 * v ← β₂·v + (1 − β₂)·g², then p ← p − step·(m / (√v / root + ε)), where step = η / (1 − β₁ᵗ)
 * and root = √(1 − β₂ᵗ) (the bias corrections, computed by the host). AdamW's decoupled decay
 * first multiplies p by keep = 1 − η·decay (1 for Adam, and for biases: p·1 is p).
 */
function adam<T>(
  params: usize, gradient: usize, first: usize, second: usize, from: i32, to: i32,
  mean: T, step: T, l2: T, coupled: bool, beta1: T, rest1: T, beta2: T, rest2: T, root: T, epsilon: T, keep: T
): void {
  const L = lanes<T>()
  const a = v128.splat<T>(mean), h = v128.splat<T>(step), c = v128.splat<T>(l2)
  const b1 = v128.splat<T>(beta1), r1 = v128.splat<T>(rest1), b2 = v128.splat<T>(beta2), r2 = v128.splat<T>(rest2)
  const ro = v128.splat<T>(root), ep = v128.splat<T>(epsilon), k = v128.splat<T>(keep)
  let i = from
  for (; i + L <= to; i += L) {
    const o = entry<T>(i)
    const g = meanGradient<T>(params, gradient, o, a, c, coupled)
    const p = v128.mul<T>(v128.load(params + o), k)
    const m = v128.add<T>(v128.mul<T>(b1, v128.load(first + o)), v128.mul<T>(r1, g))
    const v = v128.add<T>(v128.mul<T>(b2, v128.load(second + o)), v128.mul<T>(r2, v128.mul<T>(g, g)))
    v128.store(first + o, m)
    v128.store(second + o, v)
    const d = v128.div<T>(m, v128.add<T>(v128.div<T>(v128.sqrt<T>(v), ro), ep))
    v128.store(params + o, v128.sub<T>(p, v128.mul<T>(h, d)))
  }
  for (; i < to; i++) {
    const o = entry<T>(i)
    const g = meanGradientOne<T>(params, gradient, o, mean, l2, coupled)
    const p = load<T>(params + o) * keep
    const m = beta1 * load<T>(first + o) + rest1 * g
    const v = beta2 * load<T>(second + o) + rest2 * (g * g)
    store<T>(first + o, m)
    store<T>(second + o, v)
    store<T>(params + o, p - step * (m / (sqrt<T>(v) / root + epsilon)))
  }
}

/** Which rule `optimise` takes. */
export const MOMENTUM: i32 = 1
export const NESTEROV: i32 = 2
export const RMSPROP: i32 = 3
export const ADAM: i32 = 4

/**
 * The rule `kind` (MOMENTUM, NESTEROV, RMSPROP or ADAM, which AdamW is too) over entries
 * [from, to), its state in s1 (and s2 for Adam), with its factors in one order for all:
 * momentum and Nesterov's f1 = μ; RMSprop f1 = α, f2 = 1 − α, f3 = ε; Adam f1 = β₁, f2 = 1 − β₁,
 * f3 = β₂, f4 = 1 − β₂, f5 = √(1 − β₂ᵗ), f6 = ε, f7 = keep — and `eta` Adam's step.
 */
export function optimise<T>(
  kind: i32, params: usize, gradient: usize, s1: usize, s2: usize, from: i32, to: i32, mean: T, eta: T, l2: T, coupled: bool,
  f1: T, f2: T, f3: T, f4: T, f5: T, f6: T, f7: T
): void {
  if (kind == MOMENTUM || kind == NESTEROV) momentum<T>(params, gradient, s1, from, to, mean, eta, l2, coupled, f1, kind == NESTEROV)
  else if (kind == RMSPROP) rmsprop<T>(params, gradient, s1, from, to, mean, eta, l2, coupled, f1, f2, f3)
  else adam<T>(params, gradient, s1, s2, from, to, mean, eta, l2, coupled, f1, f2, f3, f4, f5, f6, f7)
}

export function optimise64(
  kind: i32, params: usize, gradient: usize, s1: usize, s2: usize, from: i32, to: i32, mean: f64, eta: f64, l2: f64, coupled: bool,
  f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64
): void {
  optimise<f64>(kind, params, gradient, s1, s2, from, to, mean, eta, l2, coupled, f1, f2, f3, f4, f5, f6, f7)
}
export function optimise32(
  kind: i32, params: usize, gradient: usize, s1: usize, s2: usize, from: i32, to: i32, mean: f64, eta: f64, l2: f64, coupled: bool,
  f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64
): void {
  optimise<f32>(
    kind, params, gradient, s1, s2, from, to, <f32>mean, <f32>eta, <f32>l2, coupled,
    <f32>f1, <f32>f2, <f32>f3, <f32>f4, <f32>f5, <f32>f6, <f32>f7
  )
}
