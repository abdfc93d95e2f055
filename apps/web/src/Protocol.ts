/**
 * What the page and its training worker say to each other. The worker trains exactly as
 * `descent train` does (`@descent/files`'s `Training`), so every epoch's `paramsSha256` is the
 * CLI's; the page only starts, pauses, resumes and stops it, and draws what it hears.
 *
 * Not for: the training itself (see `worker.ts`).
 *
 * @since 0.3.0
 */
import type { Mnist } from "@descent/data"
import type { RunRecord, TrainingOptions } from "@descent/files"

/**
 * From the page to the worker.
 *
 * @since 0.3.0
 * @category messages
 */
export type ToWorker =
  | {
    readonly type: "start"
    readonly options: TrainingOptions.TrainingOptions
    /** Where the MNIST files are, for `Mnist.loadUrl` (absolute URL). */
    readonly data: string
    /** MNIST as the page already loaded it (copied to the worker), so that it is not fetched twice. */
    readonly mnist?: Mnist.MnistData
    /** What the page reports itself as in the run record ("chromium 131…"). */
    readonly engine: string
    readonly platform: string
  }
  | { readonly type: "pause" }
  | { readonly type: "resume" }
  | { readonly type: "stop" }

/**
 * From the worker to the page.
 *
 * @since 0.3.0
 * @category messages
 */
export type FromWorker =
  | { readonly type: "loading" }
  | { readonly type: "progress"; readonly epoch: number; readonly done: number; readonly total: number; readonly cost: number }
  /** The parameters now (every few thousand examples and after each epoch), to draw. */
  | { readonly type: "params"; readonly vector: Float64Array }
  | { readonly type: "epoch"; readonly metrics: RunRecord.EpochMetrics }
  /** The run is over: its files, as `descent train` writes them. */
  | { readonly type: "done"; readonly status: "complete" | "interrupted" | "diverged"; readonly runJson: string; readonly modelJson: string }
  | { readonly type: "error"; readonly message: string }
