/**
 * Writing files so that a crash never tears one: the content goes to a temporary file in the
 * same folder, which is then renamed over the target. A kill at any instant leaves the old file
 * or the new one, never half of either.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { FileError } from "./CliError.js"

/**
 * Writes `content` to `path` atomically.
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
    const temporary = paths.join(paths.dirname(path), `.${paths.basename(path)}.${randomBytes(6).toString("hex")}.tmp`)
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
    yield* fs.writeFile(temporary, bytes).pipe(
      Effect.zipRight(fs.rename(temporary, path)),
      Effect.tapError(() => fs.remove(temporary).pipe(Effect.ignore)),
      Effect.mapError((error) => new FileError({ path, problem: `cannot write: ${error.message}` }))
    )
  })

/**
 * Writes `value` as pretty JSON, atomically.
 *
 * @since 0.1.0
 * @category writing
 */
export const writeJson = (path: string, value: unknown) => write(path, JSON.stringify(value, null, 2) + "\n")
