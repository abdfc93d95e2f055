import { Batches, Dataset, Rng } from "@descent/core"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"

// 25 images of 1×2 pixels; image i has pixels (i, 255 − i) and label i mod 10.
const dataset = Dataset.make({
  rows: 1,
  cols: 2,
  pixels: Uint8Array.from({ length: 50 }, (_, p) => (p % 2 === 0 ? p / 2 : 255 - (p - 1) / 2)),
  labels: Uint8Array.from({ length: 25 }, (_, i) => i % 10)
})

const collect = (epoch: Batches.Epoch) => Effect.runSync(Stream.runCollect(epoch.batches)).pipe(Chunk.toReadonlyArray)

describe("Batches", () => {
  it("visits every example once per epoch and keeps a short final batch", () => {
    const batches = collect(Batches.epoch(dataset, Rng.make(1), 10))
    expect(batches.map((b) => b.size)).toEqual([10, 10, 5])
    const seen = batches.flatMap((b) => Array.from({ length: b.size }, (_, e) => Math.round(b.inputs[e * 2]! * 255)))
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(25).keys()])
  })

  it("scales byte pixels by 1/255 and carries each example's label", () => {
    const batch = Batches.fromIndices(dataset, [3, 0])
    expect([...batch.inputs]).toEqual([3 / 255, 252 / 255, 0, 1])
    expect([...batch.labels]).toEqual([3, 0])
    expect(batch.inputSize).toBe(2)
  })

  it("shuffles with the seed: same generator, same order; the next epoch differs", () => {
    const first = Batches.epoch(dataset, Rng.make(1), 10)
    const again = Batches.epoch(dataset, Rng.make(1), 10)
    const second = Batches.epoch(dataset, first.rng, 10)
    expect([...again.order]).toEqual([...first.order])
    expect([...second.order]).not.toEqual([...first.order])
  })

  it("a stream of batches can be run twice with the same result", () => {
    const epoch = Batches.epoch(dataset, Rng.make(2), 4)
    expect(collect(epoch).map((b) => [...b.labels])).toEqual(collect(epoch).map((b) => [...b.labels]))
  })

  it("sequential visits examples in order, and sizes are validated", () => {
    const sizes = [...Batches.sequential(dataset, 7)].map((b) => b.size)
    expect(sizes).toEqual([7, 7, 7, 4])
    expect(Batches.countOf(25, 7)).toBe(4)
    expect(() => [...Batches.sequential(dataset, 0)]).toThrow(/batch size must be a whole number/)
    expect(() => Batches.fromIndices(dataset, [25])).toThrow(/example 25 does not exist/)
  })

  it("fromIndices rejects a negative index as well as one past the end", () => {
    expect(() => Batches.fromIndices(dataset, [2, -1])).toThrow(new RangeError("example -1 does not exist: the dataset has 25"))
  })

  it("a batch's inputs are made once: reading them again gives the same array", () => {
    const batch = Batches.fromIndices(dataset, [4, 1])
    expect(batch.inputs).toBe(batch.inputs)
    expect([...batch.inputs]).toEqual([4 / 255, 251 / 255, 1 / 255, 254 / 255])
  })
})
