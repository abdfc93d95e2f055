// `descent train` checked against the library, not against itself: the same run built here
// from the chapter's steps — Params.init, then per epoch Batches.epoch (a new shuffle from the
// generator the last one left) and Descent.descend — must give the run record's hash after every
// epoch. A bug the CLI's training loop shares with replay and resume (say, every epoch shuffled
// alike) is seen here, since this chain shares nothing with that loop but the library.
import { Batches, Descent, Memory, Network, Optimizer, Params, Rng } from "@descent/core"
import { Mnist } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import { RunRecord } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { descent, temporary, tinyMnist } from "./fixtures.js"

const data = tinyMnist(600, 100)
const load = Mnist.loadDirectory(data.dir, Memory.standard).pipe(Effect.provide(NodeMnist.sha256), Effect.provide(NodeContext.layer))

const recorded = (args: ReadonlyArray<string>): ReadonlyArray<string> => {
  const out = join(temporary("chain"), "run")
  const result = descent(["train", "--data", data.dir, ...args, "--out", out, "--json"])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(readFileSync(join(out, "run.json"), "utf8")).epochs.map((e: { paramsSha256: string }) => e.paramsSha256)
}

describe("descent train against the library's own chain", () => {
  it("the chapter's descent: each epoch's parameters are those of Params.init → Batches.epoch → Descent.descend", async () => {
    const { train } = await Effect.runPromise(load)
    const network = Network.make({ sizes: [784, 16, 10] })
    let [params, rng] = Params.init(network.layout, Rng.make(5))
    const hashes: Array<string> = []
    for (let epoch = 1; epoch <= 3; epoch++) {
      const shuffled = Batches.epoch(train, rng, 10)
      params = await Effect.runPromise(shuffled.batches.pipe(Descent.descend({ network, params, eta: 1.0 })))
      rng = shuffled.rng
      hashes.push(RunRecord.paramsSha256(params))
    }
    // Each epoch differs from the last (a shuffle that repeated, or no step, would not show
    // here otherwise), and the CLI's record is this chain, epoch by epoch.
    expect(new Set(hashes).size).toBe(3)
    expect(recorded(["--layers", "784,16,10", "--eta", "1.0", "--epochs", "3", "--seed", "5"])).toEqual(hashes)
  }, 60_000)

  it("with momentum, L2, a schedule and a batch of 7: the optimiser's state carried from epoch to epoch", async () => {
    const { train } = await Effect.runPromise(load)
    const network = Network.make({ sizes: [784, 16, 10], output: "softmax", cost: "cross-entropy" })
    let [params, rng] = Params.init(network.layout, Rng.make(9), "scaled")
    const optimizer = Optimizer.make("momentum", { momentum: 0.8 })
    let state = Optimizer.initial(optimizer, network.layout)
    const hashes: Array<string> = []
    for (let epoch = 1; epoch <= 3; epoch++) {
      const shuffled = Batches.epoch(train, rng, 7)
      // --schedule step --eta-decay 0.5 --decay-every 2: η 0.5, 0.5, 0.25; --l2 2 over 600 images.
      const eta = 0.5 * 0.5 ** Math.floor((epoch - 1) / 2)
      const result = await Effect.runPromise(
        Descent.descendWithState(shuffled.batches, { network, params, eta, weightDecay: 2 / 600, optimizer, state })
      )
      params = result.params
      state = result.state
      rng = shuffled.rng
      hashes.push(RunRecord.paramsSha256(params))
    }
    expect(new Set(hashes).size).toBe(3)
    expect(recorded([
      "--layers", "784,16,10", "--output", "softmax", "--cost", "cross-entropy", "--init", "scaled", "--optimizer", "momentum",
      "--momentum", "0.8", "--eta", "0.5", "--schedule", "step", "--eta-decay", "0.5", "--decay-every", "2", "--l2", "2",
      "--batch-size", "7", "--epochs", "3", "--seed", "9"
    ])).toEqual(hashes)
  }, 60_000)
})
