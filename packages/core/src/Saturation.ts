/**
 * Saturation: when learning has stopped although nothing became infinite. A sigmoid neuron
 * whose weighted input z is large (|z| ≳ 20) is pinned at 0 or 1, a ReLU neuron whose z is
 * negative for every input is dead; either way its derivative f′(z) is 0 and the gradient
 * through it vanishes, so gradient descent can no longer move the weights that feed it. Too
 * large a learning rate does this in a few steps (η = 10⁶ for the chapter's network, or 30
 * with ReLU): the cost stops falling, the network names the same digit for every image, and
 * accuracy stays at chance.
 *
 * `measure` looks at a sample of images; `diagnose` says whether the network has stalled —
 * saturated *and* no better than chance — and why, in words a user can act on.
 *
 * Not for: divergence (a cost or parameter that is no longer finite is found by the fold
 * itself), or judging accuracy (see `Evaluate`).
 *
 * @since 0.3.0
 */
import * as Batches from "./Batches.js"
import * as Dataset from "./Dataset.js"
import * as Feedforward from "./Feedforward.js"
import * as Layout from "./Layout.js"
import type * as Network from "./Network.js"
import type * as Params from "./Params.js"

/**
 * Below this, a derivative f′(z) counts as vanished (σ′(z) < 10⁻⁸ when |z| > 18.4).
 *
 * @since 0.3.0
 * @category constants
 */
export const vanished = 1e-8

/**
 * What saturation looks like on a sample of images.
 *
 * @since 0.3.0
 * @category models
 */
export interface Measure {
  /** Images looked at. */
  readonly images: number
  /**
   * Per hidden layer: the fraction of its neurons that are stuck — f′(z) below `vanished` for
   * every image of the sample (a pinned sigmoid, a dead ReLU).
   */
  readonly stuckHidden: ReadonlyArray<number>
  /**
   * The fraction of output activations pinned: for sigmoid outputs, within 10⁻⁶ of 0 or 1;
   * for a softmax, the images whose top output is within 10⁻⁶ of 1.
   */
  readonly pinnedOutputs: number
  /** The digit the network names most often, and the fraction of images it names it for. */
  readonly mostNamed: { readonly digit: number; readonly share: number }
}

/**
 * Saturation over the first `sample` examples of `dataset`.
 *
 * @since 0.3.0
 * @category measuring
 */
export const measure = (network: Network.Network, params: Params.Params, dataset: Dataset.Dataset, sample = 100): Measure => {
  const images = Math.min(sample, dataset.count)
  const layers = network.layout.layers
  const hiddenLayers = layers.length - 1
  // stuck[l][j] stays true while every image so far left neuron j of hidden layer l with a
  // vanished derivative.
  const stuck = layers.slice(0, hiddenLayers).map((slot) => new Array<boolean>(slot.outputs).fill(true))
  const classes = Layout.outputSize(network.layout)
  const named = new Array<number>(classes).fill(0)
  let pinned = 0
  let outputsSeen = 0
  for (const batch of Batches.sequential(Dataset.take(dataset, images), 1)) {
    const { activations, zs } = Feedforward.feedforward(network, params, batch.inputs)
    for (let l = 0; l < hiddenLayers; l++) {
      const z = zs[l]!
      const row = stuck[l]!
      for (let j = 0; j < row.length; j++) {
        if (row[j] && !(Math.abs(network.hidden.derivative(z[j]!)) < vanished)) row[j] = false
      }
    }
    const out = activations[activations.length - 1]!
    const top = Feedforward.argmax(out)
    named[top]!++
    if (network.output.applyLayer !== undefined) {
      outputsSeen++
      if (out[top]! > 1 - 1e-6) pinned++
    } else {
      for (let j = 0; j < out.length; j++) {
        outputsSeen++
        if (out[j]! < 1e-6 || out[j]! > 1 - 1e-6) pinned++
      }
    }
  }
  const digit = Feedforward.argmax(named)
  return {
    images,
    stuckHidden: stuck.map((row) => row.filter(Boolean).length / row.length),
    pinnedOutputs: outputsSeen === 0 ? 0 : pinned / outputsSeen,
    mostNamed: { digit, share: images === 0 ? 0 : named[digit]! / images }
  }
}

/**
 * Why learning has stopped, when it has.
 *
 * @since 0.3.0
 * @category models
 */
export interface Stall {
  /** What was seen, in words: "all 16 neurons of hidden layer 1 are dead (ReLU at 0 for every image)". */
  readonly reason: string
  readonly measure: Measure
}

/**
 * Whether a network whose accuracy on labelled images is `accuracy` has stalled: its accuracy
 * is no better than always naming the commonest label (`chance`, plus 5 points), and it is
 * saturated — 90% or more of some hidden layer's neurons stuck, or 99% or more of its outputs
 * pinned. A network that is merely bad (a memorisation run's test accuracy, an early epoch,
 * too small a learning rate) is not stalled: its neurons still move.
 *
 * @since 0.3.0
 * @category diagnosing
 */
export const diagnose = (
  network: Network.Network,
  measured: Measure,
  accuracy: number,
  chance: number
): Stall | undefined => {
  if (measured.images === 0 || !atChance(accuracy, chance)) return undefined
  const kind = network.hidden.name === "relu" ? "dead (ReLU at 0 for every image)" : "pinned (sigmoid at 0 or 1 for every image)"
  const layer = measured.stuckHidden.findIndex((fraction) => fraction >= 0.9)
  const percent = (f: number) => `${Math.round(f * 100)}%`
  const reasons: Array<string> = []
  if (layer >= 0) {
    const n = network.layout.sizes[layer + 1]!
    reasons.push(`${percent(measured.stuckHidden[layer]!)} of the ${n} neurons of hidden layer ${layer + 1} are ${kind}`)
  }
  if (measured.pinnedOutputs >= 0.99) reasons.push(`${percent(measured.pinnedOutputs)} of the output activations are pinned at 0 or 1`)
  if (reasons.length === 0) return undefined
  // Naming one digit for nearly every image is what saturation looks like from outside; alone
  // it is no proof (a network that has barely begun can do it too).
  if (measured.mostNamed.share >= 0.9) {
    reasons.push(`it names ${measured.mostNamed.digit} for ${percent(measured.mostNamed.share)} of the images`)
  }
  return { reason: reasons.join("; "), measure: measured }
}

/**
 * Whether `accuracy` is no better than `chance` (see `chanceOf`), give or take 5 points: the
 * first condition of a stall, and the cheap one — a caller can skip `measure` when it fails.
 *
 * @since 0.3.0
 * @category diagnosing
 */
export const atChance = (accuracy: number, chance: number): boolean => accuracy <= chance + 0.05

/**
 * The share of the commonest label among `labels`: the accuracy of always naming it.
 *
 * @since 0.3.0
 * @category diagnosing
 */
export const chanceOf = (labels: ArrayLike<number>): number => {
  if (labels.length === 0) return 0
  const counts = new Array<number>(10).fill(0)
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++
  return Math.max(...counts) / labels.length
}
