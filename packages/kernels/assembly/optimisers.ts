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
export function momentum<T>(
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
export function rmsprop<T>(
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
export function adam<T>(
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

export function momentum64(
  params: usize, gradient: usize, velocity: usize, from: i32, to: i32, mean: f64, eta: f64, l2: f64, coupled: bool, mu: f64, nesterov: bool
): void {
  momentum<f64>(params, gradient, velocity, from, to, mean, eta, l2, coupled, mu, nesterov)
}
export function momentum32(
  params: usize, gradient: usize, velocity: usize, from: i32, to: i32, mean: f64, eta: f64, l2: f64, coupled: bool, mu: f64, nesterov: bool
): void {
  momentum<f32>(params, gradient, velocity, from, to, <f32>mean, <f32>eta, <f32>l2, coupled, <f32>mu, nesterov)
}
export function rmsprop64(
  params: usize, gradient: usize, square: usize, from: i32, to: i32, mean: f64, eta: f64, l2: f64, coupled: bool, alpha: f64, rest: f64, epsilon: f64
): void {
  rmsprop<f64>(params, gradient, square, from, to, mean, eta, l2, coupled, alpha, rest, epsilon)
}
export function rmsprop32(
  params: usize, gradient: usize, square: usize, from: i32, to: i32, mean: f64, eta: f64, l2: f64, coupled: bool, alpha: f64, rest: f64, epsilon: f64
): void {
  rmsprop<f32>(params, gradient, square, from, to, <f32>mean, <f32>eta, <f32>l2, coupled, <f32>alpha, <f32>rest, <f32>epsilon)
}
export function adam64(
  params: usize, gradient: usize, first: usize, second: usize, from: i32, to: i32, mean: f64, step: f64, l2: f64, coupled: bool,
  beta1: f64, rest1: f64, beta2: f64, rest2: f64, root: f64, epsilon: f64, keep: f64
): void {
  adam<f64>(params, gradient, first, second, from, to, mean, step, l2, coupled, beta1, rest1, beta2, rest2, root, epsilon, keep)
}
export function adam32(
  params: usize, gradient: usize, first: usize, second: usize, from: i32, to: i32, mean: f64, step: f64, l2: f64, coupled: bool,
  beta1: f64, rest1: f64, beta2: f64, rest2: f64, root: f64, epsilon: f64, keep: f64
): void {
  adam<f32>(
    params, gradient, first, second, from, to, <f32>mean, <f32>step, <f32>l2, coupled,
    <f32>beta1, <f32>rest1, <f32>beta2, <f32>rest2, <f32>root, <f32>epsilon, <f32>keep
  )
}
