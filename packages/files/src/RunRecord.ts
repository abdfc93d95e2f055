/**
 * `run.json`: the record of a training run — every option, the seed, the data's fingerprints,
 * each epoch's metrics and the SHA-256 of the parameters after it, the numerics that computed
 * them, and the engine and package versions. Enough for anyone to re-run it with
 * `descent replay run.json`, on any JavaScript engine, and check that every epoch comes out
 * bit-identical.
 *
 * @since 0.1.0
 */
import { type Memory, Params } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, Schema } from "effect"
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as AtomicFile from "./AtomicFile.js"
import { FileError, type FileFormatError } from "./FileError.js"
import * as JsonFile from "./JsonFile.js"
import * as TrainingOptions from "./TrainingOptions.js"
import * as Epochs from "./internal/epochs.js"

// A fraction of the images named correctly.
const Accuracy = Schema.Number.pipe(Schema.between(0, 1))

/**
 * What one epoch reports. Every number is finite (JSON's `1e999` parses as Infinity, which
 * would be written back as null).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EpochMetrics = Schema.Struct({
  epoch: Schema.Int.pipe(Schema.positive()),
  /** Mean cost over the epoch's mini-batches, each taken just before its step. */
  trainCost: Schema.Number.pipe(Schema.finite()),
  /** Fraction of the test images named correctly, in [0, 1]. */
  testAccuracy: Accuracy,
  testCost: Schema.Number.pipe(Schema.finite()),
  /** Wall-clock seconds for the epoch's training and evaluation. */
  seconds: Schema.Number.pipe(Schema.finite(), Schema.nonNegative()),
  /** SHA-256 of the parameter vector's float64 bytes after the epoch, lowercase hex. */
  paramsSha256: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/, { description: "a SHA-256: 64 hex digits, 0-9 and a-f" })),
  /** Fraction of the training images (with their labels as trained) named correctly. */
  trainAccuracy: Schema.optional(Accuracy),
  /** Fraction of the held-out validation images named correctly. */
  validationAccuracy: Schema.optional(Accuracy)
})

/**
 * @since 0.1.0
 * @category models
 */
export type EpochMetrics = Schema.Schema.Type<typeof EpochMetrics>

const Fingerprint = Schema.Struct({ file: Schema.String, sha256: Schema.String })

/**
 * The SHA-256 of each of the four data files (of their decompressed bytes).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DataFingerprints = Schema.Struct({
  trainImages: Fingerprint,
  trainLabels: Fingerprint,
  testImages: Fingerprint,
  testLabels: Fingerprint
})

/**
 * @since 0.1.0
 * @category models
 */
export type DataFingerprints = Schema.Schema.Type<typeof DataFingerprints>

/**
 * The numerics of records and checkpoints written before `numerics` was recorded (descent 0.1):
 * exp and log from the JavaScript engine's `Math`, whose bits differ between engines.
 *
 * @since 0.2.0
 * @category constants
 */
export const engineNumerics = "engine-math"

/**
 * Which elementary functions computed a run (`Numerics.version` of `@descent/core`); absent in
 * files from before it was recorded, which read as `engineNumerics`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const NumericsField = Schema.optionalWith(Schema.String, { default: () => engineNumerics })

/**
 * @since 0.1.0
 * @category schemas
 */
export const RunRecordFile = Schema.Struct({
  format: Schema.Literal("descent-run"),
  version: Schema.Literal(1),
  /** "stalled": stopped by `--stop-when-stalled` (see `@descent/core`'s `Saturation`). */
  status: Schema.Literal("running", "complete", "interrupted", "diverged", "stalled"),
  options: TrainingOptions.TrainingOptions,
  numerics: NumericsField,
  data: DataFingerprints,
  epochs: Schema.Array(EpochMetrics),
  environment: Schema.Struct({
    /** The engine that recorded the run ("node v20.20.2", "bun 1.4.5", "deno 2.9.6"). */
    engine: Schema.optional(Schema.String),
    /** `process.version`: Node's version, or the one Bun or Deno report for compatibility. */
    node: Schema.String,
    platform: Schema.String,
    packages: Schema.Record({ key: Schema.String, value: Schema.String })
  })
}).pipe(
  // The epochs of the run, 1 to n in order, and no more than its options train.
  Schema.filter((record) => Epochs.numbered(record.epochs, record.options.epochs))
)

/**
 * @since 0.1.0
 * @category models
 */
export type RunRecord = Schema.Schema.Type<typeof RunRecordFile>

/**
 * Where a data file came from and its SHA-256: what `@descent/data`'s `Mnist` reports for each
 * of its four files.
 *
 * @since 0.2.0
 * @category models
 */
export interface FileInfo {
  readonly path: string
  readonly sha256: string
}

/**
 * The fingerprints of a loaded dataset (`MnistData.files`), with file names rather than full
 * paths or URLs (the bundled copy's path differs from machine to machine).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fingerprints = (files: {
  readonly trainImages: FileInfo
  readonly trainLabels: FileInfo
  readonly testImages: FileInfo
  readonly testLabels: FileInfo
}): DataFingerprints => {
  const entry = (info: FileInfo) => ({ file: info.path.split(/[\\/]/).pop() ?? info.path, sha256: info.sha256 })
  return {
    trainImages: entry(files.trainImages),
    trainLabels: entry(files.trainLabels),
    testImages: entry(files.testImages),
    testLabels: entry(files.testLabels)
  }
}

/**
 * SHA-256 of the parameter vector's float64 bytes (little-endian), lowercase hex: what each
 * epoch records as `paramsSha256`. Two runs with equal hashes have bit-identical parameters.
 *
 * @since 0.2.0
 * @category getters
 */
export const paramsSha256 = (params: Params.Params): string => bytesToHex(sha256(Params.toBytes(params)))

/**
 * Writes a run record to `path`, atomically — after checking it against `RunRecordFile`, so
 * that descent never writes a record it could not read back (a number JSON cannot hold, an
 * epoch out of order).
 *
 * @since 0.1.0
 * @category writing
 */
export const write = (path: string, record: RunRecord): Effect.Effect<void, FileError, FileSystem.FileSystem | Path.Path> =>
  text(record).pipe(
    Effect.mapError((problem) => new FileError({ path, problem })),
    Effect.flatMap((json) => AtomicFile.write(path, json))
  )

/**
 * The text of run.json for `record` (indented JSON, as `write` writes it) — after checking it
 * against `RunRecordFile`, so that no record descent could not read back is ever handed out
 * (a number JSON cannot hold, an epoch out of order); the failure says what does not fit.
 *
 * @since 0.3.0
 * @category writing
 */
export const text = (record: RunRecord): Effect.Effect<string, string> =>
  Schema.validate(RunRecordFile)(record).pipe(
    Effect.mapError((error) => `cannot write a run record that would not read back: ${JsonFile.describeIssue(error)}`),
    Effect.as(JSON.stringify(record, null, 2) + "\n")
  )

/**
 * Reads and checks a run record.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (
  path: string,
  limit?: Memory.Limit
): Effect.Effect<RunRecord, FileFormatError | FileError | Memory.MemoryLimitError, FileSystem.FileSystem> =>
  JsonFile.read(path, RunRecordFile, "run record", { maxBytes, limit })

/**
 * The longest run record: 64 MB, the metrics of a hundred thousand epochs.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxBytes = 64 * 1024 * 1024
