/**
 * `checkpoint.json`: everything needed to carry a run on exactly where it stopped — the
 * options, the epochs completed with their metrics, the parameters after the last of them
 * (as the raw float64 bytes, base64, so every bit survives) and the generator's state. Written
 * atomically after every epoch; `descent train --resume` starts from it.
 *
 * @since 0.1.0
 */
import { Params, Rng } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, Schema } from "effect"
import * as AtomicFile from "./AtomicFile.js"
import { type FileError, FileFormatError } from "./FileError.js"
import * as JsonFile from "./JsonFile.js"
import * as RunRecord from "./RunRecord.js"
import * as TrainingOptions from "./TrainingOptions.js"

/**
 * @since 0.1.0
 * @category schemas
 */
export const CheckpointFile = Schema.Struct({
  format: Schema.Literal("descent-checkpoint"),
  version: Schema.Literal(1),
  options: TrainingOptions.TrainingOptions,
  numerics: RunRecord.NumericsField,
  data: RunRecord.DataFingerprints,
  epochs: Schema.Array(RunRecord.EpochMetrics),
  /** float64 little-endian bytes of the parameter vector, base64. */
  params: Schema.Uint8ArrayFromBase64,
  rng: Schema.Tuple(Schema.Int, Schema.Int, Schema.Int, Schema.Int)
})

/**
 * The state of a run after its last completed epoch.
 *
 * @since 0.1.0
 * @category models
 */
export interface Checkpoint {
  readonly options: TrainingOptions.TrainingOptions
  /** The numerics that computed the parameters (`Numerics.version`). */
  readonly numerics: string
  readonly data: RunRecord.DataFingerprints
  readonly epochs: ReadonlyArray<RunRecord.EpochMetrics>
  readonly params: Params.Params
  readonly rng: Rng.Rng
}

/**
 * Writes a checkpoint to `path`, atomically.
 *
 * @since 0.1.0
 * @category writing
 */
export const write = (
  path: string,
  checkpoint: Checkpoint
): Effect.Effect<void, FileError, FileSystem.FileSystem | Path.Path> =>
  Effect.flatMap(
    Schema.encode(CheckpointFile)({
      format: "descent-checkpoint",
      version: 1,
      options: checkpoint.options,
      numerics: checkpoint.numerics,
      data: checkpoint.data,
      epochs: checkpoint.epochs,
      params: Params.toBytes(checkpoint.params),
      rng: checkpoint.rng.state
    }).pipe(Effect.orDie),
    (encoded) => AtomicFile.writeJson(path, encoded)
  )

/**
 * Reads a checkpoint, checking that its parameters fit its layers.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (path: string): Effect.Effect<Checkpoint, FileFormatError | FileError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const file = yield* JsonFile.read(path, CheckpointFile, "checkpoint")
    const network = TrainingOptions.network(file.options)
    const bytes = file.params
    if (bytes.length !== network.layout.size * 8) {
      return yield* new FileFormatError({
        path,
        what: "checkpoint",
        problem: `field "params": holds ${bytes.length / 8} numbers; layers ${file.options.layers.join("-")} need ${network.layout.size}`
      })
    }
    const vector = new Float64Array(bytes.slice().buffer)
    return {
      options: file.options,
      numerics: file.numerics,
      data: file.data,
      epochs: file.epochs,
      params: Params.unsafeFromArray(network.layout, vector),
      rng: Rng.fromState(file.rng)
    }
  })
