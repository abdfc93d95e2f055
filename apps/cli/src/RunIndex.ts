/**
 * The runs in a folder of runs (`runs/`, as `descent train` fills it): every folder one or two
 * levels down (`runs/chapter`, `runs/seeds/seed-1`) that holds a run record descent reads,
 * each named by its path from the folder with `/` between the parts ("seeds/seed-1"), with its
 * model.json where it has one. A run record that does not read is skipped, and why is kept for
 * a warning; hidden folders (temporaries of runs being written among them) are not looked in.
 *
 * Not for: reading what is in the runs (see `@descent/files`'s `RunRecord`), or serving them
 * (see `Site`: it serves these files and no other file of the folder).
 *
 * @since 0.3.0
 */
import type { Memory } from "@descent/core"
import { FileError, RunRecord, systemProblem } from "@descent/files"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { ServeFailure } from "./ServeFailure.js"

/**
 * One run found: its name, its run.json, and its model.json if it has one.
 *
 * @since 0.3.0
 * @category models
 */
export interface Run {
  readonly name: string
  readonly run: string
  readonly model: Option.Option<string>
}

/**
 * The runs found, by name in order, and the run records skipped, each with why (a message
 * that names the file).
 *
 * @since 0.3.0
 * @category models
 */
export interface RunIndex {
  readonly runs: ReadonlyArray<Run>
  readonly skipped: ReadonlyArray<string>
}

/**
 * The runs under `folder`, each record read within `limit`.
 *
 * @since 0.3.0
 * @category finding
 */
export const find = (
  folder: string,
  limit: Memory.Limit
): Effect.Effect<RunIndex, ServeFailure | FileError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const info = yield* fs.stat(folder).pipe(
      Effect.mapError((error) =>
        error._tag === "SystemError" && error.reason === "NotFound"
          ? new ServeFailure({ reason: "RunsFolderMissing", where: folder })
          : new FileError({ path: folder, problem: systemProblem(error, "a folder of runs") })
      )
    )
    if (info.type !== "Directory") return yield* new ServeFailure({ reason: "RunsNotAFolder", where: folder })
    const isFile = (file: string) => Effect.map(Effect.option(fs.stat(file)), Option.exists((found) => found.type === "File"))
    // The folders in `dir` (links to folders too), hidden ones left out, in name order.
    const subfolders = (dir: string) =>
      Effect.gen(function* () {
        const names = yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed((): Array<string> => []))
        const found: Array<string> = []
        for (const name of names.filter((n) => !n.startsWith(".")).sort()) {
          const entry = yield* Effect.option(fs.stat(path.join(dir, name)))
          if (Option.exists(entry, (e) => e.type === "Directory")) found.push(name)
        }
        return found
      })
    const runs: Array<Run> = []
    const skipped: Array<string> = []
    const look = (parts: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const dir = path.join(folder, ...parts)
        const run = path.join(dir, "run.json")
        if (!(yield* isFile(run))) return
        const read = yield* Effect.either(RunRecord.read(run, limit))
        if (read._tag === "Left") {
          skipped.push(read.left.message)
          return
        }
        const model = path.join(dir, "model.json")
        runs.push({ name: parts.join("/"), run, model: (yield* isFile(model)) ? Option.some(model) : Option.none() })
      })
    for (const first of yield* subfolders(folder)) {
      yield* look([first])
      for (const second of yield* subfolders(path.join(folder, first))) yield* look([first, second])
    }
    return { runs, skipped }
  })
