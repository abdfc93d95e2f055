/**
 * Progress within an epoch, drawn on stderr — only when stderr is a terminal, so logs and
 * pipes stay clean. Results go to stdout; this never does.
 *
 * @since 0.1.0
 */
import cliProgress from "cli-progress"

/**
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly update: (epoch: number, done: number, total: number, cost: number) => void
  /** Clears the bar before a line of results is printed. */
  readonly clear: () => void
}

/**
 * A progress bar for `epochs` epochs, or one that draws nothing when stderr is not a terminal.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (epochs: number): Progress => {
  if (!process.stderr.isTTY) return { update: () => {}, clear: () => {} }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: "epoch {epoch}/{epochs} {bar} {percentage}% | {value}/{total} examples | batch cost {cost}",
      hideCursor: true,
      clearOnComplete: true,
      fps: 10
    },
    cliProgress.Presets.shades_classic
  )
  let running = false
  return {
    update: (epoch, done, total, cost) => {
      const payload = { epoch, epochs, cost: cost.toFixed(4) }
      if (!running) {
        bar.start(total, done, payload)
        running = true
      } else bar.update(done, payload)
    },
    clear: () => {
      if (running) bar.stop()
      running = false
    }
  }
}
