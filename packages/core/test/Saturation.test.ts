// Saturation: a network whose neurons are pinned or dead, at chance, has stalled; one that
// learns, or that is merely bad while its neurons still move, has not.
import { Network, Params, Rng, Saturation } from "@descent/core"
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
})
