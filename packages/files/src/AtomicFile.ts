/**
 * Writing files so that neither a crash nor a power cut tears one: the content goes to a
 * temporary file in the same folder, is flushed to the disk (fsync), and the temporary file is
 * then renamed over the target, and the folder flushed too, so the rename itself is on disk.
 * A kill at any instant leaves the old file or the new one, never half of either, and no
 * temporary file (it is removed when the write fails).
 *
 * Not for: several files that must change together (see how `descent train` orders its writes).
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import { FileError } from "./FileError.js"

// A random suffix, so that two writers of the same file never share a temporary file.
const suffix = (): string => {
  const bytes = new Uint8Array(6)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
}

/**
 * Writes `content` to `path` atomically and durably.
 *
 * @since 0.1.0
 * @category writing
 */
export const write = (
  path: string,
  content: string | Uint8Array
): Effect.Effect<void, FileError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const folder = paths.dirname(path)
    const temporary = paths.join(folder, `.${paths.basename(path)}.${suffix()}.tmp`)
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
    const written = Effect.scoped(
      Effect.gen(function* () {
        const file = yield* fs.open(temporary, { flag: "wx" })
        yield* file.writeAll(bytes)
        yield* file.sync
      })
    )
    yield* written.pipe(
      Effect.zipRight(fs.rename(temporary, path)),
      Effect.tapError(() => fs.remove(temporary).pipe(Effect.ignore)),
      Effect.mapError((error) => new FileError({ path, problem: `cannot write: ${error.message}` }))
    )
    // The rename is durable once the folder's entry is; some systems cannot open a folder to
    // flush it (Windows), and there nothing more can be done.
    yield* Effect.scoped(Effect.flatMap(fs.open(folder, { flag: "r" }), (dir) => dir.sync)).pipe(Effect.ignore)
  })

/**
 * Writes `value` as pretty JSON, atomically and durably.
 *
 * @since 0.1.0
 * @category writing
 */
export const writeJson = (path: string, value: unknown) => write(path, JSON.stringify(value, null, 2) + "\n")
