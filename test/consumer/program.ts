// A stranger's program, type-checked and run by test/consumer.test.ts against descent's packed
// tarballs installed with plain npm: it trains the chapter's network for 300 mini-batches,
// saves the model with @descent/files, loads it back, takes it through ONNX (float64) and
// network2's JSON and back, and prints what it found. The `descent` CLI then reads the saved file.
import { Batches, Descent, Evaluate, Network, Params, Rng } from "@descent/core"
import { Mnist } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import { ModelFile, NielsenModel, OnnxModel, RunRecord } from "@descent/files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Console, Effect, Stream } from "effect"

const out = process.argv[2] ?? "model.json"

const program = Effect.gen(function* () {
  const { test, train } = yield* Mnist.Mnist
  const network = Network.chapter // 784-16-16-10
  const [initial, rng] = Params.init(network.layout, Rng.make(1))
  const params = yield* Batches.epoch(train, rng, 10).batches.pipe(
    Stream.take(300),
    Descent.descend({ network, params: initial, eta: 3.0 })
  )
  yield* ModelFile.write(out, { network, params })
  const loaded = yield* ModelFile.read(out)
  const { accuracy } = Evaluate.evaluate(loaded.network, loaded.params, test)
  // The same network in other programs' formats, and back: every bit of it.
  yield* OnnxModel.write(`${out}.onnx`, loaded, { dtype: "float64" })
  yield* NielsenModel.write(`${out}.network2.json`, loaded)
  const hash = RunRecord.paramsSha256(params)
  const travelled = {
    onnx: RunRecord.paramsSha256((yield* OnnxModel.read(`${out}.onnx`)).params) === hash,
    nielsen: RunRecord.paramsSha256((yield* NielsenModel.read(`${out}.network2.json`)).params) === hash
  }
  yield* Console.log(JSON.stringify({ identical: Params.equals(loaded.params, params), accuracy, travelled }))
})

program.pipe(Effect.provide(NodeMnist.bundled), Effect.provide(NodeContext.layer), Effect.runPromise)
