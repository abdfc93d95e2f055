/**
 * Reading a whole file whose size is known before a byte of it is read: it must be a regular
 * file (a device such as /dev/zero reports no size and never ends; a pipe may wait forever), no
 * longer than its kind can be, and readable within a memory limit. Every refusal is one
 * `FileError`, `FileFormatError` or `MemoryLimitError` naming the file and the true cause.
 *
 * Not for: files read as streams (IDX data, in `@descent/data`), or what the bytes mean (see
 * `JsonFile`).
 *
 * @since 0.3.0
 */
import { Memory } from "@descent/core"
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect } from "effect"
import { FileError, FileFormatError, systemProblem } from "./FileError.js"

/**
 * What a file may be: at most `maxBytes` long, and read within `limit`, reading `bytes` of it
 * taking `memory(bytes)` (the bytes alone when not given).
 *
 * @since 0.3.0
 * @category models
 */
export interface Bounds {
  readonly maxBytes: number
  readonly limit?: Memory.Limit | undefined
  readonly memory?: ((bytes: number) => number) | undefined
}

/**
 * Bytes for people, in decimal units as file browsers show them: "600 MB".
 *
 * @since 0.3.0
 * @category formatting
 */
export const size = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(0)} MB` : `${Math.ceil(bytes / 1e3)} kB`

/**
 * The bytes of the file at `path` once its kind, size and memory are checked. `what` names the
 * kind of file in messages ("model file", "PNG image").
 *
 * @since 0.3.0
 * @category reading
 */
export const read = (
  path: string,
  what: string,
  bounds: Bounds
): Effect.Effect<Uint8Array, FileFormatError | FileError | Memory.MemoryLimitError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const refused = (error: Parameters<typeof systemProblem>[0]) => new FileError({ path, problem: systemProblem(error, `a ${what}`) })
    const info = yield* fs.stat(path).pipe(Effect.mapError(refused))
    if (info.type === "Directory") {
      return yield* new FileError({ path, problem: `is a folder, not a file; give the path of a ${what}` })
    }
    if (info.type !== "File") {
      return yield* new FileError({ path, problem: `is not a regular file (a pipe, a device or a socket); give the path of a ${what}` })
    }
    const bytes = Number(info.size)
    if (bytes > bounds.maxBytes) {
      return yield* new FileFormatError({ path, what, problem: `is ${size(bytes)}, more than the ${size(bounds.maxBytes)} a ${what} can be` })
    }
    if (bounds.limit !== undefined) {
      const over = Memory.check(bounds.limit, (bounds.memory ?? ((n) => n))(bytes), path, `reading this ${size(bytes)} ${what}`)
      if (over !== undefined) return yield* over
    }
    return yield* fs.readFile(path).pipe(Effect.mapError(refused))
  })
