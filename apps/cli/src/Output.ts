/**
 * What commands print: results on stdout, notes and warnings on stderr. With `--json`, stdout
 * carries JSON only. Printing goes through the `Output` service, so that a command run
 * in-process (in a test) prints where the test can read it; `bin.ts` provides the terminal's.
 *
 * @since 0.1.0
 */
import type { RunRecord } from "@descent/files"
import { Context, Effect, Layer } from "effect"

/**
 * Where output goes: `stdout` for results, `stderr` for notes. Each takes a whole line.
 *
 * @since 0.2.0
 * @category services
 */
export class Output extends Context.Tag("@descent/cli/Output")<
  Output,
  { readonly stdout: (line: string) => void; readonly stderr: (line: string) => void }
>() {}

let stdoutFailure: NodeJS.ErrnoException | undefined

/**
 * Why the process's stdout could not be written to, if it could not: a reader that stopped
 * early (`descent mistakes … | head`, EPIPE), or a full disk. From then on results are dropped,
 * and the work goes on to its end — a run still saves every epoch — so that nothing is left
 * half written; `bin.ts` reports the failure when the command has finished.
 *
 * @since 0.3.0
 * @category terminal
 */
export const terminalFailure = (): NodeJS.ErrnoException | undefined => stdoutFailure

/**
 * The process's own stdout and stderr.
 *
 * @since 0.2.0
 * @category layers
 */
export const terminal: Layer.Layer<Output> = Layer.sync(Output, () => {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    stdoutFailure ??= error
  })
  return {
    stdout: (line) => {
      if (stdoutFailure === undefined) process.stdout.write(line + "\n")
    },
    stderr: (line) => void process.stderr.write(line + "\n")
  }
})

/**
 * Lines kept in memory (for tests): the service, and what it was given.
 *
 * @since 0.2.0
 * @category layers
 */
export const capture = (): { readonly layer: Layer.Layer<Output>; readonly stdout: Array<string>; readonly stderr: Array<string> } => {
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  return {
    layer: Layer.succeed(Output, { stdout: (line) => void stdout.push(line), stderr: (line) => void stderr.push(line) }),
    stdout,
    stderr
  }
}

/**
 * A result line on stdout.
 *
 * @since 0.1.0
 * @category printing
 */
export const line = (text: string): Effect.Effect<void, never, Output> => Effect.map(Output, (output) => output.stdout(text))

/**
 * A result as one line of JSON on stdout.
 *
 * @since 0.1.0
 * @category printing
 */
export const json = (value: unknown): Effect.Effect<void, never, Output> => line(JSON.stringify(value))

/**
 * A note on stderr.
 *
 * @since 0.1.0
 * @category printing
 */
export const note = (text: string): Effect.Effect<void, never, Output> => Effect.map(Output, (output) => output.stderr(text))

/**
 * A percentage with two decimals: 0.9412 → "94.12%".
 *
 * @since 0.1.0
 * @category formatting
 */
export const percent = (fraction: number): string => `${(fraction * 100).toFixed(2)}%`

/**
 * One epoch's metrics as a line of text.
 *
 * @since 0.1.0
 * @category formatting
 */
export const epochLine = (metrics: RunRecord.EpochMetrics, epochs: number): string =>
  [
    `epoch ${String(metrics.epoch).padStart(String(epochs).length)}/${epochs}`,
    `train cost ${metrics.trainCost.toFixed(4)}`,
    `test accuracy ${percent(metrics.testAccuracy)}`,
    `test cost ${metrics.testCost.toFixed(4)}`,
    ...(metrics.trainAccuracy === undefined ? [] : [`train accuracy ${percent(metrics.trainAccuracy)}`]),
    ...(metrics.validationAccuracy === undefined ? [] : [`validation accuracy ${percent(metrics.validationAccuracy)}`]),
    `${metrics.seconds.toFixed(1)} s`
  ].join("  ")

/**
 * A confusion matrix as a table: rows are the true digits, columns what the network said.
 *
 * @since 0.1.0
 * @category formatting
 */
export const confusionTable = (confusion: ReadonlyArray<ReadonlyArray<number>>): string => {
  const width = Math.max(5, ...confusion.flat().map((n) => String(n).length + 1))
  const cell = (text: string | number) => String(text).padStart(width)
  const header = "true\\said" + confusion.map((_, j) => cell(j)).join("")
  const rows = confusion.map((row, i) => `${String(i).padStart(9)}` + row.map(cell).join(""))
  return [header, ...rows].join("\n")
}
