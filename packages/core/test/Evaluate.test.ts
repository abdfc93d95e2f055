import { Dataset, Evaluate, Feedforward, Network, Params, Rng } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"

// A 2-2 network whose output j is σ(10·x_j − 5): it names the brighter of two pixels.
const network = Network.make({ sizes: [2, 2] })
const params = Params.fromArray(network.layout, [10, 0, 0, 10, -5, -5])

describe("Evaluate", () => {
  it("activations: every layer's, for every example, as feedforward computes them one by one", () => {
    const deep = Network.make({ sizes: [16, 7, 5, 10] })
    const [weights] = Params.init(deep.layout, Rng.make(3))
    const [noise] = Rng.uniforms(Rng.make(4), 130 * 16)
    const dataset = Dataset.make({ rows: 4, cols: 4, pixels: Uint8Array.from(noise, (u) => (u < 0.6 ? 0 : Math.floor(u * 256))), labels: new Uint8Array(130) })
    for (const layer of [1, 2, 3]) {
      const n = deep.layout.sizes[layer]!
      const all = Evaluate.activations(deep, weights, dataset, layer)
      expect(all.length).toBe(130 * n)
      for (let e = 0; e < 130; e++) {
        const one = Feedforward.feedforward(deep, weights, Dataset.inputs(Array.from({ length: 16 }, (_, k) => dataset.pixels[e * 16 + k]!))).activations[layer]!
        expect(Array.from(all.subarray(e * n, (e + 1) * n))).toEqual(Array.from(one))
      }
    }
    expect(Array.from(Evaluate.outputs(deep, weights, dataset))).toEqual(Array.from(Evaluate.activations(deep, weights, dataset, 3)))
    expect(() => Evaluate.activations(deep, weights, dataset, 0)).toThrow(new RangeError("16-7-5-10 has layers 1 to 3, not 0"))
    expect(() => Evaluate.activations(deep, weights, dataset, 4)).toThrow(new RangeError("16-7-5-10 has layers 1 to 3, not 4"))
  })

  it("counts correct answers, averages the cost and fills the confusion matrix", () => {
    const dataset = Dataset.make({
      rows: 1,
      cols: 2,
      pixels: Uint8Array.from([255, 0, 0, 255, 255, 0, 0, 255]),
      labels: Uint8Array.from([0, 1, 1, 1])
    })
    const result = Evaluate.evaluate(network, params, dataset)
    expect(result.count).toBe(4)
    expect(result.correct).toBe(3)
    expect(result.accuracy).toBe(0.75)
    expect(result.confusion).toEqual([
      [1, 0],
      [1, 2]
    ])
    // Outputs are σ(5) and σ(−5) for every image; a right answer costs ½((1−σ5)² + σ(−5)²).
    const s = 1 / (1 + Math.exp(-5))
    const right = 0.5 * ((1 - s) ** 2 + (1 - s) ** 2)
    const wrong = 0.5 * (s ** 2 + s ** 2)
    expect(result.cost).toBeCloseTo((3 * right + wrong) / 4, 12)
  })

  it("of no examples: nothing counted, accuracy and cost 0 (not NaN)", () => {
    const empty = Dataset.make({ rows: 1, cols: 2, pixels: new Uint8Array(0), labels: new Uint8Array(0) })
    expect(Evaluate.evaluate(network, params, empty)).toEqual({ count: 0, correct: 0, accuracy: 0, cost: 0, confusion: [[0, 0], [0, 0]] })
  })

  it("a label the network has no output for counts as wrong and stays out of the confusion matrix", () => {
    // The 2-2 network names 0 or 1; the second example's label is 5.
    const dataset = Dataset.make({ rows: 1, cols: 2, pixels: Uint8Array.from([255, 0, 255, 0]), labels: Uint8Array.from([0, 5]) })
    const result = Evaluate.evaluate(network, params, dataset)
    expect([result.count, result.correct, result.accuracy]).toEqual([2, 1, 0.5])
    expect(result.confusion).toEqual([[1, 0], [0, 0]])
  })

  it("memory counts 8 bytes per output neuron per example on top of a fixed workspace", () => {
    const layout = Network.make({ sizes: [16, 7, 3] }).layout
    expect(Evaluate.memory(layout, 10) - Evaluate.memory(layout, 0)).toBe(8 * 10 * 3)
    expect(Evaluate.memory(layout, 25) - Evaluate.memory(layout, 5)).toBe(8 * 20 * 3)
  })

  it("agrees with feedforward one example at a time, across the chunk boundary", () => {
    const count = 237
    const pixels = Uint8Array.from({ length: count * 2 }, (_, i) => (i * 37) % 256)
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 2)
    const dataset = Dataset.make({ rows: 1, cols: 2, pixels, labels })
    let correct = 0
    for (let i = 0; i < count; i++) {
      const out = Feedforward.output(network, params, [pixels[2 * i]! / 255, pixels[2 * i + 1]! / 255])
      if (Feedforward.argmax(out) === labels[i]) correct++
    }
    expect(Evaluate.evaluate(network, params, dataset).correct).toBe(correct)
  })

  it("turns bytes into inputs one way (v / 255): the fast path and a single image agree to the bit", () => {
    // Every byte value once, in 16 images of 4×4; random weights, so every pixel moves the outputs.
    const wide = Network.make({ sizes: [16, 3, 10] })
    const [random] = Params.init(wide.layout, Rng.make(5))
    const pixels = Uint8Array.from({ length: 256 }, (_, v) => v)
    const dataset = Dataset.make({ rows: 4, cols: 4, pixels, labels: new Uint8Array(16) })
    const fast = Evaluate.outputs(wide, random, dataset) // (rows=16 images, cols=10 outputs)
    for (let i = 0; i < 16; i++) {
      const one = Feedforward.output(wide, random, Dataset.inputs(pixels.subarray(i * 16, (i + 1) * 16)))
      expect([...fast.subarray(i * 10, (i + 1) * 10)]).toEqual([...one])
    }
    expect([...Dataset.inputTable]).toEqual(Array.from({ length: 256 }, (_, v) => v / 255))
    expect([...Dataset.inputs([0, 3, 255])]).toEqual([0, 3 / 255, 1])
  })

  it("feedforward returns every layer's activations, input first", () => {
    const { activations, zs } = Feedforward.feedforward(network, params, [1, 0])
    expect(activations.length).toBe(2)
    expect([...activations[0]!]).toEqual([1, 0])
    expect([...zs[0]!]).toEqual([5, -5])
    expect(() => Feedforward.feedforward(network, params, [1])).toThrow(/takes 2 input activations, got 1/)
  })
})
