/**
 * Training in a Web Worker, so the page stays responsive: MNIST fetched with `Mnist.loadUrl`
 * (validated as on disk), then `@descent/files`'s `Training` — the very epoch `descent train`
 * runs — so that every epoch's `paramsSha256` is the CLI's for the same options, and the
 * `run.json` it hands back replays as `identical` with `descent replay`.
 *
 * Pausing waits at the event-loop turns the epoch takes every few hundred examples: the run
 * holds where it is and goes on from there, bit for bit as if never paused.
 *
 * @since 0.3.0
 */
import { Dataset } from "@descent/core"
import { Mnist } from "@descent/data"
import { ModelFile, RunRecord, Training, TrainingOptions } from "@descent/files"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Effect, Schema } from "effect"
import type { FromWorker, ToWorker } from "./Protocol.js"
import { versions } from "./Versions.js"

const scope = globalThis as unknown as {
  postMessage: (message: FromWorker, transfer?: Array<Transferable>) => void
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null
}
const post = (message: FromWorker) => scope.postMessage(message)

let paused = false
let stopRequested = false
let wake: (() => void) | undefined

// A turn of the worker's event loop (a MessageChannel message: no timer clamping), during
// which a "pause" is heard; while paused, the turn lasts until "resume".
const turn = Effect.async<void>((resume) => {
  const channel = new MessageChannel()
  channel.port1.onmessage = () => {
    channel.port1.close()
    if (!paused || stopRequested) return resume(Effect.void)
    wake = () => resume(Effect.void)
  }
  channel.port2.postMessage(null)
})

let turns = 0
const observer: Training.Observer = {
  onStep: (epoch, done, total, cost) => {
    if (done % 500 < 10 || done === total) post({ type: "progress", epoch, done, total, cost })
  },
  stopRequested: () => stopRequested,
  // Every 20th turn (about 5,000 examples), the parameters go to the page to be drawn.
  turn: Effect.zipRight(turn, Effect.sync(() => void (++turns % 20 === 0 && sendParams()))),
}

let current: Training.State | undefined
const sendParams = () => {
  if (current !== undefined) post({ type: "params", vector: Float64Array.from(current.params.vector) })
}

const run = (message: Extract<ToWorker, { type: "start" }>) =>
  Effect.gen(function* () {
    post({ type: "loading" })
    const options = yield* Schema.decodeUnknown(TrainingOptions.TrainingOptions)(message.options)
    // The page's copy when it has one (checked again as a Dataset), else fetched and checked here.
    const given = message.mnist
    const data = given === undefined
      ? yield* Mnist.loadUrl(message.data).pipe(Effect.provide(FetchHttpClient.layer))
      : { train: Dataset.make(given.train), test: Dataset.make(given.test), files: given.files }
    const begun = Training.begin(options, data)
    let state = begun.state
    current = state
    let status: "complete" | "interrupted" | "diverged" = "complete"
    while (state.epochs.length < options.epochs) {
      const before = state
      const next = yield* Effect.either(Training.epoch(before, begun.sets, observer))
      if (next._tag === "Left") {
        status = next.left._tag === "Stopped" ? "interrupted" : "diverged"
        break
      }
      state = next.right
      current = state
      sendParams()
      post({ type: "epoch", metrics: state.epochs[state.epochs.length - 1]! })
    }
    const environment = { engine: message.engine, node: "none (a web browser)", platform: message.platform, packages: versions }
    // Checked as `descent train` checks its records: never hand out a file descent cannot read.
    const runJson = yield* RunRecord.text(Training.record(state, RunRecord.fingerprints(data.files), status, environment))
    const modelJson = JSON.stringify(ModelFile.encode({ network: state.network, params: state.params })) + "\n"
    post({ type: "done", status, runJson, modelJson })
  })

scope.onmessage = (event) => {
  const message = event.data
  if (message.type === "start") {
    paused = false
    stopRequested = false
    Effect.runPromise(run(message)).catch((error: unknown) =>
      post({ type: "error", message: error instanceof Error ? error.message : String(error) })
    )
  } else if (message.type === "pause") {
    paused = true
  } else if (message.type === "resume" || message.type === "stop") {
    if (message.type === "stop") stopRequested = true
    paused = false
    wake?.()
    wake = undefined
  }
}
