// The fast passes behind feedforward, backprop, descend and evaluate: a batch's inputs loaded,
// the layers forward and backward, the step — over a Workspace's buffers (workspace.ts).
//
// What makes them fast, measured against the reference (reference.ts):
// - Sparse input: most of an MNIST image is background (about 80% of pixels are exactly 0), and
//   the first layer — 95% of the arithmetic — only needs the others. Each example's nonzero
//   pixels are found once per batch, sixteen bytes at a time; the forward sums and the first
//   layer's weight gradient visit only them. Skipping a term w·0 leaves a sum unchanged, so
//   forward values equal the dense ones.
// - Dense input: an image with no zero pixel needs no list; two such in a row are summed
//   together, each weight read once for both (assembly/kernels.ts's dense path).
// - SIMD: the loops over weights run in WebAssembly (@descent/kernels), two neurons per f64x2
//   (four per f32x4, for a network in f32: see Precision).
//   The parameters live in the workspace's WebAssembly memory between `loadParams` and
//   `storeParams`: a descent loads them once and steps them in place. Layer 1's weights are kept
//   transposed there (one row of neurons per input), in one panel of neurons per thread; the
//   later layers' weights both ways.
// - Threads (optional, `Threads`): layer 1's loops are jobs (assembly/jobs.ts) each thread does
//   its part of — its panel's sums, or its examples' pixels — in a shared memory. No sum is
//   split, so the results are the same for any thread count.
// - No allocation per batch: every buffer lives in a Workspace (workspace.ts), sized once for a
//   layout, a precision and a largest batch, and reused.
// Element-wise functions (activations, costs and their derivatives) run here, in JavaScript —
// they are defined once, in Activation and Cost — except the sigmoid and δ ⊙ σ′, whose loops
// over a layer run in WebAssembly (layer 1's sigmoids in its forward job): the sigmoid's one
// definition is assembly/numerics.ts's, which Activation.sigmoid calls too. So do the bias
// gradients' sums (layer 1's in its gradient job).
//
// Every sum is added up in a fixed order that depends only on the data, never on timing, so the
// results are reproducible bit for bit — and equal to the reference's.
//
// Layout reminder: the weights into layer l+1 are a (rows=outputs, cols=inputs) row-major
// matrix at slot.weightsOffset; its biases (outputs) follow at slot.biasesOffset. Batches are
// (rows=examples, cols=neurons) row-major.
import type { Batch } from "../Batches.js"
import * as Activation from "../Activation.js"
import * as Network from "../Network.js"
import * as Optimizer from "../Optimizer.js"
import * as Precision from "../Precision.js"
import { totalCost } from "./cost.js"
import { asArray } from "./vector.js"
import { eachLayer1, transposeFrom, type Workspace } from "./workspace.js"

/**
 * Loads a batch's inputs into the workspace: the `dense` rows, and where each example's inputs
 * are nonzero as index lists and bit masks. A batch made by `Batches` from a dataset has
 * its images' bytes copied in and scanned in WebAssembly; any other batch is scanned here.
 */
const loadInputs = (ws: Workspace, batch: Batch, n: number): void => {
  const m = batch.size
  const source = batch.examples
  if (source !== undefined) {
    const { pixels } = source.dataset
    const raw = ws.raw
    for (let e = 0; e < m; e++) {
      const from = source.indices[e]! * n
      if (pixels instanceof Uint8Array) {
        raw.set(pixels.subarray(from, from + n), e * n)
      } else {
        for (let k = 0; k < n; k++) raw[e * n + k] = pixels[from + k]!
      }
    }
    ws.kernels.layer1Load(ws.at.job, m, ws.loaded)
    ws.loaded = m
    return
  }
  // Any other batch: its values written whole into the dense rows, and scanned there, in
  // WebAssembly, as images are (one scan: `scanInputs` lists exactly what `loadPixels` would).
  ws.dense.set(asArray(batch.inputs).subarray(0, m * n))
  const at = ws.at
  ws.kernels.scanInputs(at.dense, m, n, at.nonzeroIndex, at.nonzeroCount, at.nonzeroMasks)
  // Rows past this batch's may still hold an earlier batch's nonzeros, listed where they were:
  // the next `loadPixels` clears them too.
  ws.loaded = Math.max(ws.loaded, m)
}

/** aˡ = f(zˡ) for the m examples of a batch: a sigmoid layer's in WebAssembly, in one call. */
const activate = (ws: Workspace, network: Network.Network, l: number, n: number, m: number) => {
  const activation = Network.activationOf(network, l)
  if (activation === Activation.sigmoid) {
    ws.kernels.sigmoidRows(ws.at.zs[l]!, ws.at.activations[l]!, m * n, m * n, 1)
    return
  }
  const z = ws.zs[l]!
  const out = ws.activations[l]!
  if (activation.applyLayer !== undefined) {
    for (let e = 0; e < m; e++) activation.applyLayer(z, out, e * n, n)
  } else {
    const f = activation.apply
    const end = m * n
    for (let i = 0; i < end; i++) out[i] = f(z[i]!)
  }
}

// Forward and backward, per kind of layer (as llm.c pairs matmul_forward/matmul_backward):
// layer 1, from the sparse input, in panels shared between threads; and the small dense layers
// after it. Each backward sums its weights' gradient and hands δ down a layer.

/**
 * z¹ = W¹x + b¹, a¹ = f(z¹) for the m examples loaded by `loadInputs` — f too in the job, for
 * a sigmoid layer (each thread its panel's).
 */
const layer1Forward = (ws: Workspace, network: Network.Network, m: number): void => {
  const sigmoid = Network.activationOf(network, 0) === Activation.sigmoid
  ws.kernels.layer1Forward(ws.at.job, m, sigmoid)
  if (!sigmoid) activate(ws, network, 0, ws.layout.layers[0]!.outputs, m)
}

/**
 * ∂C/∂w¹_jk = Σ_e δ¹_ej x_ek, over the nonzero inputs, into the panels, and ∂C/∂b¹_j = Σ_e δ¹_ej
 * — and, with `step`, the step of those weights right after (see `backpropSum`).
 */
const layer1Backward = (ws: Workspace, m: number, step: Step | undefined): void => {
  const { at, kernels } = ws
  const stride = at.stride
  const nOut = ws.layout.layers[0]!.outputs
  if (stride !== nOut) {
    const delta = ws.deltas[0]!
    const padded = ws.paddedDelta
    for (let e = 0; e < m; e++) {
      for (let j = 0; j < nOut; j++) padded[e * stride + j] = delta[e * nOut + j]!
    }
  }
  if (step === undefined) {
    kernels.layer1Gradient(at.job, m)
  } else {
    const { eta, weightDecay } = step
    kernels.layer1GradientStep(at.job, m, 1 - eta * weightDecay, eta, 1 / m, weightDecay !== 0)
  }
}

/** zˡ = Wˡaˡ⁻¹ + bˡ, aˡ = f(zˡ) for a dense layer l ≥ 1 (0-based connection layers). */
const denseForward = (ws: Workspace, network: Network.Network, l: number, m: number): void => {
  const { at, kernels } = ws
  const { biasesOffset: bo, inputs: nIn, outputs: nOut } = ws.layout.layers[l]!
  const transposed = at.transposed[l]!
  kernels.combine(transposed.at, nIn, nOut, transposed.stride, at.activations[l - 1]!, m, at.zs[l]!)
  kernels.addBias(at.zs[l]!, at.params + bo * ws.size, nOut, m)
  activate(ws, network, l, nOut, m)
}

/** ∂C/∂wˡ_jk = Σ_e δˡ_ej aˡ⁻¹_ek for a dense layer l ≥ 1, then δˡ⁻¹ = (Wˡ)ᵀδˡ ⊙ f′(zˡ⁻¹). */
const denseBackward = (ws: Workspace, network: Network.Network, l: number, m: number): void => {
  const { at, kernels } = ws
  const { inputs: nIn, outputs: nOut, weightsOffset: wo } = ws.layout.layers[l]!
  kernels.denseGradient(at.gradient + wo * ws.size, at.deltas[l]!, nOut, at.activations[l - 1]!, nIn, m)
  kernels.combine(at.params + wo * ws.size, nOut, nIn, nIn, at.deltas[l]!, m, at.deltas[l - 1]!)
  const previous = ws.deltas[l - 1]!
  const hidden = Network.activationOf(network, l - 1)
  const fromOutput = hidden.derivativeFromOutput
  const end = m * nIn
  // δ·f′ in double, rounded once by the store (in f32): an element-wise function.
  if (hidden === Activation.sigmoid) {
    kernels.sigmoidBackward(at.deltas[l - 1]!, at.activations[l - 1]!, end)
  } else if (fromOutput !== undefined) {
    const a = ws.activations[l - 1]!
    for (let i = 0; i < end; i++) previous[i]! *= fromOutput(a[i]!)
  } else {
    const derivative = hidden.derivative
    const z = ws.zs[l - 1]!
    for (let i = 0; i < end; i++) previous[i]! *= derivative(z[i]!)
  }
}

/** ∂C/∂bˡ_j = Σ_e δˡ_ej, into the workspace's gradient, for a dense layer l ≥ 1. */
const biasBackward = (ws: Workspace, l: number, m: number): void => {
  const { biasesOffset: bo, outputs: nOut } = ws.layout.layers[l]!
  ws.kernels.sumColumns(ws.at.deltas[l]!, nOut, nOut, m, ws.at.gradient + bo * ws.size)
}

/** δᴸ = ∂C/∂zᴸ of the output layer, from the cost: (rows=m, cols=outputs). */
const outputDelta = (ws: Workspace, network: Network.Network, labels: Batch["labels"], m: number): void => {
  const last = ws.layout.layers.length - 1
  const nL = ws.layout.layers[last]!.outputs
  const aL = ws.activations[last]!
  const zL = ws.zs[last]!
  const delta = ws.deltas[last]!
  const cost = network.cost
  for (let e = 0; e < m; e++) {
    const label = labels[e]!
    for (let j = 0; j < nL; j++) {
      const i = e * nL + j
      delta[i] = cost.delta(network.output, zL[i]!, aL[i]!, j === label ? 1 : 0)
    }
  }
}

/**
 * a^{l+1} = f(W a^l + b) for every layer, for the examples of `batch`, into `ws`, with the
 * workspace's parameters.
 */
export const forward = (ws: Workspace, network: Network.Network, batch: Batch): void => {
  const m = batch.size
  loadInputs(ws, batch, ws.layout.sizes[0]!)
  layer1Forward(ws, network, m)
  for (let l = 1; l < ws.layout.layers.length; l++) denseForward(ws, network, l, m)
}

/** How a step goes: η, and the weight decay λ/n. */
export interface Step {
  readonly eta: number
  readonly weightDecay: number
}

/**
 * The gradient of the cost summed over a batch into the workspace's gradient (which must hold
 * zeros when called: a fresh workspace, or one `stepAndClear` has just used), and the mean cost
 * returned. The fold leaves the mean to `stepAndClear`, saving a pass.
 *   δᴸ = ∂C/∂zᴸ (from the cost),  δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ f′(zˡ),
 *   ∂C/∂bˡ = δˡ,  ∂C/∂wˡ_jk = δˡ_j aˡ⁻¹_k,  each averaged over the m examples.
 * With `step`, layer 1's weights also take their step as soon as their gradient is summed (the
 * same operations as `stepAndClear`'s, which must then be told `layer1Stepped`): a descent that
 * needs no gradient norm saves a pass over them.
 */
export const backpropSum = (ws: Workspace, network: Network.Network, batch: Batch, step?: Step): number => {
  const m = batch.size
  forward(ws, network, batch)
  const last = ws.layout.layers.length - 1
  outputDelta(ws, network, batch.labels, m)
  for (let l = last; l >= 1; l--) {
    biasBackward(ws, l, m)
    denseBackward(ws, network, l, m)
  }
  // Layer 1's bias gradient is summed in its gradient job, each thread its panel's.
  layer1Backward(ws, m, step)
  return totalCost(network, ws.activations[last]!, batch.labels, m) * (1 / m)
}

/**
 * `backpropSum` scaled to the mean gradient: ∇C averaged over the batch, in a new array laid
 * out like the parameters.
 */
export const backprop = (ws: Workspace, network: Network.Network, batch: Batch): { gradient: Float64Array; cost: number } => {
  ws.gradient.fill(0)
  for (const panel of ws.layer1) panel.gradient.fill(0)
  const cost = backpropSum(ws, network, batch)
  const round = Precision.rounding(ws.precision)
  const mean = round(1 / batch.size)
  const gradient = Float64Array.from(ws.gradient)
  const wo = network.layout.layers[0]!.weightsOffset
  eachLayer1(ws, "gradient", (i, g) => {
    gradient[wo + i] = g
  })
  for (let i = 0; i < gradient.length; i++) gradient[i] = round(gradient[i]! * mean)
  return { gradient, cost }
}

/**
 * ‖∇C‖ of the summed gradient in the workspace scaled by 1/m — the norm of the gradient
 * `backprop` returns, to the bit: the same products, added in the parameter vector's order.
 */
export const gradientNorm = (ws: Workspace, m: number): number => {
  const round = Precision.rounding(ws.precision)
  const mean = round(1 / m)
  const { gradient } = ws
  const { biasesOffset, inputs: nIn } = ws.layout.layers[0]!
  let sum = 0
  // Layer 1's weights come first in the vector; the workspace keeps them transposed, in
  // panels: entry (from + j, k) is the panel's gradient[k·width + j].
  for (const { gradient: panel, neurons, width } of ws.layer1) {
    for (let j = 0; j < neurons; j++) {
      for (let k = 0; k < nIn; k++) {
        const g = round(panel[k * width + j]! * mean)
        sum += g * g
      }
    }
  }
  for (let i = biasesOffset; i < gradient.length; i++) {
    const g = round(gradient[i]! * mean)
    sum += g * g
  }
  return Math.sqrt(sum)
}

/**
 * One step from a summed gradient, in place in the workspace, clearing the gradient for the
 * next batch: ∇C = sum·(1/m), then w ← (1 − η·decay)·w − η·∇C and b ← b − η·∇C — the same
 * operations, in the same order, as scaling the gradient and calling `Descent.step`.
 */
export const stepAndClear = (ws: Workspace, m: number, eta: number, weightDecay: number, layer1Stepped = false): void => {
  const mean = 1 / m
  // With no decay the factor is exactly 1, and 1·w is w: plain descent, bit for bit.
  const shrink = 1 - eta * weightDecay
  const { at, kernels } = ws
  const layers = ws.layout.layers
  const first = layers[0]!
  if (layer1Stepped) {
    // backpropSum's `step` has stepped layer 1's weights already.
  } else if (weightDecay === 0) {
    // Only the rows this batch touched have a nonzero gradient; a step leaves the others as
    // they are.
    kernels.layer1Step(at.job, shrink, eta, mean)
  } else {
    kernels.layer1StepAll(at.job, shrink, eta, mean)
  }
  kernels.stepRange(at.params, at.gradient, first.biasesOffset, first.biasesOffset + first.outputs, 1, eta, mean)
  for (let l = 1; l < layers.length; l++) {
    const slot = layers[l]!
    kernels.stepRange(at.params, at.gradient, slot.weightsOffset, slot.biasesOffset, shrink, eta, mean)
    kernels.stepRange(at.params, at.gradient, slot.biasesOffset, slot.biasesOffset + slot.outputs, 1, eta, mean)
  }
  // Layer 1 steps transposed; the later layers step as they are, then are transposed again.
  transposeFrom(ws, 1)
}

/**
 * An optimiser's rule and factors in the order assembly/optimisers.ts's `optimise` takes them:
 * its kind (1 momentum, 2 Nesterov's, 3 RMSprop, 4 Adam and AdamW), its step and seven factors.
 */
const ruleOf = (
  optimizer: Optimizer.Optimizer, f: ReturnType<typeof Optimizer.factors>
): { readonly kind: number; readonly step: number; readonly factors: readonly [number, number, number, number, number, number, number] } => {
  switch (optimizer.name) {
    case "sgd":
      throw new Error("plain descent steps with stepAndClear")
    case "momentum":
    case "nesterov":
      return { kind: optimizer.name === "momentum" ? 1 : 2, step: f.eta, factors: [f.momentum, 0, 0, 0, 0, 0, 0] }
    case "rmsprop":
      return { kind: 3, step: f.eta, factors: [f.beta2, f.rest2, f.epsilon, 0, 0, 0, 0] }
    case "adam":
    case "adamw":
      return { kind: 4, step: f.step, factors: [f.beta1, f.rest1, f.beta2, f.rest2, f.root, f.epsilon, f.keep] }
  }
}

/**
 * One step of `optimizer` (not plain descent: see `stepAndClear`) from a summed gradient, in
 * place in the workspace, its state too, clearing the gradient for the next batch: the
 * operations of `Optimizer.update` for step `t` (from 1), in its order. Every weight moves,
 * touched by the batch or not (its state does), so layer 1 takes its panels whole, padding lanes
 * included: theirs stay 0.
 */
export const optimiseAndClear = (
  ws: Workspace, m: number, optimizer: Optimizer.Optimizer, eta: number, l2: number, t: number
): void => {
  const f = Optimizer.factors(optimizer, eta, t, ws.precision)
  const mean = 1 / m
  const { at, kernels } = ws
  const coupled = l2 !== 0
  const { kind, step, factors: [f1, f2, f3, f4, f5, f6, keep] } = ruleOf(optimizer, f)
  // Layer 1's weights, each thread its panel's (assembly/jobs.ts).
  kernels.layer1Optimise(at.job, kind, mean, step, l2, coupled, f1, f2, f3, f4, f5, f6, keep)
  // The rest, in the parameter vector's layout; biases take no L2 and no decoupled decay.
  const [s1 = 0, s2 = 0] = at.moments.map((moment) => moment.vector)
  const range = (from: number, to: number, weights: boolean) =>
    kernels.optimise(kind, at.params, at.gradient, s1, s2, from, to, mean, step, l2, weights && coupled, f1, f2, f3, f4, f5, f6, weights ? keep : 1)
  for (const [l, slot] of ws.layout.layers.entries()) {
    if (l > 0) range(slot.weightsOffset, slot.biasesOffset, true)
    range(slot.biasesOffset, slot.biasesOffset + slot.outputs, false)
  }
  // Layer 1 steps transposed; the later layers step as they are, then are transposed again.
  transposeFrom(ws, 1)
}
