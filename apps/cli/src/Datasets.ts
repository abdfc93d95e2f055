/**
 * The training and test sets a command works on: the bundled MNIST, or a folder given with
 * `--data`.
 *
 * @since 0.1.0
 */
import { type IdxError, Mnist, type MnistError } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import type { TrainingOptions } from "@descent/files"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"

/**
 * The data source a `--data` flag names: the bundled copy when it is absent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFlag = (data: Option.Option<string>): Effect.Effect<TrainingOptions.DataSource, never, Path.Path> =>
  Option.match(data, {
    onNone: () => Effect.succeed({ kind: "bundled" as const }),
    onSome: (dir) => Effect.map(Path.Path, (path) => ({ kind: "directory" as const, path: path.resolve(dir) }))
  })

/**
 * Loads both sets from a source.
 *
 * @since 0.1.0
 * @category loading
 */
export const load = (
  source: TrainingOptions.DataSource
): Effect.Effect<Mnist.MnistData, IdxError | MnistError, FileSystem.FileSystem | Path.Path> =>
  source.kind === "bundled"
    ? NodeMnist.loadBundled
    : Mnist.loadDirectory(source.path).pipe(Effect.provide(NodeMnist.sha256))

/**
 * How a source is named to a user.
 *
 * @since 0.1.0
 * @category getters
 */
export const describe = (source: TrainingOptions.DataSource): string =>
  source.kind === "bundled" ? "the bundled MNIST" : source.path
