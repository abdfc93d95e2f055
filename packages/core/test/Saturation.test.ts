// Saturation: a network whose neurons are pinned or dead, at chance, has stalled; one that
// learns, or that is merely bad while its neurons still move, has not.
import { Activation, Feedforward, Network, Params, Rng, Saturation } from "@descent/core"
import { Dataset } from "@descent/core"
import { describe, expect, it } from "vitest"

const images = (() => {
  const count = 100
  const pixels = new Uint8Array(count * 16)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10
    for (let p = 0; p < 16; p++) pixels[i * 16 + p] = (i * 7 + p * 13) % 256
  }
  return Dataset.make({ rows: 4, cols: 4, pixels, labels })
})()

// Blank one-pixel images: every weighted input is just its bias, so biases set the outputs.
const blank = (count: number) => Dataset.make({ rows: 1, cols: 1, pixels: new Uint8Array(count), labels: new Uint8Array(count) })

const withBiases = (network: Network.Network, biases: ReadonlyArray<number>) =>
  Params.fromArray(network.layout, [...new Array<number>(network.layout.size - biases.length).fill(0), ...biases])

const scaled = (network: Network.Network, seed: number, factor: number, shift = 0) => {
  const [params] = Params.init(network.layout, Rng.make(seed), "scaled")
  return Params.fromArray(network.layout, Array.from(params.vector, (v) => v * factor + shift))
}

describe("Saturation", () => {
  it("finds sigmoids pinned by huge weights, and calls the network stalled at chance", () => {
    const network = Network.make({ sizes: [16, 8, 10] })
    const measured = Saturation.measure(network, scaled(network, 1, 1e6), images)
    expect(measured.images).toBe(100)
    expect(measured.stuckHidden[0]).toBeGreaterThanOrEqual(0.9)
    expect(measured.pinnedOutputs).toBeGreaterThanOrEqual(0.99)
    const stall = Saturation.diagnose(network, measured, 0.1, Saturation.chanceOf(images.labels))
    expect(stall?.reason).toMatch(/^\d+% of the 8 neurons of hidden layer 1 are pinned \(sigmoid at 0 or 1 for every image\); 100% of the output activations are pinned at 0 or 1/)
  })

  it("finds ReLUs that are dead for every image", () => {
    const network = Network.make({ sizes: [16, 8, 10], hidden: "relu" })
    // Every bias and weight pushed far below zero: no hidden neuron ever fires.
    const measured = Saturation.measure(network, scaled(network, 2, 1, -100), images)
    expect(measured.stuckHidden[0]).toBe(1)
    expect(Saturation.diagnose(network, measured, 0.1, 0.1)?.reason).toMatch(/100% of the 8 neurons of hidden layer 1 are dead \(ReLU at 0 for every image\)/)
  })

  it("does not call a healthy network stalled, nor a saturated one that does better than chance", () => {
    const network = Network.make({ sizes: [16, 8, 10] })
    const healthy = Saturation.measure(network, scaled(network, 3, 1), images)
    expect(healthy.stuckHidden[0]).toBe(0)
    expect(Saturation.diagnose(network, healthy, 0.1, 0.1)).toBeUndefined()
    const pinned = Saturation.measure(network, scaled(network, 1, 1e6), images)
    expect(Saturation.diagnose(network, pinned, 0.9, 0.1)).toBeUndefined()
  })

  it("takes chance as the share of the commonest label", () => {
    expect(Saturation.chanceOf(images.labels)).toBe(0.1)
    expect(Saturation.chanceOf(Uint8Array.from([1, 1, 1, 2]))).toBe(0.75)
    expect(Saturation.chanceOf(new Uint8Array(0))).toBe(0)
  })

  it("looks at the first `sample` images, and counts the digit named most often", () => {
    // No weights, the largest bias on output 3: the network names 3 for every image.
    const network = Network.make({ sizes: [16, 10] })
    const params = withBiases(network, [0, 0, 0, 5, 0, 0, 0, 0, 0, 0])
    const measured = Saturation.measure(network, params, images, 5)
    expect(measured.images).toBe(5)
    expect(measured.mostNamed).toEqual({ digit: 3, share: 1 })
    expect(Saturation.measure(network, params, images, 1000).images).toBe(100)
  })

  it("measures no images as nothing pinned and nothing named, and never calls that a stall", () => {
    const network = Network.make({ sizes: [16, 8, 10] })
    const measured = Saturation.measure(network, scaled(network, 1, 1e6), images, 0)
    // With no image to move them, every hidden neuron counts as stuck — yet that is no stall.
    expect(measured).toEqual({ images: 0, stuckHidden: [1], pinnedOutputs: 0, mostNamed: { digit: 0, share: 0 } })
    expect(Saturation.diagnose(network, measured, 0, 0.1)).toBeUndefined()
  })

  it("counts a sigmoid or ReLU output as pinned only when closer than 10⁻⁶ to 0 or 1", () => {
    // ReLU outputs equal their biases, so the bounds themselves can be hit exactly.
    const network = Network.make({ sizes: [1, 4], output: "relu" })
    const measured = Saturation.measure(network, withBiases(network, [0, 1e-6, 1 - 1e-6, 1]), blank(3))
    expect(measured.pinnedOutputs).toBe(0.5)
    // Every output counts, not only the top one.
    const sigmoid = Network.make({ sizes: [1, 3] })
    expect(Saturation.measure(sigmoid, withBiases(sigmoid, [100, 0, 0]), blank(3)).pinnedOutputs).toBe(1 / 3)
  })

  it("counts a softmax output as pinned per image, when its top output is closer than 10⁻⁶ to 1", () => {
    const network = Network.make({ sizes: [1, 3], output: "softmax", cost: "cross-entropy" })
    const pinnedBy = (biases: ReadonlyArray<number>) => Saturation.measure(network, withBiases(network, biases), blank(4)).pinnedOutputs
    expect(pinnedBy([100, 0, 0])).toBe(1)
    // Two outputs at ½ and one near 0: the near-zero one does not make the image pinned.
    expect(pinnedBy([0, 0, -100])).toBe(0)
    // A top output of exactly 1 − 10⁻⁶ is not pinned.
    const edge = [13.815509558, 0, -1000]
    expect(Feedforward.output(network, withBiases(network, edge), new Float64Array(1))[0]).toBe(1 - 1e-6)
    expect(pinnedBy(edge)).toBe(0)
  })

  it("counts a hidden neuron as stuck only when its derivative is below `vanished`", () => {
    // A sigmoid whose derivative is exactly the threshold everywhere: never stuck.
    const network = Network.make({ sizes: [16, 8, 10] })
    const edge = { ...network, hidden: { ...Activation.sigmoid, derivative: () => Saturation.vanished } }
    expect(Saturation.measure(edge, scaled(network, 1, 1e6), images).stuckHidden).toEqual([0])
  })

  it("calls a network stalled from 90% of a hidden layer stuck or 99% of outputs pinned, and says when it names one digit", () => {
    const network = Network.make({ sizes: [16, 10, 10] })
    const measured = (stuck: number, pinned: number, share: number): Saturation.Measure => ({
      images: 100,
      stuckHidden: [stuck],
      pinnedOutputs: pinned,
      mostNamed: { digit: 7, share }
    })
    const reason = (m: Saturation.Measure) => Saturation.diagnose(network, m, 0.1, 0.1)?.reason
    expect(reason(measured(0.9, 0, 0.5))).toBe("90% of the 10 neurons of hidden layer 1 are pinned (sigmoid at 0 or 1 for every image)")
    expect(reason(measured(0, 0.99, 0.5))).toBe("99% of the output activations are pinned at 0 or 1")
    expect(reason(measured(0, 0.99, 0.9))).toBe("99% of the output activations are pinned at 0 or 1; it names 7 for 90% of the images")
    // Naming one digit alone is no stall.
    expect(reason(measured(0.89, 0.98, 1))).toBeUndefined()
  })

  it("counts accuracy up to exactly 5 points above chance as at chance", () => {
    expect(Saturation.atChance(0.1 + 0.05, 0.1)).toBe(true)
    expect(Saturation.atChance(0.16, 0.1)).toBe(false)
  })
})
