/**
 * `checkpoint.json`: everything needed to carry a run on exactly where it stopped — the
 * options, the epochs completed with their metrics, the parameters after the last of them
 * (as the raw float64 bytes, base64, so every bit survives) and the generator's state. Written
 * atomically after every epoch; `descent train --resume` starts from it.
 *
 * @since 0.1.0
 */
import { type Memory, Optimizer, Params, Rng } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, Either, Encoding, ParseResult, Schema } from "effect"
import * as AtomicFile from "./AtomicFile.js"
import { FileError, FileFormatError } from "./FileError.js"
import * as JsonFile from "./JsonFile.js"
import * as ModelFile from "./ModelFile.js"
import * as RunRecord from "./RunRecord.js"
import * as TrainingOptions from "./TrainingOptions.js"
import * as Epochs from "./internal/epochs.js"

// The parameters' float64 bytes as base64. A text that is not base64 is damage, and is called
// that, not by the decoder's words ("Length must be a multiple of 4").
const ParamsBase64 = Schema.transformOrFail(Schema.String, Schema.Uint8ArrayFromSelf, {
  strict: true,
  decode: (text, _, ast) =>
    Either.match(Encoding.decodeBase64(text), {
      onLeft: () => ParseResult.fail(new ParseResult.Type(ast, text, "is not valid base64 (the checkpoint is damaged)")),
      onRight: (bytes) => ParseResult.succeed(bytes)
    }),
  encode: (bytes) => ParseResult.succeed(Encoding.encodeBase64(bytes))
}).annotations({ description: "the parameters' float64 bytes in base64" })

// One of xoroshiro128+'s four 32-bit words, as `Rng` keeps them (signed).
const Word = Schema.Int.pipe(Schema.between(-0x80000000, 0x7fffffff))

/**
 * A generator's state: four 32-bit integers, not all zero (xoroshiro128+ with an all-zero
 * state only ever draws 0).
 *
 * @since 0.3.0
 * @category schemas
 */
export const RngState = Schema.Tuple(Word, Word, Word, Word).pipe(
  Schema.filter((state) => state.some((word) => word !== 0) || "the generator's state is all zeros: the checkpoint is damaged")
)

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
  params: ParamsBase64,
  /** The optimiser's state (absent for plain descent, which keeps none): its steps, and each
   * vector as the parameters are written. */
  optimizer: Schema.optional(Schema.Struct({
    steps: Schema.Int.pipe(Schema.nonNegative()),
    moments: Schema.Array(ParamsBase64).pipe(Schema.maxItems(2))
  })),
  rng: RngState
}).pipe(
  // The epochs of the run, 1 to n in order, and no more than its options train.
  Schema.filter((file) => Epochs.numbered(file.epochs, file.options.epochs))
)

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
  /** The optimiser's state after the last epoch. */
  readonly optimizer: Optimizer.State
  readonly rng: Rng.Rng
}

/**
 * The longest checkpoint: the base64 of `ModelFile.maxParams` float64 numbers, and room for
 * the metrics of many epochs.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxBytes = Math.ceil((ModelFile.maxParams * 8) / 3) * 4 + 64 * 1024 * 1024

// base64 of `bytes`, a piece at a time (48 KiB of bytes each, a multiple of 3 so that the
// pieces join into one valid base64 text).
function* base64Pieces(bytes: Uint8Array): Generator<string> {
  const step = 3 * 16384
  for (let from = 0; from < bytes.length; from += step) {
    const piece = bytes.subarray(from, Math.min(bytes.length, from + step))
    yield btoa(String.fromCharCode.apply(null, piece as unknown as Array<number>))
  }
}

// Placeholders for the parameters and the optimiser's vectors in the encoded JSON, replaced by
// their base64 as it is written: the same text as JSON.stringify of the whole, without holding
// all of it at once.
const placeholder = (vector: number) => `@descent/vector-${vector}@`

/**
 * Writes a checkpoint to `path`, atomically; the parameters are encoded a piece at a time.
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
      params: new Uint8Array(0),
      ...(checkpoint.optimizer.moments.length === 0
        ? {}
        : { optimizer: { steps: checkpoint.optimizer.steps, moments: checkpoint.optimizer.moments.map(() => new Uint8Array(0)) } }),
      rng: checkpoint.rng.state
    }).pipe(
      // Never a checkpoint that descent could not read back.
      Effect.mapError((error) =>
        new FileError({ path, problem: `cannot write a checkpoint that would not read back: ${JsonFile.describeIssue(error)}` })
      )
    ),
    (encoded) => {
      const vectors = [checkpoint.params.vector, ...checkpoint.optimizer.moments]
      const text = JSON.stringify({
        ...encoded,
        params: placeholder(0),
        ...(encoded.optimizer === undefined
          ? {}
          : { optimizer: { ...encoded.optimizer, moments: encoded.optimizer.moments.map((_, i) => placeholder(i + 1)) } })
      }, null, 2) + "\n"
      // The text between the placeholders, each placeholder's vector as base64 in its place.
      function* pieces(): Generator<string> {
        let from = 0
        for (const [i, vector] of vectors.entries()) {
          const at = text.indexOf(`"${placeholder(i)}"`, from)
          yield text.slice(from, at + 1)
          yield* base64Pieces(new Uint8Array(Float64Array.from(vector).buffer))
          from = at + placeholder(i).length + 1
        }
        yield text.slice(from)
      }
      return AtomicFile.write(path, pieces())
    }
  )

/**
 * Reads a checkpoint, checking that its parameters fit its layers.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (
  path: string,
  limit?: Memory.Limit
): Effect.Effect<Checkpoint, FileFormatError | FileError | Memory.MemoryLimitError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const file = yield* JsonFile.read(path, CheckpointFile, "checkpoint", { maxBytes, limit })
    const network = TrainingOptions.network(file.options)
    const bytes = file.params
    const size = network.layout.size
    if (bytes.length !== size * 8) {
      const need = `layers ${file.options.layers.join("-")} need ${size} numbers (${size * 8} bytes)`
      return yield* new FileFormatError({
        path,
        what: "checkpoint",
        problem: bytes.length % 8 === 0
          ? `field "params": holds ${bytes.length / 8} number${bytes.length === 8 ? "" : "s"}; ${need}`
          : `field "params": holds ${bytes.length} bytes, not a whole number of float64 values; ${need}`
      })
    }
    const vector = new Float64Array(bytes.slice().buffer)
    const optimizer = TrainingOptions.optimizerOf(file.options)
    const moments = file.optimizer?.moments ?? []
    if (moments.length !== Optimizer.momentsOf(optimizer) || moments.some((moment) => moment.length !== size * 8)) {
      return yield* new FileFormatError({
        path,
        what: "checkpoint",
        problem: `field "optimizer": ${optimizer.name} keeps ${Optimizer.momentsOf(optimizer)} vector${Optimizer.momentsOf(optimizer) === 1 ? "" : "s"} of ${size} numbers (${size * 8} bytes each), found ${moments.length === 0 ? "none" : moments.map((moment) => `${moment.length} bytes`).join(" and ")}`
      })
    }
    return {
      options: file.options,
      numerics: file.numerics,
      data: file.data,
      epochs: file.epochs,
      params: Params.unsafeFromArray(network.layout, vector),
      optimizer: {
        steps: file.optimizer?.steps ?? 0,
        moments: moments.map((moment) => new Float64Array(moment.slice().buffer))
      },
      rng: Rng.fromState(file.rng)
    }
  })
