/**
 * A run's folder: where its three files live, a fresh folder under `runs/` when `--out` is not
 * given, the checks that keep two runs from sharing one — and how its files change together.
 *
 * The checkpoint is the run's one commit point. After every epoch it is written first (each
 * file is replaced atomically and durably, see `AtomicFile`), then `model.json`, then
 * `run.json`; both of these follow from the checkpoint, so whatever instant the process dies
 * at, the checkpoint holds a consistent state and `--resume` rewrites the other two from it.
 * A new folder comes into being whole: its first three files are written into a temporary
 * folder beside it, which is then renamed into place, so a run folder never exists without its
 * checkpoint.
 *
 * @since 0.2.0
 */
import { AtomicFile, Checkpoint, codeOf, FileError, ModelFile, RunRecord, systemProblem } from "@descent/files"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Clock, Data, Effect, Option } from "effect"
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
 * Fails when `dir` already holds a run (a new run never overwrites one), or is a file.
 *
 * @since 0.2.0
 * @category checks
 */
export const refuseIfTaken = (dir: string): Effect.Effect<void, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const info = yield* fs.stat(dir).pipe(Effect.option)
    if (info._tag === "Some" && info.value.type !== "Directory") {
      return yield* new UsageError({ message: `--out ${dir}: this is a file, not a folder; choose a folder for the run` })
    }
    if (yield* fs.exists(files(dir, path).checkpoint).pipe(Effect.orElseSucceed(() => false))) {
      return yield* new UsageError({
        message: `--out ${dir}: this folder already holds a run; continue it with --resume ${dir}, or choose another --out`
      })
    }
  })

const cannotCreate = (dir: string) => (error: PlatformError) =>
  new UsageError({ message: `--out ${dir}: cannot create the folder: ${systemProblem(error, "a folder", "write")}` })

/**
 * The folder a new run was to be created in is no longer free: it holds files (another run may
 * have just taken it). A run given no `--out` tries the next free name.
 *
 * @since 0.3.0
 * @category errors
 */
export class FolderTaken extends Data.TaggedError("FolderTaken")<{ readonly dir: string }> {
  override get message(): string {
    return `--out ${this.dir}: the folder is not empty (another run may have just taken it); give a new or an empty folder for the run`
  }
}

// Hidden temporary folders older than this were left by a run killed before its folder
// appeared; younger ones may belong to a run being created right now.
const staleAfterMs = 60 * 60 * 1000

/**
 * Creates the run folder `dir` with its first files, written by `save` into the folder it is
 * given: a temporary folder beside `dir`, renamed into place once the files are whole — so the
 * folder appears whole, and only when `dir` does not exist or is empty. Two runs given the same
 * folder cannot both have it: the second fails with `FolderTaken`.
 *
 * @since 0.3.0
 * @category writing
 */
export const create = <E, R>(
  dir: string,
  save: (folder: string) => Effect.Effect<void, E, R>
): Effect.Effect<void, E | UsageError | FolderTaken, R | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const parent = path.dirname(dir)
    yield* fs.makeDirectory(parent, { recursive: true }).pipe(Effect.mapError(cannotCreate(dir)))
    yield* clearStale(parent)
    const temporary = path.join(parent, AtomicFile.temporaryName(path.basename(dir)))
    yield* fs.makeDirectory(temporary).pipe(Effect.mapError(cannotCreate(dir)))
    // Errors of the files inside name the folder they are for, not the temporary one.
    const named = (error: E) =>
      error instanceof FileError && error.path.startsWith(temporary)
        ? (new FileError({ path: dir + error.path.slice(temporary.length), problem: error.problem }) as E)
        : error
    yield* save(temporary).pipe(
      Effect.mapError(named),
      Effect.zipRight(
        fs.rename(temporary, dir).pipe(
          Effect.mapError((error) => {
            const code = codeOf(error)
            return code === "ENOTEMPTY" || code === "EEXIST" ? new FolderTaken({ dir }) : cannotCreate(dir)(error)
          })
        )
      ),
      Effect.tapError(() => fs.remove(temporary, { recursive: true }).pipe(Effect.ignore))
    )
    // The rename is durable once the parent folder's entry is.
    yield* Effect.scoped(Effect.flatMap(fs.open(parent, { flag: "r" }), (handle) => handle.sync)).pipe(Effect.ignore)
  })

// Removes the hidden temporary folders in `parent` that runs killed long ago left behind.
const clearStale = (parent: string): Effect.Effect<void, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const now = yield* Clock.currentTimeMillis
    for (const name of yield* fs.readDirectory(parent).pipe(Effect.orElseSucceed(() => []))) {
      if (!AtomicFile.isTemporary(name)) continue
      const info = yield* fs.stat(path.join(parent, name)).pipe(Effect.option)
      const modified = info._tag === "Some" ? Option.getOrUndefined(info.value.mtime)?.getTime() : undefined
      if (info._tag === "Some" && info.value.type === "Directory" && modified !== undefined && now - modified > staleAfterMs) {
        yield* fs.remove(path.join(parent, name), { recursive: true }).pipe(Effect.ignore)
      }
    }
  })

/**
 * Removes what a write killed halfway left in `dir`: temporary files beside the run's files.
 *
 * @since 0.3.0
 * @category writing
 */
export const clearTemporaries = (dir: string): Effect.Effect<void, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const names = yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed(() => []))
    for (const name of names) {
      if (["checkpoint.json", "model.json", "run.json"].some((file) => AtomicFile.isTemporary(name, file))) {
        yield* fs.remove(path.join(dir, name)).pipe(Effect.ignore)
      }
    }
  })

/**
 * The checkpoint of the run in `dir`, for `--resume`: a folder without one is not a run (or
 * was never saved), and the message says so.
 *
 * @since 0.3.0
 * @category reading
 */
export const readCheckpoint = (dir: string, limit: Parameters<typeof Checkpoint.read>[1]) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = files(dir, path).checkpoint
    const folder = yield* fs.stat(dir).pipe(Effect.option)
    if (folder._tag === "None") {
      return yield* new FileError({ path: dir, problem: "no such folder; give the folder of a run (it holds checkpoint.json)" })
    }
    if (folder.value.type !== "Directory") {
      return yield* new FileError({ path: dir, problem: "is a file, not a folder; give the folder of a run (it holds checkpoint.json)" })
    }
    if (!(yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false)))) {
      return yield* new FileError({
        path: dir,
        problem: "holds no checkpoint.json, so there is no run to resume here; start one with descent train --out"
      })
    }
    return yield* Checkpoint.read(file, limit)
  })

/**
 * Whether `model.json` and `run.json` in `dir` are those of the checkpoint's last epoch: a
 * record that is `complete`, with the same epochs, and a model whose parameters hash to the
 * last epoch's. Any file missing, unreadable or behind means no.
 *
 * @since 0.3.0
 * @category checks
 */
export const isFinished = (dir: string, checkpoint: Checkpoint.Checkpoint) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const paths = files(dir, path)
    const last = checkpoint.epochs[checkpoint.epochs.length - 1]
    if (last === undefined) return false
    const record = yield* RunRecord.read(paths.run).pipe(Effect.option)
    if (record._tag === "None" || record.value.status !== "complete") return false
    const epochs = record.value.epochs
    if (epochs.length !== checkpoint.epochs.length || epochs[epochs.length - 1]!.paramsSha256 !== last.paramsSha256) return false
    const model = yield* ModelFile.read(paths.model).pipe(Effect.option)
    return model._tag === "Some" && RunRecord.paramsSha256(model.value.params) === last.paramsSha256
  })
