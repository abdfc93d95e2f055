/**
 * Threads for a descent: layer 1 — 95% of the arithmetic — shared out between the caller and
 * `count − 1` helper threads working in the same (shared) WebAssembly memory. Each thread owns a
 * panel of layer 1's neurons (their forward sums, gradient and step) and loads a range of the
 * batch's examples; it always takes whole sums, so the parameters come out bit for bit the same
 * for any thread count. A pool of 1 has no helpers: the caller alone, in unshared memory.
 *
 * This module is platform-free: it is given a way to start a helper (`make`'s `spawn`).
 * `@descent/core/NodeThreads` gives one for Node (and Bun and Deno, through
 * `node:worker_threads`), scoped so that the helpers stop with the scope.
 *
 * When threads pay: each batch hands out three jobs (load, forward, gradient and step), each a
 * fraction of a microsecond of handing out, while the JavaScript between them (the activations,
 * the small layers) stays on one thread; so they pay when a batch's layer-1 work is large — wide
 * first layers, dense images. See the README for measurements.
 *
 * Not for: running separate trainings side by side (that is a process per run: `--seeds`).
 *
 * @since 0.4.0
 */

/**
 * What a helper is told to work on: the kernels' module, the shared memory, and the job block
 * in it (a byte offset). It instantiates `module` with `{ env: { memory } }` and calls
 * `serve(job, thread)`, which returns when the caller calls `quit`.
 *
 * @since 0.4.0
 * @category models
 */
export interface Work {
  readonly module: object
  readonly memory: object
  readonly job: number
  /** Tells the helpers to leave this work (called by the pool, before new work or on close). */
  readonly quit: () => void
}

/**
 * A started helper thread, as `spawn` returns it.
 *
 * @since 0.4.0
 * @category models
 */
export interface Helper {
  /** Sends the helper `{ module, memory, job, thread }` (see `Work`). */
  readonly post: (message: { readonly module: object; readonly memory: object; readonly job: number; readonly thread: number }) => void
  readonly terminate: () => void
}

/**
 * A pool of helpers, given to a descent in `Descent.Options.threads`. One descent at a time
 * uses it: a workspace attaching to it takes the helpers from the last one.
 *
 * @since 0.4.0
 * @category models
 */
export interface Threads {
  /** Threads working on layer 1, the caller's included (1: the caller alone). */
  readonly count: number
  /** Sets the helpers working on `work` (a workspace's memory), after leaving the last work. */
  readonly attach: (work: Work) => void
  /** Leaves the current work and stops the helpers. */
  readonly close: () => void
}

/**
 * The largest thread count a pool may have: more would only add handing out.
 *
 * @since 0.4.0
 * @category constructors
 */
export const maxCount = 64

/**
 * Neurons of the first hidden layer per thread that pay for themselves (measured on 2 cores:
 * 784-16-16-10 gains little from a second thread, 784-30-10 and 784-100-10 gain; see the
 * README).
 *
 * @since 0.4.0
 * @category constructors
 */
export const neuronsPerThread = 12

/**
 * The thread count to use when none is asked for: one per `neuronsPerThread` neurons of the
 * first hidden layer, at least 1, at most `cores` (and `maxCount`).
 *
 * @since 0.4.0
 * @category constructors
 */
export const auto = (firstLayerNeurons: number, cores: number): number =>
  Math.max(1, Math.min(Math.floor(firstLayerNeurons / neuronsPerThread), Math.floor(cores), maxCount))

/**
 * A pool of `count` threads (the caller and `count − 1` helpers started by `spawn`).
 *
 * @since 0.4.0
 * @category constructors
 */
export const make = (count: number, spawn: (thread: number) => Helper): Threads => {
  if (!Number.isInteger(count) || count < 1 || count > maxCount) {
    throw new RangeError(`a thread count is a whole number from 1 to ${maxCount}, not ${count}`)
  }
  const helpers = Array.from({ length: count - 1 }, (_, i) => spawn(i + 1))
  let current: Work | undefined
  const leave = () => {
    current?.quit()
    current = undefined
  }
  return {
    count,
    attach: (work) => {
      leave()
      current = work
      helpers.forEach((helper, i) => helper.post({ module: work.module, memory: work.memory, job: work.job, thread: i + 1 }))
    },
    close: () => {
      leave()
      for (const helper of helpers) helper.terminate()
    }
  }
}
