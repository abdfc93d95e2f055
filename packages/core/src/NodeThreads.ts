/**
 * Helper threads for a descent on Node (and Bun, and Deno), as `node:worker_threads` workers:
 * see `Threads`. `scoped(n)` starts n − 1 helpers and stops them when the scope closes.
 *
 * @since 0.4.0
 */
import { Effect, type Scope } from "effect"
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import * as Threads from "./Threads.js"

// A helper's whole program: for each piece of work, instantiate the kernels in the shared memory
// and serve jobs until told to quit. It keeps no reference to the process: `unref`, so an idle
// helper never holds the process open.
const helperSource = `
const { parentPort } = require("node:worker_threads")
parentPort.on("message", ({ module, memory, job, thread }) => {
  const instance = new WebAssembly.Instance(module, { env: { memory } })
  instance.exports.serve(job, thread)
})
`

const spawn = (): Threads.Helper => {
  const worker = new Worker(helperSource, { eval: true, name: "descent layer-1 helper" })
  worker.unref()
  return {
    post: (message) => worker.postMessage(message),
    terminate: () => void worker.terminate()
  }
}

/**
 * A pool of `count` threads, helpers started now (`count − 1` of them) and never stopped: call
 * its `close`. Prefer `scoped`.
 *
 * @since 0.4.0
 * @category constructors
 */
export const make = (count: number): Threads.Threads => Threads.make(count, spawn)

/**
 * A pool of `count` threads whose helpers stop when the scope closes.
 *
 * @since 0.4.0
 * @category constructors
 */
export const scoped = (count: number): Effect.Effect<Threads.Threads, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => make(count)),
    (pool) => Effect.sync(() => pool.close())
  )

/**
 * The machine's cores as Node counts them (`os.availableParallelism`).
 *
 * @since 0.4.0
 * @category constructors
 */
export const cores = (): number => availableParallelism()
