/**
 * Where a model came from: the run that trained it, named inside the files it is exported to
 * (ONNX metadata, a LayersModel's user metadata) with what the model is, so that a model found
 * elsewhere leads back to the seed that replays it.
 *
 * @since 0.4.0
 */
import { Layout } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import type * as ModelFile from "./ModelFile.js"
import * as RunRecord from "./RunRecord.js"

/**
 * The run's seed, its epochs, and the hash of the parameters after its last epoch.
 *
 * @since 0.4.0
 * @category models
 */
export interface Source {
  readonly seed: number
  readonly epochs: number
  readonly paramsSha256: string
}

/**
 * The run `record` as the source of `model`, when the model is what the run ended on (its
 * parameters hash to the last epoch's).
 *
 * @since 0.4.0
 * @category constructors
 */
export const ofRun = (record: RunRecord.RunRecord, model: ModelFile.Model): Option.Option<Source> => {
  const last = record.epochs[record.epochs.length - 1]
  return last !== undefined && last.paramsSha256 === RunRecord.paramsSha256(model.params)
    ? Option.some({ seed: record.options.seed, epochs: last.epoch, paramsSha256: last.paramsSha256 })
    : Option.none()
}

/**
 * The source of the model at `modelPath`: the run record beside it (`run.json`, as `descent
 * train` leaves them), when there is one and the model is its last epoch's. Nothing otherwise —
 * a missing or unreadable record is no error, since a model may travel alone.
 *
 * @since 0.4.0
 * @category reading
 */
export const beside = (
  modelPath: string,
  model: ModelFile.Model
): Effect.Effect<Option.Option<Source>, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const paths = yield* Path.Path
    const record = yield* RunRecord.read(paths.join(paths.dirname(modelPath), "run.json")).pipe(Effect.option)
    return Option.flatMap(record, (r) => ofRun(r, model))
  })

/**
 * What an exported file says of its model: its layers, activations, cost and precision, the
 * SHA-256 of its parameters (what `descent train` prints), and its run, when known.
 *
 * @since 0.4.0
 * @category models
 */
export interface Description {
  readonly layers: string
  readonly activation: string
  readonly output: string
  readonly cost: string
  readonly precision: string
  readonly paramsSha256: string
  readonly seed?: number
  readonly epochs?: number
  readonly runParamsSha256?: string
}

/**
 * The description of `model`, from `source` when it has one.
 *
 * @since 0.4.0
 * @category constructors
 */
export const describe = (model: ModelFile.Model, source?: Source): Description => ({
  layers: Layout.format(model.network.layout),
  activation: model.network.hidden.name,
  output: model.network.output.name,
  cost: model.network.cost.name,
  precision: model.network.precision,
  paramsSha256: RunRecord.paramsSha256(model.params),
  ...(source === undefined ? {} : { seed: source.seed, epochs: source.epochs, runParamsSha256: source.paramsSha256 })
})
