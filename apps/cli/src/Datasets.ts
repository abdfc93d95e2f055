/**
 * The training and test sets a command works on — the bundled MNIST, a folder given with
 * `--data DIR`, or files served under `--data https://…` — through the `Datasets` service, so a
 * command can be run in-process with other data (a test's); `bin.ts` provides `node`.
 *
 * @since 0.1.0
 */
import type { Memory } from "@descent/core"
import { type IdxError, Mnist, type MnistError } from "@descent/data"
import * as NodeMnist from "@descent/data/NodeMnist"
import type { TrainingOptions } from "@descent/files"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Context, Effect, Layer, Option } from "effect"
import { UsageError } from "./CliError.js"

/**
 * Where data sets come from.
 *
 * @since 0.2.0
 * @category services
 */
export class Datasets extends Context.Tag("@descent/cli/Datasets")<
  Datasets,
  {
    /** Both sets from `source`, refused before the images are read when they would need more than `limit`. */
    readonly load: (
      source: TrainingOptions.DataSource,
      limit: Memory.Limit
    ) => Effect.Effect<Mnist.MnistData, IdxError | MnistError | Memory.MemoryLimitError>
  }
>() {}

/**
 * The data sets of Node's file system and network: files fingerprinted with node:crypto.
 *
 * @since 0.2.0
 * @category layers
 */
export const node: Layer.Layer<Datasets, never, FileSystem.FileSystem | Path.Path> = Layer.effect(
  Datasets,
  Effect.map(Effect.context<FileSystem.FileSystem | Path.Path>(), (context) => ({
    load: (source, limit) => {
      const loaded = source.kind === "bundled"
        ? NodeMnist.loadBundledWithin(limit)
        : source.kind === "directory"
        ? Mnist.loadDirectory(source.path, limit)
        : Mnist.loadUrl(source.url, limit).pipe(Effect.provide(FetchHttpClient.layer))
      return loaded.pipe(Effect.provide(NodeMnist.sha256), Effect.provide(context))
    }
  }))
)

/**
 * The data source a `--data` flag names: the bundled copy when it is absent, a URL when it is
 * one, else a folder.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFlag = (data: Option.Option<string>): Effect.Effect<TrainingOptions.DataSource, UsageError, Path.Path> =>
  Option.match(data, {
    onNone: () => Effect.succeed({ kind: "bundled" as const }),
    onSome: (given) =>
      /^https?:\/\//i.test(given)
        ? Effect.succeed({ kind: "url" as const, url: given })
        : /^[a-z][a-z0-9+.-]*:\/\//i.test(given)
        ? Effect.fail(new UsageError({ message: `--data ${given.split("//")[0]}//…: give a folder, or an http:// or https:// URL` }))
        : Effect.map(Path.Path, (path) => ({ kind: "directory" as const, path: path.resolve(given) }))
  })

/**
 * Loads both sets from a source.
 *
 * @since 0.1.0
 * @category loading
 */
export const load = (
  source: TrainingOptions.DataSource,
  limit: Memory.Limit
): Effect.Effect<Mnist.MnistData, IdxError | MnistError | Memory.MemoryLimitError, Datasets> =>
  Effect.flatMap(Datasets, (datasets) => datasets.load(source, limit))

/**
 * How a source is named to a user.
 *
 * @since 0.1.0
 * @category getters
 */
export const describe = (source: TrainingOptions.DataSource): string =>
  source.kind === "bundled" ? "the bundled MNIST" : source.kind === "directory" ? source.path : withoutCredentials(source.url)

// A URL as it may be shown: a user name and password in it never are (three stars stand for them).
const withoutCredentials = (url: string): string => url.replace(/^(\w+:\/\/)[^/@]*@/, `$1${"*".repeat(3)}@`)
