// The LayersModel: a Sequential of Dense layers whose kernels are descent's weights transposed
// ((in, out), as Keras keeps them), every number a float32 in the manifest's order; written as a
// folder that appears whole or not at all.
import { Network, Params, Rng } from "@descent/core"
import { FileError, RunRecord, TfjsModel } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const folder = () => mkdtempSync(join(tmpdir(), "descent-tfjs-"))
const network = Network.make({ sizes: [784, 30, 10], hidden: "relu", output: "softmax", cost: "cross-entropy" })
const [params] = Params.init(network.layout, Rng.make(5), "scaled")
const model = { network, params }

describe("TfjsModel", () => {
  it("is a Sequential of Dense layers with kernels (in, out) and biases, every number float32 in the manifest's order", () => {
    const { modelJson, weightData, weightSpecs } = TfjsModel.encode(model, { producerVersion: "0.4.0" })
    expect(modelJson.format).toBe("layers-model")
    expect(modelJson.generatedBy).toBe("descent 0.4.0")
    const topology = modelJson.modelTopology as { class_name: string; config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } }
    expect(topology.class_name).toBe("Sequential")
    expect(topology.config.layers.map((l) => [l.class_name, l.config.units, l.config.activation, l.config.use_bias])).toEqual([["Dense", 30, "relu", true], ["Dense", 10, "softmax", true]])
    expect(topology.config.layers[0]!.config.batch_input_shape).toEqual([null, 784])
    expect(weightSpecs.map((w) => [w.name, w.shape])).toEqual([["layer1/kernel", [784, 30]], ["layer1/bias", [30]], ["layer2/kernel", [30, 10]], ["layer2/bias", [10]]])
    expect(modelJson.weightsManifest).toEqual([{ paths: [TfjsModel.shardName], weights: weightSpecs }])
    expect(weightData.byteLength).toBe(4 * network.layout.size)
    const stored = new Float32Array(weightData.buffer, weightData.byteOffset, network.layout.size)
    // Kernel entry (k, j) of layer 1 is weight j·784 + k; then its 30 biases; then layer 2's.
    const w1 = Params.weights(params, 0)
    for (const [k, j] of [[0, 0], [0, 1], [1, 0], [783, 29], [400, 17]] as const) expect(stored[k * 30 + j]).toBe(Math.fround(w1[j * 784 + k]!))
    expect(Array.from(stored.subarray(784 * 30, 784 * 30 + 30))).toEqual(Array.from(Params.biases(params, 0), Math.fround))
    const w2 = Params.weights(params, 1)
    expect(stored[784 * 30 + 30 + 29 * 10 + 9]).toBe(Math.fround(w2[9 * 30 + 29]!))
    expect(modelJson.userDefinedMetadata.descent).toMatchObject({ layers: "784-30-10", cost: "cross-entropy", paramsSha256: RunRecord.paramsSha256(params) })
  })

  it.effect("writes model.json and its shard into a new folder, leaving nothing else beside it", () =>
    Effect.gen(function* () {
      const parent = folder()
      yield* TfjsModel.write(join(parent, "tfjs"), model, { source: { seed: 4, epochs: 2, paramsSha256: RunRecord.paramsSha256(params) } })
      expect(readdirSync(parent)).toEqual(["tfjs"])
      expect(readdirSync(join(parent, "tfjs")).sort()).toEqual([TfjsModel.shardName, "model.json"])
      const json = JSON.parse(readFileSync(join(parent, "tfjs", "model.json"), "utf8"))
      expect(json.userDefinedMetadata.descent).toMatchObject({ seed: 4, epochs: 2 })
      expect(readFileSync(join(parent, "tfjs", TfjsModel.shardName))).toEqual(Buffer.from(TfjsModel.encode(model).weightData))
      // An empty folder is filled; a folder with something in it is left as it is.
      mkdirSync(join(parent, "empty"))
      yield* TfjsModel.write(join(parent, "empty"), model)
      expect(readdirSync(join(parent, "empty")).sort()).toEqual([TfjsModel.shardName, "model.json"])
      mkdirSync(join(parent, "full"))
      writeFileSync(join(parent, "full", "notes.txt"), "mine")
      const exit = yield* Effect.exit(TfjsModel.write(join(parent, "full"), model))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error instanceof FileError).toBe(true)
      expect(String(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error.message : "")).toMatch(/full: is a folder that is not empty; give a new folder/)
      expect(readdirSync(join(parent, "full"))).toEqual(["notes.txt"])
      expect(readdirSync(parent).sort()).toEqual(["empty", "full", "tfjs"])
    }).pipe(Effect.provide(NodeContext.layer)))
})
