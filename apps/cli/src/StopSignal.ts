/**
 * Ctrl-C (SIGINT) and SIGTERM during training: the first asks the run to stop after the batch
 * in progress; a second one ends the process at once (every file is written atomically, so
 * that is safe too). The handlers are installed only while training runs. A command that only
 * waits (`descent serve`) waits for the first with `next`.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface StopSignal {
  readonly requested: () => boolean
}

/**
 * A turn of Node's event loop: a training epoch takes one every few hundred examples
 * (`Training.Observer.turn`), so that a signal is heard, and a progress bar redrawn, within a
 * few batches.
 *
 * @since 0.3.0
 * @category constructors
 */
export const turn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/**
 * Listens for SIGINT and SIGTERM for as long as the scope is open; `resume` is the command that
 * continues the run, told to a user who quits at once; `beforeNote` runs before a note is
 * written (to take a progress bar down, so the note starts a clean line).
 *
 * @since 0.1.0
 * @category constructors
 */
export const listen = (resume: string, beforeNote: () => void = () => {}): Effect.Effect<StopSignal, never, Scope.Scope> => Effect.acquireRelease(
  Effect.sync(() => {
    let requested = false
    const handler = (signal: NodeJS.Signals) => {
      beforeNote()
      if (requested) {
        process.stderr.write(`descent: ${signal} again: quit at once; the last completed checkpoint is kept; to continue: ${resume}\n`)
        process.exit(signal === "SIGINT" ? 130 : 143)
      }
      requested = true
      process.stderr.write(`${signal}: stopping after the current batch (again to quit now)\n`)
    }
    process.on("SIGINT", handler)
    process.on("SIGTERM", handler)
    return { stop: { requested: () => requested }, handler }
  }),
  ({ handler }) =>
    Effect.sync(() => {
      process.off("SIGINT", handler)
      process.off("SIGTERM", handler)
    })
).pipe(Effect.map(({ stop }) => stop))

/**
 * The first SIGINT or SIGTERM from now: which it was. The handlers are installed only while it
 * is awaited, so a second signal, once the first has arrived, ends the process as usual.
 *
 * @since 0.3.0
 * @category waiting
 */
export const next: Effect.Effect<NodeJS.Signals> = Effect.async<NodeJS.Signals>((resume) => {
  const off = () => {
    process.off("SIGINT", handler)
    process.off("SIGTERM", handler)
  }
  const handler = (signal: NodeJS.Signals) => {
    off()
    resume(Effect.succeed(signal))
  }
  process.on("SIGINT", handler)
  process.on("SIGTERM", handler)
  return Effect.sync(off)
})
