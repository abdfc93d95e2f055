/**
 * A run's folder: where its three files live, a fresh folder under `runs/` when `--out` is not
 * given, and the checks that keep two runs from sharing one.
 *
 * @since 0.2.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import { UsageError } from "./CliError.js"

/**
 * The files of the run in `dir`.
 *
 * @since 0.2.0
 * @category paths
 */
export const files = (dir: string, path: Path.Path) => ({
  checkpoint: path.join(dir, "checkpoint.json"),
  model: path.join(dir, "model.json"),
  run: path.join(dir, "run.json")
})

/**
 * A folder under `runs/` that does not exist yet, named after the time and `name`.
 *
 * @since 0.2.0
 * @category paths
 */
export const fresh = (name: string): Effect.Effect<string, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)
    for (let n = 1; ; n++) {
      const dir = path.resolve("runs", `${stamp}-${name}${n === 1 ? "" : `-${n}`}`)
      if (!(yield* fs.exists(dir).pipe(Effect.orElseSucceed(() => false)))) return dir
    }
  })

/**
 * Fails when `dir` already holds a run: a new run never overwrites one.
 *
 * @since 0.2.0
 * @category checks
 */
export const refuseIfTaken = (dir: string): Effect.Effect<void, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    if (yield* fs.exists(files(dir, path).checkpoint).pipe(Effect.orElseSucceed(() => false))) {
      return yield* new UsageError({
        message: `--out ${dir}: this folder already holds a run; continue it with --resume ${dir}, or choose another --out`
      })
    }
  })

/**
 * Creates `dir` (and its parents).
 *
 * @since 0.2.0
 * @category writing
 */
export const make = (dir: string): Effect.Effect<void, UsageError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeDirectory(dir, { recursive: true })).pipe(
    Effect.mapError((error) => new UsageError({ message: `--out ${dir}: cannot create the folder (${error.message})` }))
  )
