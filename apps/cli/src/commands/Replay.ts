/**
 * `descent replay RUN.json`: re-runs a recorded run from its seed, in memory, and compares the
 * SHA-256 of the parameters after every epoch with the record's. Prints "identical" when all
 * match; otherwise names the first epoch that differs. The numbers do not depend on the engine
 * (Node, Bun, Deno): a record from any of them replays on any other. A record made with other
 * numerics (see `@descent/core`'s `Numerics`) is refused with the command that re-records it.
 *
 * @since 0.1.0
 */
import { type Memory, Numerics } from "@descent/core"
import * as NodeThreads from "@descent/core/NodeThreads"
import { NumericsMismatch, RunRecord, Training, TrainingOptions } from "@descent/files"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import { ReplayMismatch, Unfit } from "../CliError.js"
import * as Datasets from "../Datasets.js"
import * as Output from "../Output.js"
import * as StopSignal from "../StopSignal.js"
import * as TrainRun from "../TrainRun.js"
import { engine } from "../Versions.js"

/**
 * Runs `descent replay`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: {
  readonly run: string
  readonly threads: { readonly value: number | undefined }
  readonly maxMemory: Memory.Limit
  readonly json: boolean
}) =>
  Effect.scoped(Effect.gen(function* () {
    const path = yield* Path.Path
    const file = path.resolve(flags.run)
    const record = yield* RunRecord.read(file, flags.maxMemory)
    if (record.epochs.length === 0) {
      return yield* new Unfit({ message: `${file}: the run recorded no completed epoch; there is nothing to replay` })
    }
    if (record.numerics !== Numerics.version) {
      return yield* new NumericsMismatch({
        path: file,
        what: "run",
        recorded: record.numerics,
        current: Numerics.version,
        rerecord: TrainingOptions.commandLine(record.options)
      })
    }
    const forData = yield* TrainRun.checkMemory(record.options, flags.maxMemory, file)
    const data = yield* Datasets.load(record.options.data, forData)
    yield* TrainRun.checkShape(record.options, data, file)
    const fingerprints = RunRecord.fingerprints(data.files)
    for (const key of Object.keys(fingerprints) as Array<keyof RunRecord.DataFingerprints>) {
      if (fingerprints[key].sha256 !== record.data[key].sha256) {
        return yield* new ReplayMismatch({
          message: `${Datasets.describe(record.options.data)}: ${fingerprints[key].file} is not the file the run used (SHA-256 ${fingerprints[key].sha256.slice(0, 12)}…, recorded ${record.data[key].sha256.slice(0, 12)}…)`
        })
      }
    }
    const threads = yield* NodeThreads.scoped(TrainRun.threadsFor(flags.threads.value, TrainingOptions.network(record.options)))
    if (!flags.json) {
      const recordedOn = record.environment.engine ?? `node ${record.environment.node}`
      yield* Output.note(
        `replaying ${record.epochs.length} epoch(s) of ${file} (recorded on ${recordedOn}, replayed on ${engine}${threads.count > 1 ? ` on ${threads.count} threads` : ""})`
      )
    }
    const begun = Training.begin(record.options, data)
    let state = begun.state
    for (const recorded of record.epochs) {
      state = yield* Training.epoch(state, begun.sets, { ...Training.silent, turn: StopSignal.turn }, threads).pipe(
        Effect.catchAll((error) =>
          Effect.fail(new ReplayMismatch({ message: `epoch ${recorded.epoch} differs: the replay ${error._tag === "Divergence" ? "diverged" : "stopped"}` }))
        )
      )
      const replayed = state.epochs[state.epochs.length - 1]!
      const same = replayed.paramsSha256 === recorded.paramsSha256
      if (flags.json) yield* Output.json({ epoch: recorded.epoch, identical: same, recorded: recorded.paramsSha256, replayed: replayed.paramsSha256 })
      else yield* Output.line(`epoch ${recorded.epoch}  ${same ? "identical" : "DIFFERS"}  ${replayed.paramsSha256.slice(0, 16)}…`)
      if (!same) {
        return yield* new ReplayMismatch({
          message: `epoch ${recorded.epoch} differs: recorded ${recorded.paramsSha256}, replayed ${replayed.paramsSha256}`
        })
      }
    }
    if (flags.json) return
    const of = record.epochs.length < record.options.epochs
      ? ` (the ${record.epochs.length} of ${record.options.epochs} epochs the run recorded before it ${record.status === "running" ? "stopped" : `was ${record.status}`})`
      : ""
    yield* Output.line(`identical${of}`)
  }))
